// SPDX-License-Identifier: GPL-2.0-only
// The memory blocks a corpus boot ends with (/sys/devices/system/memory, captured by the
// initramfs): the boot's blocks and the DIMMs the ACPI driver hot-added at boot, predicted and
// compared line for line. The DIMMs are what /proc/iomem shows as System RAM beyond the e820
// table (hot-plugged memory is not in the boot log); their node is the SRAT range's.
import type { Machine } from '../kernel/machine.js';
import { sysfsRead, MEMORY_DIR } from '../fs/sysfs.js';
import { hotplugOf, memoryHotplugInit } from '../mm/memory-hotplug.js';
import { hotaddInitPgdat } from '../mm/memory-hotplug-zone.js';
import { MIN_MEMORY_BLOCK_SIZE, type MemoryBlock } from '../drivers/base/memory.js';
import type { BootLog } from './dmesg.js';
import { iomemTopLine, memoryBlockLine, memorySubsysAttr, type MemoryBlockLine } from './formats/memory-block.js';
import type { ReplayContext } from './replay-context.js';
import { memInit } from '../arch/x86/mem-init.js';
import { watermarkStateClone, wmarkKey } from '../mm/watermark.js';
import { acpiMemoryDeviceAdd } from '../drivers/acpi/acpi-memhotplug.js';
import { managedNow } from '../fs/proc/index.js';
import { errnoText, parseScript, runLine, ScriptError, type ScriptLine } from '../shell/script.js';
import { ZoneType } from '../include/mmzone.js';
import { kpageflagsFromMemmap } from '../fs/proc/kpageflags.js';
import { earlySection, pfnToSection } from '../mm/sparse.js';
import { kpageflagsRun, type KpageflagsRun } from './formats/kpageflags.js';
import { checkKpageflagsCapture } from './replay-kpageflags.js';
import { checkZoneinfoCapture } from './replay-captures.js';
import type { PredictedWatermarks, ZoneCounts } from './replay-managed.js';

/**
 * System RAM ranges of an iomem capture that no e820 entry has: memory hot-added at boot (whole
 * memory blocks: add_memory() takes nothing smaller).
 */
export function hotAddedRanges(m: Machine, iomem: readonly string[]): { start: number; size: number }[] {
  const e820 = m.e820?.table.entries ?? [];
  const out: { start: number; size: number }[] = [];
  for (const l of iomem) {
    const r = iomemTopLine.parse(l);
    if (!r || r.name !== 'System RAM') continue;
    const end = r.end + 1;
    if (e820.some((e) => e.addr < end && r.start < e.addr + e.size)) continue;
    if (r.start % MIN_MEMORY_BLOCK_SIZE !== 0 || end % MIN_MEMORY_BLOCK_SIZE !== 0) continue;
    out.push({ start: r.start, size: end - r.start });
  }
  return out;
}

/**
 * The node of memory hot-added at boot: its ACPI device's _PXM, which no log line shows. The
 * memory-block capture links the DIMM's first block to it; without a capture, the SRAT range
 * holding the address (QEMU's default for a pc-dimm without node=), else node 0.
 */
export function dimmNodeOf(m: Machine, log: BootLog, start: number, blockSize: number): number {
  const id = Math.floor(start / blockSize);
  for (const l of log.captures.get(MEMORY_DIR)?.lines ?? []) {
    const b = memoryBlockLine.parse(l);
    if (b && b.id === id && /^\d+$/.test(b.nodes)) return +b.nodes;
  }
  return m.firmware.srat?.memory.find((e) => e.start <= start && start < e.end)?.nid ?? 0;
}

/** One block as the capture prints it, read through the same sysfs files `cat` serves. */
export function memoryBlockLineOf(m: Machine, mem: MemoryBlock): MemoryBlockLine {
  const attr = (name: string): string => {
    const r = sysfsRead(m, `${MEMORY_DIR}/memory${mem.id}/${name}`);
    return r.ok ? r.text.trim().split(/\s+/).join(',') || '-' : '-';
  };
  // The initramfs lists the nodeN links in shell glob order: node100 before node97.
  const nodes = [...mem.nodes].map((n) => `node${n}`).sort().map((n) => n.slice(4)).join(',');
  return {
    id: mem.id, physIndex: attr('phys_index'), state: attr('state'), online: attr('online'), validZones: attr('valid_zones'),
    removable: attr('removable'), physDevice: attr('phys_device'), nodes: nodes || '-',
  };
}

/**
 * Plan the boot's memory blocks without struct pages: memory_dev_init() over memblock's
 * sections, then each hot-added range as offline blocks of its node (what add_memory() leaves
 * with auto_online_blocks=offline; other policies need the struct pages, so they are not planned).
 */
export function planBootMemoryBlocks(m: Machine, log: BootLog): boolean {
  const iomem = log.captures.get('/proc/iomem')?.lines;
  const hp = memoryHotplugInit(m, { plan: true });
  for (const r of iomem ? hotAddedRanges(m, iomem) : []) {
    if (hp.defaultOnlineType !== 0) return false;
    const nid = dimmNodeOf(m, log, r.start, hp.blocks.blockSize);
    if (!m.zones!.nodes.has(nid)) hotaddInitPgdat(m.zones!, nid);
    if (!hp.nodesOnline.has(nid)) {
      hp.nodesOnline.add(nid);
      if (!m.onlineNodes.includes(nid)) m.onlineNodes = [...m.onlineNodes, nid].sort((a, b) => a - b);
    }
    hp.blocks.create(r.start, r.size, 0, undefined);
    hp.blocks.registerUnderNode(nid, r.start, r.size);
    hp.resources.push({ start: r.start, end: r.start + r.size, name: 'System RAM' });
  }
  return true;
}

/** Compare a memory-block capture (named `name`) with the machine's blocks now. */
export function checkMemoryBlocksCapture(ctx: ReplayContext, log: BootLog, name: string): void {
  const cap = log.captures.get(name);
  if (!cap) return;
  const m = ctx.m;
  const hp = hotplugOf(m);
  const seen = new Set<number>();
  for (const l of cap.lines) {
    const a = memorySubsysAttr.parse(l);
    if (a) {
      const want = a.name === 'block_size_bytes' ? hp.blocks.blockSize.toString(16) : sysfsRead(m, `${MEMORY_DIR}/auto_online_blocks`);
      const w = typeof want === 'string' ? want : want.ok ? want.text.trim() : '-';
      if (w === a.value) ctx.check.matched++;
      else ctx.check.add({ line: cap.no, format: memorySubsysAttr.name, what: 'differs', kernel: l, predicted: memorySubsysAttr.emit({ name: a.name, value: w }) });
      continue;
    }
    const k = memoryBlockLine.parse(l);
    if (!k) continue;
    seen.add(k.id);
    const mem = hp.blocks.get(k.id);
    const want = mem ? memoryBlockLine.emit(memoryBlockLineOf(m, mem)) : `(no memory${k.id})`;
    if (want === l) ctx.check.matched++;
    else ctx.check.add({ line: cap.no, format: memoryBlockLine.name, what: 'differs', kernel: l, predicted: want });
  }
  for (const mem of hp.blocks.all()) {
    if (!seen.has(mem.id)) {
      ctx.check.add({ line: cap.no, format: memoryBlockLine.name, what: 'differs', kernel: `(no memory${mem.id})`, predicted: memoryBlockLine.emit(memoryBlockLineOf(m, mem)) });
    }
  }
}

/** A replayed machine made ready for hotplug, and its managed pages as /proc/zoneinfo would show them. */
export interface HotplugReplay {
  /** Managed pages per "nid:zone": the replay's prediction for boot memory plus what hotplug changed since. */
  managed(): ZoneCounts | undefined;
}

/**
 * A replayed machine made ready for hotplug: its struct pages (memInit on the replayed memblock,
 * main thread), memory hotplug (--hotplug-reserved as given) and the DIMMs the ACPI driver
 * added at boot, as /proc/iomem shows them. memInit's memblock_free_all does not see the frees
 * after it (initrd, kernel image…): the replay's own prediction of boot managed pages is kept
 * and hotplug's changes are added to it.
 */
export function hotplugReplayMachine(
  ctx: Pick<ReplayContext, 'm' | 'file' | 'notes'>, log: BootLog, bootManaged: ZoneCounts | undefined, reserved: 'keep' | 'drop' = 'keep',
  watermarks?: PredictedWatermarks,
): HotplugReplay {
  const m = ctx.m;
  memInit(m, { strategy: 'parallel' });
  memoryHotplugInit(m, { reserved });
  const offset = new Map<string, number>();
  for (const [k, v] of managedNow(m)) offset.set(k, (bootManaged?.get(k) ?? v) - v);
  /** The model's managed pages plus what only the log knows was freed. */
  const managedView = (): ZoneCounts => new Map([...managedNow(m)].map(([k, v]) => [k, v + (offset.get(k) ?? 0)]));
  // The watermarks as the log places them; the ACPI driver onlines boot-time DIMMs in a subsys
  // initcall, before the initrd and the kernel image are freed, so its recomputes count what
  // was managed then; the actions, run from the initramfs, count everything.
  const adjustTo = (managed: ZoneCounts | undefined): void => {
    m.managedAdjust = new Map();
    for (const pg of m.zones!.nodes.values()) {
      pg.zones.forEach((z, zid) => m.managedAdjust!.set(wmarkKey(pg.nodeId, zid), (managed?.get(`${pg.nodeId}:${z.name}`) ?? z.managedPages) - z.managedPages));
    }
  };
  if (watermarks) {
    m.watermarks = watermarkStateClone(watermarks.state);
    adjustTo(watermarks.subsysManaged);
  }
  const iomem = log.captures.get('/proc/iomem')?.lines;
  for (const r of iomem ? hotAddedRanges(m, iomem) : []) {
    const ret = acpiMemoryDeviceAdd(m, dimmNodeOf(m, log, r.start, m.hotplug!.blocks.blockSize), r.start, r.size);
    if (ret) ctx.notes.push(`${ctx.file}: hot-added range 0x${r.start.toString(16)}+0x${r.size.toString(16)}: add_memory failed in the model (${errnoText(ret)})`);
  }
  if (watermarks) adjustTo(managedView());
  return { managed: () => (bootManaged ? managedView() : undefined) };
}

/**
 * The hotplug actions of a corpus boot, replayed: each action runs as a script line and must be
 * answered as the kernel answered it (ok or the same errno text), and every capture taken after
 * it (NAME@n) must match: memory blocks, zoneinfo's spans and counts. An offline the kernel
 * refused with EBUSY outside ZONE_MOVABLE, where the model saw nothing pinning the block, is the
 * kernel's own run-time allocations (slab, page tables…) which no log shows: the replay follows
 * the kernel there and says so.
 */
export function replayActions(ctx: ReplayContext, log: BootLog, hr: HotplugReplay): void {
  const m = ctx.m;
  for (const a of log.actions) {
    let lines;
    try {
      lines = parseScript(a.line, `${ctx.file}:${a.no}`);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      ctx.notes.push(`${e.message}: not an action meminit can replay; the replay of actions stops here`);
      return;
    }
    const want = a.error === null ? 'ok' : a.error;
    for (const l of lines) {
      if (want === 'Device or resource busy' && runtimePinned(m, l)) {
        ctx.notes.push(`${ctx.file}:${a.no}: ${a.line}: the kernel refused (EBUSY): its own run-time allocations pin the block (not in any log); the replay follows the kernel`);
        continue;
      }
      const r = runLine(m, l);
      const got = r.errno === undefined ? 'ok' : errnoText(r.errno);
      if (want === undefined) ctx.notes.push(`${ctx.file}:${a.no}: action ${a.n} has no result marker`);
      else if (got === want) ctx.check.matched++;
      else ctx.check.add({ line: a.no, format: 'hotplug.action', what: 'differs', kernel: `${a.line}: ${want}`, predicted: `${a.line}: ${got}` });
    }
    checkMemoryBlocksCapture(ctx, log, `${MEMORY_DIR}@${a.n}`);
    checkZoneinfoCapture(ctx, log, hr.managed(), `/proc/zoneinfo@${a.n}`);
    checkHotAddedKpageflags(ctx, log, `kpageflags@${a.n}`);
  }
}

/**
 * /proc/kpageflags of the hot-added memory blocks after an action, against the capture: reserved
 * (memmap_on_memory's self-hosted memmap) and nopage (offline blocks) pfn for pfn. Boot memory
 * is the end-of-boot prediction's business.
 */
function checkHotAddedKpageflags(ctx: ReplayContext, log: BootLog, name: string): void {
  const cap = log.captures.get(name);
  const m = ctx.m;
  if (!cap || !m.hotplug) return;
  const runs = cap.lines.map((l) => kpageflagsRun.parse(l)).filter((r): r is KpageflagsRun => !!r);
  const blocks = m.hotplug.blocks;
  for (const mem of blocks.all()) {
    const start = blocks.startPfn(mem);
    const end = start + blocks.blockPages;
    if (earlySection(pfnToSection(m.memmap!, start))) continue;
    const clip = (rs: readonly KpageflagsRun[]): KpageflagsRun[] =>
      rs.filter((r) => r.end > start && r.start < end).map((r) => ({ ...r, start: Math.max(r.start, start), end: Math.min(r.end, end) }));
    const kernel = clip(runs);
    if (!kernel.length) continue;
    const mine = kpageflagsFromMemmap(m, start, end);
    const diffs = checkKpageflagsCapture(mine, kernel).filter((d) => d.predictedOnly.length || d.kernelOnly.length);
    if (!diffs.length) {
      ctx.check.matched++;
      continue;
    }
    const hex = (sp: [number, number][]): string => sp.slice(0, 3).map(([x, y]) => `0x${x.toString(16)}-0x${(y - 1).toString(16)}`).join(' ') || '-';
    for (const d of diffs) {
      ctx.check.add({ line: cap.no, format: 'kpageflags', what: 'differs', kernel: `${name} memory${mem.id}: ${d.flag} also at ${hex(d.kernelOnly)}`, predicted: `${d.flag} also at ${hex(d.predictedOnly)}` });
    }
  }
}

/** An offline of an online block outside ZONE_MOVABLE: what run-time kernel allocations can make EBUSY. */
function runtimePinned(m: Machine, l: ScriptLine): boolean {
  const c = l.cmd;
  if (c.kind !== 'write') return false;
  const mm = /^\/sys\/devices\/system\/memory\/memory(\d+)\/(state|online)$/.exec(c.path);
  if (!mm || !(mm[2] === 'state' ? c.value === 'offline' : c.value === '0')) return false;
  const mem = m.hotplug?.blocks.get(+mm[1]!);
  return !!mem && mem.state === 'online' && mem.zid !== ZoneType.MOVABLE;
}
