// Node and zone sizing as free_area_init() does it (mm/page_alloc.c, 6.1): zone boundaries
// from the arch limits, ZONE_MOVABLE placement, then spanned/present/absent pages and the
// memmap estimate per zone. Touches no struct page.
import {
  MAX_DMA32_PFN, MAX_DMA_PFN, MAX_NR_ZONES, MAX_NUMNODES, STRUCT_PAGE_SIZE, ZONE_NAMES, ZoneType,
} from '../include/mmzone.js';
import { PAGE_SIZE, pfnPhys } from '../include/pfn.js';
import type { Printk } from '../kernel/printk.js';
import * as F from '../trace/formats/zone.js';
import type { Memblock } from './memblock.js';
import { forEachMemPfnRange, memblockStartOfDram } from './memblock.js';
import { findZoneMovablePfnsForNodes, type CoreParams } from './zone-movable.js';
import { absentPagesInRange, getPfnRangeForNid } from './node-ranges.js';

export { getPfnRangeForNid };

export interface Zone {
  type: ZoneType;
  name: string;
  zoneStartPfn: number;
  spannedPages: number;
  presentPages: number;
  /** zone_init_internals(): the managed-pages estimate before memblock_free_all (present - memmap - dma_reserve). */
  managedEstimate: number;
  /** zone->managed_pages: the estimate until memblock_free_all() resets it and counts real frees. */
  managedPages: number;
  /** calc_memmap_size() for this zone. */
  memmapPages: number;
}

export interface PgData {
  nodeId: number;
  nodeStartPfn: number;
  /** pgdat_end_pfn(). */
  nodeEndPfn: number;
  nodeSpannedPages: number;
  nodePresentPages: number;
  zones: Zone[];
  /** first_deferred_pfn: where deferred struct page init starts (Infinity when nothing is deferred). */
  firstDeferredPfn: number;
}

export interface ZoneLayout {
  archZoneLowestPossiblePfn: number[];
  archZoneHighestPossiblePfn: number[];
  zoneMovablePfn: Map<number, number>;
  /** movable_zone: the zone ZONE_MOVABLE takes its pages from. */
  movableZone: ZoneType;
  nodes: Map<number, PgData>;
}

export const zoneEndPfn = (z: Zone): number => z.zoneStartPfn + z.spannedPages;
export const populatedZone = (z: Zone): boolean => z.presentPages !== 0;

/** zone_sizes_init() on x86_64: DMA below 16 MiB, DMA32 below 4 GiB, Normal up to max_low_pfn. */
export function x86MaxZonePfns(maxLowPfn: number): number[] {
  const m = new Array<number>(MAX_NR_ZONES).fill(0);
  m[ZoneType.DMA] = Math.min(MAX_DMA_PFN, maxLowPfn);
  m[ZoneType.DMA32] = Math.min(MAX_DMA32_PFN, maxLowPfn);
  m[ZoneType.NORMAL] = maxLowPfn;
  return m;
}


const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/** adjust_zone_range_for_zone_movable(). */
function adjustForZoneMovable(
  lay: ZoneLayout, nid: number, zt: number, nodeEnd: number, mirrored: boolean, range: [number, number],
): void {
  const movable = lay.zoneMovablePfn.get(nid) ?? 0;
  if (!movable) return;
  if (zt === ZoneType.MOVABLE) {
    range[0] = movable;
    range[1] = Math.min(nodeEnd, lay.archZoneHighestPossiblePfn[lay.movableZone]!);
  } else if (!mirrored && range[0] < movable && range[1] > movable) {
    range[1] = movable;
  } else if (range[0] >= movable) {
    range[0] = range[1];
  }
}

/** zone_spanned_pages_in_node() + zone_absent_pages_in_node(), for one zone. */
function sizeZone(
  mb: Memblock, lay: ZoneLayout, nid: number, zt: number, nodeStart: number, nodeEnd: number, mirrored: boolean,
): { start: number; spanned: number; absent: number } {
  if (!nodeStart && !nodeEnd) return { start: 0, spanned: 0, absent: 0 };
  const lo = lay.archZoneLowestPossiblePfn[zt]!;
  const hi = lay.archZoneHighestPossiblePfn[zt]!;
  const r: [number, number] = [clamp(nodeStart, lo, hi), clamp(nodeEnd, lo, hi)];
  adjustForZoneMovable(lay, nid, zt, nodeEnd, mirrored, r);
  const absent = absentPagesInRange(mb, nid, r[0], r[1]) + mirrorAbsent(mb, lay, nid, zt, r, mirrored);
  if (r[1] < nodeStart || r[0] > nodeEnd) return { start: r[0], spanned: 0, absent };
  const end = Math.min(r[1], nodeEnd);
  const start = Math.max(r[0], nodeStart);
  return { start, spanned: end - start, absent };
}

/** kernelcore=mirror: non-mirrored memory counts as absent in Normal, mirrored as absent in Movable. */
function mirrorAbsent(mb: Memblock, lay: ZoneLayout, nid: number, zt: number, r: [number, number], mirrored: boolean): number {
  if (!mirrored || !lay.zoneMovablePfn.get(nid)) return 0;
  let n = 0;
  for (const reg of mb.memory.regions) {
    const s = clamp(Math.ceil(reg.base / PAGE_SIZE), r[0], r[1]);
    const e = clamp(Math.floor((reg.base + reg.size) / PAGE_SIZE), r[0], r[1]);
    const isMirror = (reg.flags & 0x2) !== 0;
    if (zt === ZoneType.MOVABLE && isMirror) n += e - s;
    if (zt === ZoneType.NORMAL && !isMirror) n += e - s;
  }
  return n;
}

/** calc_memmap_size(): memmap pages a zone costs; present pages when holes are large (SPARSEMEM). */
export function calcMemmapSize(spanned: number, present: number): number {
  const pages = spanned > present + Math.floor(present / 16) ? present : spanned;
  return Math.ceil((pages * STRUCT_PAGE_SIZE) / PAGE_SIZE);
}

export interface FreeAreaInitInput {
  mb: Memblock;
  maxZonePfn: number[];
  /** node_possible_map, ascending; online nodes are those with NODE_DATA. */
  possible: number[];
  online: Set<number>;
  core: CoreParams;
  /** dma_reserve from memblock_find_dma_reserve(). */
  dmaReserve: number;
  printk: Printk;
}

/** free_area_init() up to (not including) memmap_init(): zone limits, movable zone, node sizing, lines. */
export function freeAreaInit(inp: FreeAreaInitInput): ZoneLayout {
  const { mb, printk } = inp;
  const lowest = new Array<number>(MAX_NR_ZONES).fill(0);
  const highest = new Array<number>(MAX_NR_ZONES).fill(0);
  let startPfn = Math.floor(memblockStartOfDram(mb) / PAGE_SIZE);
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    if (z === ZoneType.MOVABLE) continue;
    const endPfn = Math.max(inp.maxZonePfn[z] ?? 0, startPfn);
    lowest[z] = startPfn;
    highest[z] = endPfn;
    startPfn = endPfn;
  }
  const mov = findZoneMovablePfnsForNodes(mb, lowest, highest, inp.core);
  const lay: ZoneLayout = {
    archZoneLowestPossiblePfn: lowest, archZoneHighestPossiblePfn: highest,
    zoneMovablePfn: mov.zoneMovablePfn, movableZone: mov.movableZone, nodes: new Map(),
  };
  printk.emit(F.zoneRangesHeader, true);
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    if (z === ZoneType.MOVABLE) continue;
    printk.emit(F.zoneRange, { zone: ZONE_NAMES[z]!, start: pfnPhys(lowest[z]!), end: pfnPhys(highest[z]!) });
  }
  printk.emit(F.movableStartHeader, true);
  for (const [nid, pfn] of [...lay.zoneMovablePfn].sort((a, b) => a[0] - b[0])) {
    if (pfn) printk.emit(F.movableStart, { nid, start: pfnPhys(pfn) });
  }
  printk.emit(F.earlyRangesHeader, true);
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    printk.emit(F.earlyRange, { nid: r.nid, start: pfnPhys(r.startPfn), end: pfnPhys(r.endPfn) });
  }
  for (const nid of inp.possible) {
    if (!inp.online.has(nid)) printk.emit(F.initializingMemoryless, { nid });
    lay.nodes.set(nid, freeAreaInitNode(inp, lay, nid));
  }
  return lay;
}

/** free_area_init_node(): the node's pfn range, then calculate_node_totalpages() and free_area_init_core(). */
function freeAreaInitNode(inp: FreeAreaInitInput, lay: ZoneLayout, nid: number): PgData {
  const [start, end] = getPfnRangeForNid(inp.mb, nid);
  inp.printk.emit(F.initmemSetup, { nid, start: pfnPhys(start), end: pfnPhys(end) });
  const pg: PgData = {
    nodeId: nid, nodeStartPfn: start, nodeEndPfn: start, nodeSpannedPages: 0, nodePresentPages: 0,
    zones: [], firstDeferredPfn: Infinity,
  };
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    const s = sizeZone(inp.mb, lay, nid, z, start, end, inp.core.mirroredKernelcore);
    const present = s.spanned - s.absent;
    const memmap = calcMemmapSize(s.spanned, present);
    let free = present;
    if (free >= memmap) free -= memmap;
    if (z === 0 && free > inp.dmaReserve) free -= inp.dmaReserve;
    pg.zones.push({
      type: z as ZoneType, name: ZONE_NAMES[z]!, zoneStartPfn: s.spanned ? s.start : 0,
      spannedPages: s.spanned, presentPages: present, managedEstimate: free, managedPages: free, memmapPages: memmap,
    });
    pg.nodeSpannedPages += s.spanned;
    pg.nodePresentPages += present;
  }
  pg.nodeEndPfn = pg.nodeStartPfn + pg.nodeSpannedPages;
  return pg;
}

/** memblock_find_dma_reserve(): memory below 16 MiB that is not free (x86_64). */
export function memblockFindDmaReserve(mb: Memblock, freeRanges: Iterable<{ start: number; end: number }>): number {
  let pages = 0;
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    pages += Math.min(r.endPfn, MAX_DMA_PFN) - Math.min(r.startPfn, MAX_DMA_PFN);
  }
  let free = 0;
  for (const r of freeRanges) {
    const s = Math.min(Math.ceil(r.start / PAGE_SIZE), MAX_DMA_PFN);
    const e = Math.min(Math.floor(r.end / PAGE_SIZE), MAX_DMA_PFN);
    if (s < e) free += e - s;
  }
  return pages - free;
}
