// Deferred struct page init of Linux 6.1 (mm/page_alloc.c, CONFIG_DEFERRED_STRUCT_PAGE_INIT):
// the zone range iterator, per-page init and pageblock frees, the MAX_ORDER step, the padata
// chunk body, and deferred_grow_zone(). Platform-free: it touches struct pages and hands frees to
// a BuddyFreeTarget; who runs it (inline, or worker threads) is deferred-run.ts's and src/node's.
//
// Only the highest zone of a node is ever deferred, and always from a section boundary, so one
// zone and its free ranges describe all the work of a node.
import { MAX_ORDER, MAX_ORDER_NR_PAGES, MigrateType, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PAGES_PER_SECTION } from '../include/mmzone.js';
import { FlagsHi, FlagsLo, PageType } from '../include/page-flags.js';
import { roundUp } from '../include/pfn.js';
import { forEachFreeMemPfnRangeInZone, type PfnRange } from './memblock-iter.js';
import type { Memblock } from './memblock-type.js';
import { initSinglePages, PAGE_WORDS, pageLinksHi, PageWord, pageWord, setBuddyOrder, vmemmapHi, vmemmapLo } from './page.js';
import { FREE_CORE_KEEP_LO, freeCorePagesJs, freePagesCore, freePagesPrepareHead, type BuddyFreeTarget } from './page-free-core.js';
import { initSinglePageRange } from './page-init.js';
import { getPageblockMigratetype, setPageblockMigratetype, setPageblockMigratetypeRange } from './pageblock.js';
import { earlySection, pfnToSection, pfnValid, validSection, type Memmap } from './sparse.js';
import { sectionKernel } from './wasm/page-kernel.js';
import { zoneEndPfn, type PgData, type ZoneLayout } from './zone.js';

/** The deferred zone of a node: where it is, and the free ranges its iterator walks. Cloneable. */
export interface DeferredZone {
  nid: number;
  zid: number;
  zoneStartPfn: number;
  zoneEndPfn: number;
  /** for_each_free_mem_pfn_range_in_zone(): free memblock ranges of the node clipped to the zone. */
  ranges: PfnRange[];
}

/** The u64 iterator of the _from() walks and its outputs: range i is [spfn, epfn). Exhausted: i = ranges.length, spfn = Infinity, epfn = 0. */
export interface ZoneRangeCursor {
  i: number;
  spfn: number;
  epfn: number;
}

/** What deferred init writes: struct pages and pageblock bits, managed_pages (via zones), and freed blocks. */
export interface DeferredContext {
  memmap: Memmap;
  zones: ZoneLayout;
  buddy: BuddyFreeTarget;
  /** page_group_by_mobility_disabled as build_all_zonelists() left it. */
  groupByMobilityDisabled: boolean;
}

/** The zone's free ranges, read once: memblock does not change while deferred init runs. */
export function deferredZone(mb: Memblock, pg: PgData, zid: number): DeferredZone {
  const z = pg.zones[zid]!;
  const start = z.zoneStartPfn;
  const end = zoneEndPfn(z);
  return { nid: pg.nodeId, zid, zoneStartPfn: start, zoneEndPfn: end, ranges: [...forEachFreeMemPfnRangeInZone(mb, start, end, pg.nodeId)] };
}

/** __next_mem_pfn_range_in_zone(): step the cursor to range i (or past the last one). */
export function zoneRangeAt(z: DeferredZone, cur: ZoneRangeCursor, i: number): void {
  const r = z.ranges[i];
  cur.i = r ? i : z.ranges.length;
  cur.spfn = r ? r.startPfn : Infinity;
  cur.epfn = r ? r.endPfn : 0;
}

/**
 * mirrors deferred_init_mem_pfn_range_in_zone(): position the cursor on the first free range
 * ending past firstInitPfn, its start raised to firstInitPfn; false (cursor exhausted) if none.
 */
export function deferredInitMemPfnRangeInZone(z: DeferredZone, cur: ZoneRangeCursor, firstInitPfn: number): boolean {
  for (let i = 0; i < z.ranges.length; i++) {
    const r = z.ranges[i]!;
    if (r.endPfn <= firstInitPfn) continue;
    cur.i = i;
    cur.spfn = Math.max(r.startPfn, firstInitPfn);
    cur.epfn = r.endPfn;
    return true;
  }
  zoneRangeAt(z, cur, z.ranges.length);
  return false;
}

/** deferred_pfn_valid(): only a pageblock's first pfn is checked ("0x8200 in a missing section → false; 0x8201 → true"). */
export const deferredPfnValid = (memmap: Memmap, pfn: number): boolean => pfn % PAGEBLOCK_NR_PAGES !== 0 || pfnValid(memmap, pfn);

/**
 * mirrors deferred_init_pages(): __init_single_page() on each pfn of [pfn, end) that
 * deferred_pfn_valid() accepts, in runs; returns how many. (A pageblock whose first pfn is
 * invalid loses only that pfn, as in the kernel: free ranges never reach such blocks.)
 */
export function deferredInitPages(ctx: DeferredContext, z: DeferredZone, pfn: number, end: number): number {
  let runStart = pfn;
  let nr = 0;
  for (let p = roundUp(pfn, PAGEBLOCK_NR_PAGES); p < end; p += PAGEBLOCK_NR_PAGES) {
    if (pfnValid(ctx.memmap, p)) continue;
    if (p > runStart) initSinglePageRange(ctx.memmap, runStart, p, z.zid, z.nid);
    nr += p - runStart;
    runStart = p + 1;
  }
  if (end > runStart) {
    initSinglePageRange(ctx.memmap, runStart, end, z.zid, z.nid);
    nr += end - runStart;
  }
  return nr;
}

/**
 * mirrors deferred_free_range(): a whole aligned pageblock goes to __free_pages_core() at
 * pageblock_order, anything less page by page; either way each pageblock start becomes Movable.
 */
export function deferredFreeRange(ctx: DeferredContext, pfn: number, nr: number): void {
  if (!nr) return;
  if (nr === PAGEBLOCK_NR_PAGES && pfn % PAGEBLOCK_NR_PAGES === 0) {
    setPageblockMigratetype(ctx.memmap, pfn, MigrateType.MOVABLE, ctx.groupByMobilityDisabled);
    freePagesCore(ctx.buddy, ctx, pfn, PAGEBLOCK_ORDER);
    return;
  }
  for (let p = pfn; p < pfn + nr; p++) {
    if (p % PAGEBLOCK_NR_PAGES === 0) setPageblockMigratetype(ctx.memmap, p, MigrateType.MOVABLE, ctx.groupByMobilityDisabled);
    freePagesCore(ctx.buddy, ctx, p, 0);
  }
}

/**
 * mirrors deferred_free_pages(): free [pfn, end) in pageblock pieces — the kernel's per-pfn
 * counter flushes at every pageblock start and restarts after an invalid one, so the pieces are
 * the range cut at pageblock boundaries ("[0x8100, 0x8500) → 0x8100+256, 0x8200+512, 0x8400+256").
 */
export function deferredFreePages(ctx: DeferredContext, pfn: number, end: number): void {
  for (let p = pfn; p < end; ) {
    const next = Math.min(p - (p % PAGEBLOCK_NR_PAGES) + PAGEBLOCK_NR_PAGES, end);
    const skip = p % PAGEBLOCK_NR_PAGES === 0 && !pfnValid(ctx.memmap, p) ? 1 : 0;
    deferredFreeRange(ctx, p + skip, next - p - skip);
    p = next;
  }
}

/**
 * mirrors deferred_init_maxorder(): initialise, then free, the free pages from the cursor up to
 * the next MAX_ORDER boundary, so a block's buddies are initialised before __free_one_page()
 * looks at them and the struct pages are still in cache for the second pass. Leaves the cursor
 * at the boundary (or on the next range); returns the pages initialised.
 */
export function deferredInitMaxorder(ctx: DeferredContext, z: DeferredZone, cur: ZoneRangeCursor): number {
  const mo = roundUp(cur.spfn + 1, MAX_ORDER_NR_PAGES);
  const { i: i0, spfn: s0, epfn: e0 } = cur;
  let nr = 0;
  while (cur.i < z.ranges.length) {
    if (mo <= cur.spfn) break;
    nr += deferredInitPages(ctx, z, cur.spfn, Math.min(mo, cur.epfn));
    if (mo < cur.epfn) {
      cur.spfn = mo;
      break;
    }
    zoneRangeAt(z, cur, cur.i + 1);
  }
  const f: ZoneRangeCursor = { i: i0, spfn: s0, epfn: e0 };
  while (f.i < z.ranges.length) {
    if (mo <= f.spfn) break;
    deferredFreePages(ctx, f.spfn, Math.min(mo, f.epfn));
    if (mo <= f.epfn) break;
    zoneRangeAt(z, f, f.i + 1);
  }
  return nr;
}

/**
 * deferred_init_maxorder() steps over whole MAX_ORDER blocks, taken together: from a cursor on a
 * MAX_ORDER boundary, every whole block its free range holds before the section ends (all
 * pageblocks valid), each initialised and then freed as one step of the kernel's loop would —
 * pageblock types, __free_pages_core() of both pageblocks, their merge into one MAX_ORDER - 1
 * buddy — by the page kernel's maxorderBlocks() or its JS twin, and handed to the buddy
 * allocator as one run. The run gives the bytes and free lists of the block-by-block walk;
 * it only saves the per-block calls. 0 (cursor untouched) when the cursor is not at such a block.
 */
export function deferredInitMaxorderBlocks(ctx: DeferredContext, z: DeferredZone, cur: ZoneRangeCursor): number {
  const pfn = cur.spfn;
  if (pfn % MAX_ORDER_NR_PAGES !== 0) return 0;
  const end = Math.min(cur.epfn, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
  const n = Math.floor((end - pfn) / MAX_ORDER_NR_PAGES);
  const pages = n * MAX_ORDER_NR_PAGES;
  if (!n) return 0;
  const ms = pfnToSection(ctx.memmap, pfn)!;
  // An early section is valid throughout; a hot-added one only where its subsections are.
  if (!validSection(ms)) return 0;
  if (!earlySection(ms)) for (let p = pfn; p < pfn + pages; p += PAGEBLOCK_NR_PAGES) if (!pfnValid(ctx.memmap, p)) return 0;
  setPageblockMigratetypeRange(ctx.memmap, pfn, pages, MigrateType.MOVABLE, ctx.groupByMobilityDisabled);
  const mm = ms.memmap!;
  const w = pageWord(pfn);
  const k = sectionKernel(ctx.memmap.arenas, ms);
  if (k) {
    k.maxorderBlocks(
      mm.byteOffset + w * 4, n, FlagsLo.LAST_CPUPID_BITS, pageLinksHi(z.zid, z.nid), vmemmapLo(pfn) + 8, vmemmapHi(pfn),
      FREE_CORE_KEEP_LO, FlagsLo.LAST_CPUPID_BITS, FlagsHi.LAST_CPUPID_BITS, ~FlagsLo.CHECK_AT_PREP, PageType.buddy,
    );
  } else {
    maxorderBlocksJs(mm, w, pfn, n, z.zid, z.nid);
  }
  const count = ms.initCount;
  if (count) for (let i = pfn % PAGES_PER_SECTION, e = i + pages; i < e; i++) count[i]!++;
  ctx.zones.nodes.get(z.nid)!.zones[z.zid]!.managedPages += pages;
  ctx.buddy.freeMaxOrderRun(pfn, n, z.nid, z.zid, getPageblockMigratetype(ctx.memmap, pfn));
  if (pfn + pages < cur.epfn) cur.spfn = pfn + pages;
  else zoneRangeAt(z, cur, cur.i + 1);
  return pages;
}

/** The page kernel's maxorderBlocks() in JS (memmaps outside wasm arenas): the same bytes. */
function maxorderBlocksJs(mm: Uint32Array, w: number, pfn: number, n: number, zid: number, nid: number): void {
  const blockWords = MAX_ORDER_NR_PAGES * PAGE_WORDS;
  for (let b = 0; b < n; b++) {
    const o = w + b * blockWords;
    initSinglePages(mm, o, pfn + b * MAX_ORDER_NR_PAGES, MAX_ORDER_NR_PAGES, zid, nid);
    for (let h = o; h < o + blockWords; h += PAGEBLOCK_NR_PAGES * PAGE_WORDS) {
      freeCorePagesJs(mm, h, PAGEBLOCK_NR_PAGES, FREE_CORE_KEEP_LO);
      freePagesPrepareHead(mm, h);
    }
    setBuddyOrder(mm, o, MAX_ORDER - 1);
    if (b > 0) mm[o + PageWord.LRU_PREV] = mm[o + PageWord.LRU_PREV]! - blockWords * 4;
    if (b + 1 < n) mm[o + PageWord.LRU_NEXT] = mm[o + PageWord.LRU_NEXT]! + blockWords * 4;
  }
}

/** One turn of the loops around deferred_init_maxorder(): a run of whole blocks if the cursor is at one, else one step. */
export const deferredInitMaxorderStep = (ctx: DeferredContext, z: DeferredZone, cur: ZoneRangeCursor): number =>
  deferredInitMaxorderBlocks(ctx, z, cur) || deferredInitMaxorder(ctx, z, cur);

/** mirrors deferred_init_memmap_chunk(): the padata thread function over [start, end) of the zone. */
export function deferredInitMemmapChunk(ctx: DeferredContext, z: DeferredZone, start: number, end: number): number {
  const cur: ZoneRangeCursor = { i: 0, spfn: 0, epfn: 0 };
  deferredInitMemPfnRangeInZone(z, cur, start);
  let nr = 0;
  while (cur.spfn < end) nr += deferredInitMaxorderStep(ctx, z, cur);
  return nr;
}

/**
 * mirrors deferred_grow_zone(): an allocation of `order` found zone `zid` of `pg` short while its
 * node is still deferred; initialise and free whole sections, MAX_ORDER at a time, until at least
 * 2^order pages (rounded up to a section) are in, and move first_deferred_pfn past them. True
 * when the zone grew (or was finished meanwhile); only the node's last zone can grow.
 */
export function deferredGrowZone(ctx: DeferredContext, mb: Memblock, pg: PgData, zid: number, order: number): boolean {
  const needed = roundUp(2 ** order, PAGES_PER_SECTION);
  let first = pg.firstDeferredPfn;
  const zone = pg.zones[zid]!;
  if (zoneEndPfn(zone) !== pg.nodeEndPfn) return false;
  const z = deferredZone(mb, pg, zid);
  const cur: ZoneRangeCursor = { i: 0, spfn: 0, epfn: 0 };
  if (!deferredInitMemPfnRangeInZone(z, cur, first)) {
    pg.firstDeferredPfn = Infinity;
    return Number.isFinite(first);
  }
  let nr = 0;
  while (cur.spfn < cur.epfn) {
    first = cur.spfn;
    nr += deferredInitMaxorderStep(ctx, z, cur);
    // Stop only on a section boundary, and only once the quota is met.
    if (Math.floor(first / PAGES_PER_SECTION) === Math.floor(cur.spfn / PAGES_PER_SECTION)) continue;
    if (nr >= needed) break;
  }
  pg.firstDeferredPfn = cur.spfn;
  return nr > 0;
}
