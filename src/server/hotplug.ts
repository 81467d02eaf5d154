// SPDX-License-Identifier: GPL-2.0-only
// The memory block routes: GET /api/machine/:id/blocks lists /sys/devices/system/memory's blocks;
// POST /api/machine/:id/block/:n with {"action": "online_movable"} is
// `echo online_movable > /sys/devices/system/memory/memoryN/state` (sysfsWrite(), the one way
// the model is acted on). A refused write is a 409 with the shell's text for it ("write error:
// Device or resource busy"); a successful one re-derives the map and is recorded as an event.
import type { IncomingMessage } from 'node:http';
import { errnoText } from '../drivers/base/memory.js';
import { MEMORY_DIR, sysfsWrite } from '../fs/sysfs.js';
import { PAGE_SIZE } from '../include/pfn.js';
import { removeMemory } from '../mm/memory-hotplug.js';
import { BLOCK_ACTIONS, type BlockAction, type BlockInfo } from '../web/api-types.js';
import { refreshView } from './boot.js';
import { HttpError, intParam, readJsonField } from './http.js';
import { blockInfo, hotplugActions } from './machine-view.js';
import { recordEvent, type MachineRecord } from './machines.js';

/** An action body is a few bytes: {"action": "online_movable"}. */
export const MAX_ACTION_BYTES = 1024;
/** Largest block id a request may name (2^40 pfns of 128 MiB blocks). */
const MAX_BLOCK_ID = 2 ** 25;

/** The machine's memory hotplug, or why it has none (a 409: the machine exists, the blocks do not). */
function hotplugReady(rec: MachineRecord): NonNullable<MachineRecord['machine']['hotplug']> {
  if (rec.status !== 'ready') {
    throw new HttpError(409, rec.status === 'failed' ? `the boot failed: ${rec.error}` : 'the machine is still booting; wait for the "done" event');
  }
  const hp = rec.machine.hotplug;
  if (hp) return hp;
  throw new HttpError(409, rec.machine.memmap || rec.source.kind === 'boot-log'
    ? 'this machine has no memory blocks (a boot log without a /sys/devices/system/memory capture)'
    : 'this machine has no memory hotplug: its memmap is over the server\'s budget, so it was booted without struct pages');
}

/** GET …/blocks: every memory block, in id order. */
export function listBlocks(rec: MachineRecord): BlockInfo[] {
  const hp = hotplugReady(rec);
  return hp.blocks.all().map((mem) => blockInfo(rec.machine, mem));
}


async function readAction(req: IncomingMessage): Promise<BlockAction> {
  const want = `{"action": ${BLOCK_ACTIONS.map((a) => `"${a}"`).join(' | ')}}`;
  const action = await readJsonField(req, MAX_ACTION_BYTES, 'action', { send: `${want} as application/json`, expected: `expected ${want}` });
  if (!(BLOCK_ACTIONS as readonly string[]).includes(action)) {
    throw new HttpError(400, `action ${JSON.stringify(action.slice(0, 40))}: expected one of ${BLOCK_ACTIONS.join(', ')}`);
  }
  return action as BlockAction;
}

/** POST …/block/:n: write the action to the block's state file; the block afterwards, or the kernel's refusal. */
export async function blockAction(rec: MachineRecord, req: IncomingMessage, idText: string): Promise<BlockInfo> {
  const id = intParam(idText, 'block', MAX_BLOCK_ID);
  const action = await readAction(req);
  const hp = hotplugReady(rec);
  const m = rec.machine;
  if (!hp.blocks.get(id)) throw new HttpError(404, `no memory block ${id}: ${MEMORY_DIR}/memory${id} does not exist`);
  if (!hotplugActions(m)) throw new HttpError(409, 'this machine\'s memory blocks are a replayed log\'s, planned without struct pages: they cannot be onlined or offlined');
  const name = `memory${id}`;
  if (action === 'remove') return removeBlock(rec, id);
  const ret = sysfsWrite(m, `${MEMORY_DIR}/memory${id}/state`, action);
  if (ret < 0) {
    const error = `write error: ${errnoText(ret)}`;
    recordEvent(rec, { type: 'hotplug', name, state: 'end', detail: `echo ${action} > ${name}/state: ${error}` });
    throw new HttpError(409, error);
  }
  refreshView(rec);
  const info = blockInfo(m, hp.blocks.get(id)!);
  recordEvent(rec, { type: 'hotplug', name, state: 'end', detail: `echo ${action} > ${name}/state: ${info.state}${info.zone ? `, ${info.zone}` : ''}` });
  return info;
}

/** remove_memory() of one block: EBUSY unless it is offline; the block, its sections and its resource go. */
function removeBlock(rec: MachineRecord, id: number): BlockInfo {
  const m = rec.machine;
  const hp = m.hotplug!;
  const mem = hp.blocks.get(id)!;
  const before = blockInfo(m, mem);
  const name = `memory${id}`;
  const ret = removeMemory(m, hp.blocks.startPfn(mem) * PAGE_SIZE, hp.blocks.blockSize);
  if (ret < 0) {
    const error = `remove_memory: ${errnoText(ret)}`;
    recordEvent(rec, { type: 'hotplug', name, state: 'end', detail: error });
    throw new HttpError(409, error);
  }
  refreshView(rec);
  recordEvent(rec, { type: 'hotplug', name, state: 'end', detail: 'remove_memory: removed' });
  return { ...before, state: 'removed', zone: null, validZones: '' };
}
