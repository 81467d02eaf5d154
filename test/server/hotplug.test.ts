// The memory block routes: GET …/blocks lists /sys/devices/system/memory, POST …/block/N writes
// its state file. The hotplug preset (pc, 2 GiB, DIMMs of 512 MiB at 4 GiB = memory32–35 and
// 1 GiB = memory36–43, offline at boot):
//
//   pfn 0          0x80000 (2G)        0x100000 (4G)  0x110000      0x130000        0x160000
//   |  memory0–15  |        hole        | memory32–35 (512M) | memory36–43 (1G)     |
//   |  online      |                    | offline            | offline              |
//
// online_movable on memory32 → Movable [0x100000, 0x108000), the map's columns there free;
// offline → offline again. The kernel's refusals come back as 409 with the shell's text.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BinsResponse, BlockInfo, BootEvent, MachineSummary, PfnInfoResponse } from '../../src/web/api-types.js';
import { bootReady, get, send, testServer, upload, type Reply } from './client.js';
import type { MeminitServer } from '../../src/server/server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const corpus = (name: string): string => readFileSync(join(root, 'test', 'corpus', name), 'utf8');

let srv: MeminitServer & { errors: string[] };
before(async () => {
  srv = await testServer();
});
after(async () => {
  assert.deepEqual(srv.errors, []);
  await srv.close();
});

const act = (id: string, block: number | string, body: string, type = 'application/json'): Promise<Reply> =>
  send(srv, 'POST', `/api/machine/${id}/block/${block}`, { headers: { 'Content-Type': type }, body });
const action = (id: string, block: number, a: string): Promise<Reply> => act(id, block, JSON.stringify({ action: a }));

function assertError(r: Reply, status: number, re: RegExp): void {
  assert.equal(r.status, status, r.text);
  const body = r.json<{ error: string }>();
  assert.deepEqual(Object.keys(body), ['error']);
  assert.match(body.error, re);
}

/** The states of the map's bins over [start, end), one bin: counts by state name. */
async function statesIn(id: string, start: number, end: number): Promise<Record<string, number>> {
  const b = (await get(srv, `/api/machine/${id}/bins?start=${start}&end=${end}&bins=1`)).json<BinsResponse>();
  return Object.fromEntries(b.states.map((s, i) => [s, b.counts[0]![i]!]).filter(([, n]) => n !== 0));
}

const zoneinfoZone = (zi: string, zone: string): string => zi.split(/(?=^Node )/m).find((s) => new RegExp(`zone +${zone}\\n`).test(s)) ?? '';

describe('memory block routes', () => {
  let id: string;
  before(async () => {
    id = await bootReady(srv, 'hotplug');
  });

  it('the boot plugs the DIMMs: their blocks offline, the map shows them offline, the memmap phase says so', async () => {
    const blocks = (await get(srv, `/api/machine/${id}/blocks`)).json<BlockInfo[]>();
    assert.deepEqual(blocks.map((b) => b.id), [...Array(16).keys(), ...Array.from({ length: 12 }, (_, i) => 32 + i)]);
    assert.deepEqual(blocks[1], { id: 1, state: 'online', zone: 'DMA32', nid: 0, validZones: 'DMA32', startPfn: 0x8000, pages: 0x8000, hotAdded: false });
    assert.deepEqual(blocks[16], { id: 32, state: 'offline', zone: null, nid: 0, validZones: 'Normal Movable', startPfn: 0x100000, pages: 0x8000, hotAdded: true });
    assert.deepEqual(blocks[0]!.validZones, 'none', 'memory0 spans DMA and DMA32');
    const m = (await get(srv, `/api/machine/${id}`)).json<MachineSummary>();
    assert.deepEqual(m.hotplug, { blockPages: 0x8000, blocks: 28, actions: true });
    assert.equal(m.extentPfn, 0x160000);
    assert.deepEqual(m.memoryBlocks!.runs, [{ first: 0, end: 16, nid: 0 }, { first: 32, end: 44, nid: 0 }]);
    assert.match(m.events.find((e) => e.name === 'memmap' && e.state === 'end')!.detail!, /; 2 DIMMs hot-added \(12 memory blocks offline\)$/);
    assert.deepEqual(await statesIn(id, 0x100000, 0x160000), { offline: 0x60000 });
    assert.deepEqual(await statesIn(id, 0x80000, 0x100000), { hole: 0x80000 });
  });

  it('online_movable, then offline: the block, the map, the zones and zoneinfo follow', async () => {
    const on = await action(id, 32, 'online_movable');
    assert.equal(on.status, 200, on.text);
    assert.deepEqual(on.json<BlockInfo>(), { id: 32, state: 'online', zone: 'Movable', nid: 0, validZones: 'Movable', startPfn: 0x100000, pages: 0x8000, hotAdded: true });
    assert.deepEqual(await statesIn(id, 0x100000, 0x108000), { free: 0x8000 });
    assert.deepEqual(await statesIn(id, 0x108000, 0x160000), { offline: 0x58000 });
    const m = (await get(srv, `/api/machine/${id}`)).json<MachineSummary>();
    const movable = m.nodes![0]!.zones.find((z) => z.name === 'Movable')!;
    assert.deepEqual([movable.startPfn, movable.endPfn, movable.present, movable.managed], [0x100000, 0x108000, 0x8000, 0x8000]);
    assert.match(zoneinfoZone(m.zoneinfo!, 'Movable'), /present  32768\n\s+managed  32768\n/);
    const p = (await get(srv, `/api/machine/${id}/pfn/0x100000`)).json<PfnInfoResponse>();
    assert.deepEqual([p.state, p.zone, p.memoryBlock?.state, p.memoryBlock?.zone], ['free', 'Movable', 'online', 'Movable']);
    const ev = m.events.at(-1) as BootEvent;
    assert.deepEqual([ev.type, ev.name, ev.detail], ['hotplug', 'memory32', 'echo online_movable > memory32/state: online, Movable']);

    const off = await action(id, 32, 'offline');
    assert.equal(off.status, 200, off.text);
    assert.deepEqual([off.json<BlockInfo>().state, off.json<BlockInfo>().validZones], ['offline', 'Normal Movable']);
    assert.deepEqual(await statesIn(id, 0x100000, 0x160000), { offline: 0x60000 });
    const after = (await get(srv, `/api/machine/${id}`)).json<MachineSummary>();
    assert.equal(after.nodes![0]!.zones.find((z) => z.name === 'Movable')!.spanned, 0);
    assert.match(zoneinfoZone(after.zoneinfo!, 'Movable'), /present  0\n/);
  });

  it('a boot block offlined: its memory shows offline, its holes stay holes; online again', async () => {
    assert.equal((await action(id, 15, 'offline')).status, 409, 'memory15 ends in a hole: the kernel refuses');
    assert.equal((await action(id, 2, 'offline')).status, 200);
    assert.deepEqual(await statesIn(id, 0x10000, 0x18000), { offline: 0x8000 });
    const on = await action(id, 2, 'online');
    assert.deepEqual([on.status, on.json<BlockInfo>().zone], [200, 'DMA32']);
    assert.equal((await statesIn(id, 0x10000, 0x18000)).offline, undefined);
  });

  it('the kernel\'s refusals are 409s with its text', async () => {
    assertError(await action(id, 0, 'offline'), 409, /^write error: Invalid argument$/);
    assertError(await action(id, 1, 'online'), 409, /^write error: Invalid argument$/);
    assertError(await action(id, 36, 'offline'), 409, /^write error: Invalid argument$/);
    const blocks = (await get(srv, `/api/machine/${id}/blocks`)).json<BlockInfo[]>();
    assert.deepEqual([blocks[0]!.state, blocks[1]!.state], ['online', 'online'], 'a refused write changes nothing');
    const m = (await get(srv, `/api/machine/${id}`)).json<MachineSummary>();
    assert.equal(m.events.at(-1)!.detail, 'echo offline > memory36/state: write error: Invalid argument');
  });

  it('remove: EBUSY while online; once offline the block and its memory are gone', async () => {
    assert.equal((await action(id, 43, 'online_kernel')).status, 200);
    assertError(await action(id, 43, 'remove'), 409, /^remove_memory: Device or resource busy$/);
    assert.equal((await action(id, 43, 'offline')).status, 200);
    const r = await action(id, 43, 'remove');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json<BlockInfo>().state, 'removed');
    const blocks = (await get(srv, `/api/machine/${id}/blocks`)).json<BlockInfo[]>();
    assert.ok(!blocks.some((b) => b.id === 43));
    assertError(await action(id, 43, 'online'), 404, /^no memory block 43/);
    assert.deepEqual(await statesIn(id, 0x158000, 0x160000), { hole: 0x8000 });
  });

  it('bad requests: 400, 404, 405, 415, 413, and never a crash', async () => {
    assertError(await action(id, 99, 'offline'), 404, /^no memory block 99: \/sys\/devices\/system\/memory\/memory99 does not exist$/);
    assertError(await action(id, 32, 'eject'), 400, /^action "eject": expected one of online, online_kernel, online_movable, offline, remove$/);
    assertError(await act(id, 32, '{"action":'), 400, /^malformed JSON/);
    assertError(await act(id, 32, '["online"]'), 400, /^expected \{"action"/);
    assertError(await act(id, 32, '{"action": 1}'), 400, /^expected \{"action"/);
    assertError(await act(id, 'x1', '{"action":"online"}'), 400, /^block="x1": expected a whole number/);
    assertError(await act(id, 2 ** 40, '{"action":"online"}'), 400, /^block=\d+: at most/);
    assertError(await act(id, 32, 'action=online', 'application/x-www-form-urlencoded'), 415, /as application\/json/);
    assertError(await act(id, 32, 'x'.repeat(5000)), 413, /limit is 1024 bytes/);
    assertError(await get(srv, `/api/machine/${id}/block/32`), 405, /use POST/);
    assertError(await send(srv, 'POST', `/api/machine/${id}/blocks`), 405, /use GET/);
    assertError(await action('0123456789abcdef', 32, 'online'), 404, /^no machine 0123456789abcdef/);
  });
});

describe('machines without hotplug actions', () => {
  it('seed (no struct pages): 409 on the blocks; default: boot blocks, no DIMMs', async () => {
    const seed = await bootReady(srv, 'seed');
    assertError(await get(srv, `/api/machine/${seed}/blocks`), 409, /no memory hotplug: its memmap is over the server's budget/);
    assertError(await action(seed, 0, 'offline'), 409, /no memory hotplug/);
    assert.equal((await get(srv, `/api/machine/${seed}`)).json<MachineSummary>().hotplug, undefined);
    const pc = await bootReady(srv, 'pc-1g');
    const blocks = (await get(srv, `/api/machine/${pc}/blocks`)).json<BlockInfo[]>();
    assert.deepEqual(blocks.map((b) => [b.id, b.state, b.hotAdded]), [...Array(8).keys()].map((i) => [i, 'online', false]));
  });

  it('replayed boot logs: the blocks the replay made; actions only where it built struct pages', async () => {
    const bootLog = async (name: string): Promise<string> => {
      const r = await upload(srv, name, corpus(name));
      assert.equal(r.status, 201, r.text);
      return r.json<{ id: string }>().id;
    };
    // pc-1g: blocks planned from the log's sysfs capture, no struct pages.
    const planned = await bootLog('pc-1g.log');
    assert.deepEqual((await get(srv, `/api/machine/${planned}/blocks`)).json<BlockInfo[]>().map((b) => b.state), Array(8).fill('online'));
    assert.equal((await get(srv, `/api/machine/${planned}`)).json<MachineSummary>().hotplug?.actions, false);
    assertError(await action(planned, 1, 'offline'), 409, /planned without struct pages/);
    // pc-2g-dimm-online: the replay ran the log's actions on struct pages (memory32 onlined); more work.
    const real = await bootLog('pc-2g-dimm-online.log');
    const blocks = (await get(srv, `/api/machine/${real}/blocks`)).json<BlockInfo[]>();
    assert.deepEqual(blocks.filter((b) => b.hotAdded).map((b) => b.state[1]).join(''), 'nfffffffffff');
    const on = await action(real, 33, 'online_movable');
    assert.deepEqual([on.status, on.json<BlockInfo>().zone], [200, 'Movable']);
  });
});
