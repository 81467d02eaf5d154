// The one memmap init core of 6.1 (mm/page_alloc.c memmap_init_range) with its context as a
// parameter: early boot runs the two checks only boot memory needs (overlap_memmap_init and
// defer_init, behind earlyInitLimit()), hotplug marks every page reserved; both give
// pageblock-aligned pfns their migratetype. init_unavailable_range() shares the per-page step.
//
// The kernel decides per pfn; this walks runs of pfns over which neither early check can change
// its answer, so a 1 GiB zone costs a few calls instead of 262144 (the answers are the same:
// defer_init()'s count and split are computed in closed form, overlap stops at region edges).
import { MemblockFlag } from '../include/memblock.js';
import { PAGEBLOCK_NR_PAGES, PAGES_PER_SECTION, pfnToSectionNr, ZoneType } from '../include/mmzone.js';
import { pfnDown, pfnUp, roundUp } from '../include/pfn.js';
import type { Memblock } from './memblock.js';
import { PAGE_WORDS, pageWord, setPageReserved } from './page.js';
import { initSinglePageRange } from './page-init.js';
import { setPageblockMigratetype } from './pageblock.js';
import { pfnValid, sectionMemmap, type Memmap } from './sparse.js';
import type { ZoneLayout } from './zone.js';

/** enum meminit_context. */
export type MeminitContext = 'early' | 'hotplug';

/** struct vmem_altmap: device memory that holds its own memmap at its start. */
export interface VmemAltmap {
  basePfn: number;
  /** Pages at the start reserved by the driver, not for the memmap. */
  reserve: number;
  /** Pages available for the memmap. */
  free: number;
}

/** The function statics of defer_init() and overlap_memmap_init(): they persist across calls. */
export interface EarlyInitState {
  /** defer_init(): the zone end of the previous call (its count restarts when the zone changes). */
  prevEndPfn: number;
  /** defer_init(): pfns of this zone counted so far. */
  nrInitialised: number;
  /** overlap_memmap_init(): index of the cached memory region, -1 before the first lookup. */
  overlapRegion: number;
}

export interface MemmapInitContext {
  mb: Memblock;
  zones: ZoneLayout;
  /** The struct pages; undefined plans the walk only (zone sizing, replay) and writes nothing. */
  memmap: Memmap | undefined;
  /** Sections holding memory: pfn_valid() when there is no memmap to ask. */
  presentSections: ReadonlySet<number>;
  /** page_group_by_mobility_disabled: 0 during early boot, build_all_zonelists() sets it later. */
  groupByMobilityDisabled: boolean;
  early: EarlyInitState;
  /**
   * Hot-added pages get PG_reserved until their first free (6.1); false models the seed thread's
   * proposal to drop it (--hotplug-reserved=drop). ZONE_DEVICE pages stay reserved either way.
   */
  hotplugReserved?: boolean;
}

export const earlyInitState = (): EarlyInitState => ({ prevEndPfn: 0, nrInitialised: 0, overlapRegion: -1 });

/** pfn_valid() through the memmap, or through the present sections when planning. */
export const memmapPfnValid = (ctx: MemmapInitContext, pfn: number): boolean =>
  ctx.memmap ? pfnValid(ctx.memmap, pfn) : ctx.presentSections.has(pfnToSectionNr(pfn));

/**
 * mirrors defer_init() over the pfns [start, end) of a zone ending at zoneEnd: returns the pfn at
 * which initialisation stops (end when nothing is deferred), setting the node's first_deferred_pfn.
 * Low zones are always initialised; the node's last zone gets one section's worth of pages, then
 * the next section boundary defers the rest ("zone from 0x1000, 0x8000 pages counted at 0x9000 → 0x10000").
 */
function deferInit(ctx: MemmapInitContext, nid: number, start: number, end: number, zoneEnd: number): number {
  const st = ctx.early;
  const pg = ctx.zones.nodes.get(nid)!;
  if (st.prevEndPfn !== zoneEnd) {
    st.prevEndPfn = zoneEnd;
    st.nrInitialised = 0;
  }
  if (zoneEnd < pg.nodeEndPfn) return end;
  if (pg.firstDeferredPfn !== Infinity) return start;
  // The kernel counts each pfn before testing it: the first pfn past one section's worth, then
  // the first section boundary at or after it.
  const split = roundUp(start + Math.max(PAGES_PER_SECTION - st.nrInitialised, 0), PAGES_PER_SECTION);
  if (split < end) {
    st.nrInitialised += split - start + 1;
    pg.firstDeferredPfn = split;
    return split;
  }
  st.nrInitialised += end - start;
  return end;
}

/**
 * mirrors overlap_memmap_init(): with kernelcore=mirror, ZONE_MOVABLE skips mirrored memory (it
 * belongs to the kernel zones). Returns the pfn to skip to, or the end of the run over which the
 * answer stays "do not skip" (a memory region edge).
 */
function overlapMemmapInit(ctx: MemmapInitContext, zone: number, pfn: number, end: number): { skipTo?: number; end: number } {
  if (!ctx.mb.mirroredKernelcore || zone !== ZoneType.MOVABLE) return { end };
  const regions = ctx.mb.memory.regions;
  const endPfnOf = (i: number): number => pfnDown(regions[i]!.base + regions[i]!.size);
  let i = ctx.early.overlapRegion;
  if (i < 0 || pfn >= endPfnOf(i)) {
    for (i = 0; i < regions.length && pfn >= endPfnOf(i); i++);
    ctx.early.overlapRegion = i;
  }
  const r = regions[i];
  if (!r) return { end };
  const base = pfnUp(r.base);
  if (pfn >= base && r.flags & MemblockFlag.MIRROR) return { skipTo: endPfnOf(i), end };
  return { end: Math.min(end, pfn >= base ? endPfnOf(i) : base) };
}

/**
 * The MEMINIT_EARLY checks of memmap_init_range() for the run starting at pfn: skip mirrored
 * memory in ZONE_MOVABLE, stop at the node's deferred split. `deferred` says the loop breaks at `end`.
 */
export function earlyInitLimit(
  ctx: MemmapInitContext, nid: number, zone: number, pfn: number, end: number, zoneEnd: number,
): { skipTo?: number; end: number; deferred: boolean } {
  const o = overlapMemmapInit(ctx, zone, pfn, end);
  if (o.skipTo !== undefined) return { skipTo: o.skipTo, end: o.end, deferred: false };
  const stop = deferInit(ctx, nid, pfn, o.end, zoneEnd);
  return { end: stop, deferred: stop < o.end };
}

/** __init_single_page() over [start, end), PG_reserved on each when `reserved`. */
function initPages(memmap: Memmap, start: number, end: number, zone: number, nid: number, reserved: boolean): void {
  initSinglePageRange(memmap, start, end, zone, nid);
  if (!reserved) return;
  for (let pfn = start; pfn < end; ) {
    const next = Math.min(end, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
    const mm = sectionMemmap(memmap, pfn);
    for (let w = pageWord(pfn), e = w + (next - pfn) * PAGE_WORDS; w < e; w += PAGE_WORDS) setPageReserved(mm, w);
    pfn = next;
  }
}

/**
 * mirrors memmap_init_range(): initialise the struct pages of [startPfn, startPfn + size) in zone
 * `zone` of node `nid`, reserved when hot-added, and set the migratetype of every pageblock whose
 * first pfn is among them. ZONE_DEVICE ranges honour the driver's altmap (only the pages holding
 * the memmap are initialised here). Returns where it stopped: the end, or the node's first
 * deferred pfn when early init defers the rest.
 */
export function memmapInitRange(
  ctx: MemmapInitContext, size: number, nid: number, zone: number, startPfn: number, zoneEndPfn: number,
  context: MeminitContext, altmap: VmemAltmap | undefined, migratetype: number,
): number {
  let pfn = startPfn;
  let end = startPfn + size;
  if (zone === ZoneType.DEVICE) {
    if (!altmap) return pfn;
    if (pfn === altmap.basePfn) pfn += altmap.reserve;
    end = altmap.basePfn + altmap.reserve + altmap.free;
  }
  while (pfn < end) {
    let runEnd = end;
    let deferred = false;
    if (context === 'early') {
      const lim = earlyInitLimit(ctx, nid, zone, pfn, end, zoneEndPfn);
      if (lim.skipTo !== undefined) {
        pfn = lim.skipTo;
        continue;
      }
      runEnd = lim.end;
      deferred = lim.deferred;
    }
    if (ctx.memmap && runEnd > pfn) {
      initPages(ctx.memmap, pfn, runEnd, zone, nid, context === 'hotplug' && (zone === ZoneType.DEVICE || (ctx.hotplugReserved ?? true)));
      const first = roundUp(pfn, PAGEBLOCK_NR_PAGES);
      for (let p = first; p < runEnd; p += PAGEBLOCK_NR_PAGES) {
        setPageblockMigratetype(ctx.memmap, p, migratetype, ctx.groupByMobilityDisabled);
      }
    }
    pfn = runEnd;
    if (deferred) break;
  }
  return Math.min(pfn, end);
}

/**
 * mirrors init_unavailable_range(): every pfn of [spfn, epfn) whose pageblock starts in a valid
 * section gets a reserved struct page of (zone, node); returns how many (the caller prints them).
 */
export function initUnavailableRange(ctx: MemmapInitContext, spfn: number, epfn: number, zone: number, nid: number): number {
  let pgcnt = 0;
  for (let pfn = spfn; pfn < epfn; ) {
    const blockStart = pfn - (pfn % PAGEBLOCK_NR_PAGES);
    const next = Math.min(blockStart + PAGEBLOCK_NR_PAGES, epfn);
    if (memmapPfnValid(ctx, blockStart)) {
      if (ctx.memmap) initPages(ctx.memmap, pfn, next, zone, nid, true);
      pgcnt += next - pfn;
    }
    pfn = next;
  }
  return pgcnt;
}

/** memmap_init_zone_device() and vmem_altmap_offset(): see memmap-init-zone-device.ts. */
export { memmapInitZoneDevice, vmemAltmapOffset } from './memmap-init-zone-device.js';
