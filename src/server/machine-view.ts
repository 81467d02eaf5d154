// SPDX-License-Identifier: GPL-2.0-only
// What the UI sees of a booted Machine: the pfn-state input of the bins classifier (with what
// memory hotplug changed laid over it), the summary (nodes, zones, sections, memory blocks,
// e820, kernel lines, zoneinfo), one memory block, and what is at one pfn. Reads the model;
// changes nothing.
import { E820Type } from '../arch/x86/e820-types.js';
import { probeMemoryBlockSize, type MemoryBlock } from '../drivers/base/memory.js';
import { PAGES_PER_SECTION, pfnToSectionNr, ZONE_NAMES } from '../include/mmzone.js';
import { PAGE_SIZE, pfnDown, pfnUp, roundUp } from '../include/pfn.js';
import type { Machine } from '../kernel/machine.js';
import { presentSections } from '../mm/mm-init.js';
import { zoneEndPfn, type PgData } from '../mm/zone.js';
import { emitZoneinfo } from '../trace/formats/zoneinfo.js';
import { e820TypeLabel } from '../trace/formats/e820.js';
import { zoneinfoOf } from '../cli/replay.js';
import { procText } from '../fs/proc/index.js';
import { MEMORY_DIR, sysfsRead } from '../fs/sysfs.js';
import type { BlockInfo, NodeSummary, PfnInfoResponse, StructPage } from '../web/api-types.js';
import { dumpPage, formatPageDump, PageDumpError } from '../mm/page-dump.js';
import { pfnStateAt, type PfnMapInput, type PfnRange, type StateSegment } from '../web/bins.js';

/**
 * Pages per memory block. Every machine meminit models is a QEMU guest (presets, machine files,
 * the corpus), so probe_memory_block_size() takes its hypervisor branch.
 */
export const memoryBlockPages = (m: Machine): number => probeMemoryBlockSize(m.maxPfn, true) / PAGE_SIZE;

/** e820 persistent memory: the ranges the map shows as device memory. */
export function devicePfnRanges(m: Machine): PfnRange[] {
  return (m.e820?.table.entries ?? [])
    .filter((e) => e.type === E820Type.PMEM || e.type === E820Type.PRAM)
    .map((e) => ({ start: pfnDown(e.addr), end: pfnUp(e.addr + e.size) }));
}

/** Where memmap_init() put the node's deferred split (deferred init clears pg.firstDeferredPfn once done). */
const deferredFrom = (m: Machine, pg: PgData): number => m.memmapPlan?.firstDeferredPfn.get(pg.nodeId) ?? pg.firstDeferredPfn;

/** The classifier's input, with the kernel's page rounding of each memblock type. */
export function pfnMapInput(m: Machine): PfnMapInput {
  const mb = m.memblock;
  const firstDeferredPfn = new Map<number, number>();
  for (const pg of m.zones?.nodes.values() ?? []) firstDeferredPfn.set(pg.nodeId, deferredFrom(m, pg));
  return {
    memory: (mb?.memory.regions ?? []).map((r) => ({ start: pfnUp(r.base), end: pfnDown(r.base + r.size), nid: r.nid })),
    reserved: (mb?.reserved.regions ?? []).map((r) => ({ start: pfnDown(r.base), end: pfnUp(r.base + r.size) })),
    device: devicePfnRanges(m),
    offline: [],
    firstDeferredPfn,
  };
}

/** Memory hotplug's "System RAM" resources (the DIMMs add_memory() added), in pfns. */
export const hotAddedPfnRanges = (m: Machine): PfnRange[] =>
  (m.hotplug?.resources ?? []).map((r) => ({ start: pfnDown(r.start), end: pfnUp(r.end) }));

/**
 * The paging_init() input with memory hotplug's changes laid over it: hot-added memory, every
 * offline block (a hot-added one whole; a boot one where it has memory, so its holes stay
 * holes), and the self-hosted memmap of an online memmap_on_memory block as reserved.
 * Example: hotplug preset, memory32 onlined → hotAdded [0x100000,0x160000), offline
 * [0x108000,0x160000) (memory33–43).
 */
export function withHotplug(base: PfnMapInput, m: Machine): PfnMapInput {
  const hp = m.hotplug;
  if (!hp) return base;
  const hotAdded = hotAddedPfnRanges(m);
  const isHotAdded = (pfn: number): boolean => hotAdded.some((r) => pfn >= r.start && pfn < r.end);
  const offline: PfnRange[] = [...base.offline];
  const reserved: PfnRange[] = [...base.reserved];
  for (const mem of hp.blocks.all()) {
    const start = hp.blocks.startPfn(mem);
    const end = start + hp.blocks.blockPages;
    if (mem.state === 'offline') {
      if (isHotAdded(start)) offline.push({ start, end });
      else for (const r of base.memory) if (r.start < end && r.end > start) offline.push({ start: Math.max(r.start, start), end: Math.min(r.end, end) });
    } else if (mem.nrVmemmapPages) reserved.push({ start, end: start + mem.nrVmemmapPages });
  }
  return { ...base, offline, reserved, hotAdded };
}

/** The end of the map: max_pfn, node, device and memory block ends, rounded up to a section. */
export function extentPfn(m: Machine): number {
  let end = m.maxPfn;
  for (const pg of m.zones?.nodes.values() ?? []) end = Math.max(end, pg.nodeEndPfn);
  for (const d of devicePfnRanges(m)) end = Math.max(end, d.end);
  for (const r of hotAddedPfnRanges(m)) end = Math.max(end, r.end);
  return roundUp(Math.max(end, 1), PAGES_PER_SECTION);
}

/** memblocks_present(): the sections that hold boot memory; and those memory hotplug added. */
export function machineSections(m: Machine): Set<number> {
  const out: Set<number> = m.memblock ? presentSections(m.memblock) : new Set();
  for (const r of hotAddedPfnRanges(m)) for (let p = r.start; p < r.end; p += PAGES_PER_SECTION) out.add(pfnToSectionNr(p));
  return out;
}

/** Runs of consecutive numbers: [3,4,5,9] → [[3,6],[9,10]]. */
function runsOf(nrs: Iterable<number>): [number, number][] {
  const out: [number, number][] = [];
  for (const n of [...nrs].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && last[1] === n) last[1] = n + 1;
    else out.push([n, n + 1]);
  }
  return out;
}

export interface BlockRun {
  /** Memory block ids [first, end), all on node nid. */
  first: number;
  end: number;
  nid: number;
}

/**
 * The memory blocks (those with a present section), grouped in runs per node: memory hotplug's
 * when the machine has it (hot-added blocks included), else the ones boot memory creates.
 */
export function memoryBlockRuns(m: Machine): BlockRun[] {
  if (m.hotplug) {
    const out: BlockRun[] = [];
    for (const mem of m.hotplug.blocks.all()) {
      const last = out[out.length - 1];
      if (last && last.end === mem.id && last.nid === mem.nid) last.end = mem.id + 1;
      else out.push({ first: mem.id, end: mem.id + 1, nid: mem.nid });
    }
    return out;
  }
  if (!m.memblock) return [];
  const blockPages = memoryBlockPages(m);
  const nidOf = new Map<number, number>();
  for (const r of m.memblock.memory.regions) {
    if (r.size === 0) continue;
    const first = Math.floor(pfnUp(r.base) / blockPages);
    const last = Math.floor((pfnDown(r.base + r.size) - 1) / blockPages);
    for (let b = first; b <= last; b++) if (!nidOf.has(b)) nidOf.set(b, r.nid);
  }
  const out: BlockRun[] = [];
  for (const b of [...nidOf.keys()].sort((x, y) => x - y)) {
    const nid = nidOf.get(b)!;
    const last = out[out.length - 1];
    if (last && last.end === b && last.nid === nid) last.end = b + 1;
    else out.push({ first: b, end: b + 1, nid });
  }
  return out;
}

export function nodeSummaries(m: Machine): NodeSummary[] {
  return [...(m.zones?.nodes.values() ?? [])].map((pg) => ({
    nid: pg.nodeId, startPfn: pg.nodeStartPfn, endPfn: pg.nodeEndPfn, spanned: pg.nodeSpannedPages, present: pg.nodePresentPages,
    firstDeferredPfn: Number.isFinite(deferredFrom(m, pg)) ? deferredFrom(m, pg) : null,
    zones: pg.zones.map((z) => ({
      name: z.name, startPfn: z.zoneStartPfn, endPfn: zoneEndPfn(z), spanned: z.spannedPages, present: z.presentPages,
      managedEstimate: z.managedEstimate, managed: m.memmap && m.buddy ? z.managedPages : null,
    })),
  }));
}

/** Everything the page shows of a booted machine except the bins. */
export function machineSummary(m: Machine, sections: ReadonlySet<number>) {
  const blocks = memoryBlockRuns(m);
  return {
    name: m.name,
    cmdline: m.params.cmdline,
    pageSize: PAGE_SIZE,
    maxPfn: m.maxPfn,
    extentPfn: extentPfn(m),
    nodes: nodeSummaries(m),
    onlineNodes: m.onlineNodes,
    totalPages: m.totalPages ?? null,
    sections: { pages: PAGES_PER_SECTION, count: sections.size, present: runsOf(sections) },
    memoryBlocks: { pages: memoryBlockPages(m), count: blocks.reduce((n, r) => n + r.end - r.first, 0), runs: blocks },
    e820: (m.e820?.table.entries ?? []).map((e) => ({ addr: e.addr, size: e.size, type: e.type, label: e820TypeLabel(e.type) })),
    memblock: {
      memory: (m.memblock?.memory.regions ?? []).filter((r) => r.size > 0),
      reserved: (m.memblock?.reserved.regions ?? []).filter((r) => r.size > 0),
    },
    printk: m.printk.lines.map((l) => l.text),
    // With struct pages, /proc/zoneinfo as `cat` reads it: managed pages too, hotplug counted.
    zoneinfo: m.memmap && m.buddy ? procText(m, 'zoneinfo') : emitZoneinfo(zoneinfoOf(m)).join('\n') + '\n',
    ...(m.hotplug ? { hotplug: { blockPages: m.hotplug.blocks.blockPages, blocks: m.hotplug.blocks.all().length, actions: hotplugActions(m) } } : {}),
  };
}

/** Blocks can be onlined and offlined: memory hotplug over real struct pages (not a replay's plan). */
export const hotplugActions = (m: Machine): boolean => !!m.hotplug && !!m.memmap && !!m.buddy;

/** A memory block as its sysfs directory shows it. */
export function blockInfo(m: Machine, mem: MemoryBlock): BlockInfo {
  const hp = m.hotplug!;
  const startPfn = hp.blocks.startPfn(mem);
  const vz = sysfsRead(m, `${MEMORY_DIR}/memory${mem.id}/valid_zones`);
  return {
    id: mem.id, state: mem.state, zone: mem.state === 'online' && mem.zid !== undefined ? ZONE_NAMES[mem.zid]! : null, nid: mem.nid,
    validZones: vz.ok ? vz.text.trim() : '-', startPfn, pages: hp.blocks.blockPages,
    hotAdded: hotAddedPfnRanges(m).some((r) => startPfn >= r.start && startPfn < r.end),
  };
}

/** What is at one pfn: node and zone span, section, memory block, state, e820 type. */
export function pfnInfo(m: Machine, segs: readonly StateSegment[], sections: ReadonlySet<number>, pfn: number): PfnInfoResponse {
  const phys = pfn * PAGE_SIZE;
  let nid: number | null = null;
  let zone: string | null = null;
  for (const pg of m.zones?.nodes.values() ?? []) {
    if (pfn < pg.nodeStartPfn || pfn >= pg.nodeEndPfn) continue;
    nid = pg.nodeId;
    zone = pg.zones.find((z) => z.spannedPages > 0 && pfn >= z.zoneStartPfn && pfn < zoneEndPfn(z))?.name ?? null;
    break;
  }
  const section = pfnToSectionNr(pfn);
  const e = m.e820?.table.entries.find((x) => phys >= x.addr && phys < x.addr + x.size);
  const mem = m.hotplug?.blocks.get(Math.floor(pfn / m.hotplug.blocks.blockPages));
  return {
    pfn, phys, nid, zone, section,
    sectionPresent: sections.has(section),
    block: Math.floor(pfn / memoryBlockPages(m)),
    state: pfnStateAt(segs, pfn),
    e820: e ? e820TypeLabel(e.type) : null,
    ...structPageAt(m, pfn),
    ...(mem ? { memoryBlock: blockInfo(m, mem) } : {}),
  };
}

/** The struct page at a pfn, decoded like `meminit page`, or why there is none. */
export function structPageAt(m: Machine, pfn: number): { page: StructPage | null; pageError?: string } {
  if (!m.memmap) return { page: null, pageError: 'this machine has no struct pages here (a replayed log, or a memmap over the server\'s budget)' };
  try {
    const d = dumpPage(m.memmap, pfn);
    return { page: { ...d, text: formatPageDump(d) } };
  } catch (e) {
    if (e instanceof PageDumpError) return { page: null, pageError: e.message };
    throw e;
  }
}
