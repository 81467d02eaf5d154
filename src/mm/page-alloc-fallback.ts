// Migratetype fallback of the 6.1 page allocator (mm/page_alloc.c): when an allocation finds
// its own free lists empty, __rmqueue_fallback() takes a block from another type's list, the
// largest first, and steal_suitable_fallback() moves it (and, when worth it, the rest of its
// pageblock) over to the requested type. No CMA in Debian's config, so no MIGRATE_CMA fallback.
//
// Simplified, against 6.1: boost_watermark() is not modelled (it only raises
// zone->watermark_boost and wakes kswapd; mm/watermark.ts keeps the boost at 0);
// find_suitable_fallback() is only used with only_stealable = false (compaction's caller is not
// modelled), so its can_steal answer is can_steal_fallback(order, start type) whenever a
// fallback list is non-empty.
import { MIGRATE_TYPES, MigrateType, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, MAX_ORDER } from '../include/mmzone.js';
import { PG } from '../include/page-flags.js';
import type { BuddyZone } from './free-area.js';
import { freeAreaEmpty, getPageFromFreeArea, moveToFreeList } from './free-area.js';
import { buddyOrder, pageBuddy, pagePoisonCheck, PageWord, pageWord, testPageFlag } from './page.js';
import type { Buddy } from './page-alloc.js';
import { getPageblockMigratetype, MIGRATE_PCPTYPES, setPageblockMigratetype } from './pageblock.js';
import { sectionMemmap } from './sparse.js';

/** ALLOC_NOFRAGMENT (mm/internal.h): steal only whole pageblocks while local zones are left. */
export const ALLOC_NOFRAGMENT = 0x100;

/** fallbacks[]: the lists each per-cpu type falls back to, in order, MIGRATE_TYPES ending each row. */
export const FALLBACKS: readonly (readonly number[])[] = [
  [MigrateType.RECLAIMABLE, MigrateType.MOVABLE, MIGRATE_TYPES],
  [MigrateType.RECLAIMABLE, MigrateType.UNMOVABLE, MIGRATE_TYPES],
  [MigrateType.UNMOVABLE, MigrateType.MOVABLE, MIGRATE_TYPES],
];

/**
 * mirrors can_steal_fallback(): take the whole pageblock for blocks of order pageblock_order / 2
 * (4, in C's integer division) and up, for Unmovable and Reclaimable requests, or when grouping
 * by mobility is off.
 */
export function canStealFallback(order: number, startMt: number, groupByMobilityDisabled: boolean): boolean {
  if (order >= PAGEBLOCK_ORDER) return true;
  return order >= PAGEBLOCK_ORDER >> 1 || startMt === MigrateType.RECLAIMABLE || startMt === MigrateType.UNMOVABLE
    || groupByMobilityDisabled;
}

/** mirrors find_suitable_fallback(only_stealable = false): the first non-empty fallback list of this order, or -1. */
export function findSuitableFallback(bz: BuddyZone, order: number, mt: number): number {
  if (bz.nrFree[order] === 0) return -1;
  const row = FALLBACKS[mt]!;
  for (let i = 0; row[i] !== MIGRATE_TYPES; i++) {
    if (!freeAreaEmpty(bz, order, row[i]!)) return row[i]!;
  }
  return -1;
}

/**
 * mirrors move_freepages(): every free block in [start, end] goes to the tail of mt's list;
 * returns the pages moved, and counts allocated pages on an LRU or __PageMovable in
 * b.numMovable (PageLRU reads page->flags, so a poisoned struct page throws).
 */
export function moveFreepages(b: Buddy, bz: BuddyZone, start: number, end: number, mt: number): number {
  const mm = sectionMemmap(b.memmap, start);
  let moved = 0;
  b.numMovable = 0;
  for (let pfn = start; pfn <= end;) {
    const w = pageWord(pfn);
    if (!pageBuddy(mm, w)) {
      pagePoisonCheck(mm, w, pfn, 'move_freepages');
      if (testPageFlag(mm, w, PG.lru) || (mm[w + PageWord.MAPPING]! & 3) === 2) b.numMovable++;
      pfn++;
      continue;
    }
    const order = buddyOrder(mm, w);
    moveToFreeList(b, bz, pfn, order, mt);
    pfn += 1 << order;
    moved += 1 << order;
  }
  return moved;
}

/** mirrors move_freepages_block(): the pageblock of pfn, cut at the zone start, nothing when its end is outside. */
export function moveFreepagesBlock(b: Buddy, bz: BuddyZone, pfn: number, mt: number): number {
  const z = bz.zone;
  const spans = (p: number): boolean => p >= z.zoneStartPfn && p < z.zoneStartPfn + z.spannedPages;
  let start = pfn - (pfn % PAGEBLOCK_NR_PAGES);
  const end = start + PAGEBLOCK_NR_PAGES - 1;
  b.numMovable = 0;
  if (!spans(start)) start = pfn;
  if (!spans(end)) return 0;
  return moveFreepages(b, bz, start, end, mt);
}

/** change_pageblock_range(): every pageblock of a block of startOrder ≥ pageblock_order gets the type. */
function changePageblockRange(b: Buddy, pfn: number, startOrder: number, mt: number): void {
  for (let i = 0; i < 1 << (startOrder - PAGEBLOCK_ORDER); i++) {
    setPageblockMigratetype(b.memmap, pfn + i * PAGEBLOCK_NR_PAGES, mt, b.groupByMobilityDisabled);
  }
}

/**
 * mirrors steal_suitable_fallback(): a block of a pageblock or more changes its pageblocks'
 * type; a smaller one, when the whole block may be taken, moves every free page of its
 * pageblock and claims the pageblock if at least half of it is free or alike; otherwise
 * (and from a HighAtomic pageblock) only the block itself moves to the requested list.
 */
export function stealSuitableFallback(b: Buddy, bz: BuddyZone, pfn: number, startType: number, wholeBlock: boolean): void {
  const mm = sectionMemmap(b.memmap, pfn);
  const currentOrder = buddyOrder(mm, pageWord(pfn));
  const oldBlockType = getPageblockMigratetype(b.memmap, pfn);
  if (oldBlockType !== MigrateType.HIGHATOMIC) {
    if (currentOrder >= PAGEBLOCK_ORDER) {
      changePageblockRange(b, pfn, currentOrder, startType);
    } else if (wholeBlock) {
      const freePages = moveFreepagesBlock(b, bz, pfn, startType);
      const movablePages = b.numMovable;
      let alikePages = 0;
      if (startType === MigrateType.MOVABLE) alikePages = movablePages;
      else if (oldBlockType === MigrateType.MOVABLE) alikePages = PAGEBLOCK_NR_PAGES - (freePages + movablePages);
      if (freePages) {
        if (freePages + alikePages >= 1 << (PAGEBLOCK_ORDER - 1) || b.groupByMobilityDisabled) {
          setPageblockMigratetype(b.memmap, pfn, startType, b.groupByMobilityDisabled);
        }
        return;
      }
    }
  }
  moveToFreeList(b, bz, pfn, currentOrder, startType);
}

/**
 * mirrors __rmqueue_fallback(): find the largest block on a fallback list (from pageblock_order
 * up under ALLOC_NOFRAGMENT); a Movable request that may not take the whole pageblock takes the
 * smallest suitable block instead. The chosen block is stolen onto the requested list, so
 * __rmqueue_smallest() finds it on retry. Only the per-cpu types have fallbacks.
 */
export function rmqueueFallback(b: Buddy, bz: BuddyZone, order: number, startMt: number, allocFlags: number): boolean {
  if (startMt >= MIGRATE_PCPTYPES) throw new Error(`__rmqueue_fallback: migratetype ${startMt} has no fallbacks`);
  const minOrder = order < PAGEBLOCK_ORDER && (allocFlags & ALLOC_NOFRAGMENT) !== 0 ? PAGEBLOCK_ORDER : order;
  let currentOrder = MAX_ORDER - 1;
  let fallbackMt = -1;
  for (; currentOrder >= minOrder; currentOrder--) {
    fallbackMt = findSuitableFallback(bz, currentOrder, startMt);
    if (fallbackMt !== -1) break;
  }
  if (fallbackMt === -1) return false;
  let canSteal = canStealFallback(currentOrder, startMt, b.groupByMobilityDisabled);
  if (!canSteal && startMt === MigrateType.MOVABLE && currentOrder > order) {
    // find_smallest: from the requested order up; the loop above already saw one, so it ends.
    for (currentOrder = order; currentOrder < MAX_ORDER; currentOrder++) {
      fallbackMt = findSuitableFallback(bz, currentOrder, startMt);
      if (fallbackMt !== -1) break;
    }
    canSteal = canStealFallback(currentOrder, startMt, b.groupByMobilityDisabled);
  }
  stealSuitableFallback(b, bz, getPageFromFreeArea(bz, currentOrder, fallbackMt), startMt, canSteal);
  return true;
}
