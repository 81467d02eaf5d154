// SPDX-License-Identifier: GPL-2.0-only
// Pageblock isolation for memory offlining (mm/page_isolation.c and __offline_isolated_pages()
// of mm/page_alloc.c, 6.1): a pageblock whose type is MIGRATE_ISOLATE keeps its free pages on
// the Isolate lists, out of NR_FREE_PAGES and out of reach of the allocator, while offlining
// migrates what is allocated and then takes the free pages out of the zone.
//
// Not modelled: hugetlb and THP (meminit allocates neither), PageHWPoison, PageOffline, CMA, and
// zone->nr_isolate_pageblock (the free paths read each pageblock's type instead).
import { MAX_ORDER, MigrateType, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, ZoneType } from '../include/mmzone.js';
import { PG } from '../include/page-flags.js';
import type { BuddyZone } from './free-area.js';
import { delPageFromFreeList } from './free-area.js';
import { findBuddyPfn, freeOnePage, migratetypeIsMergeable, pageIsBuddy, type Buddy } from './page-alloc.js';
import { moveFreepagesBlock } from './page-alloc-fallback.js';
import { buddyOrder, pageBuddy, pageRefcount, pageReserved, PageWord, pageWord, testPageFlag } from './page.js';
import { Fpi } from './page-free-core.js';
import { getPageblockMigratetype, setPageblockMigratetype } from './pageblock.js';
import { pfnValid, sectionMemmap } from './sparse.js';
import { EBUSY } from './memory-hotplug.js';

/**
 * mirrors has_unmovable_pages() for memory offlining: the first pfn of [start, end) (one
 * pageblock) that pins it, or -1. Reserved pages always do; in ZONE_MOVABLE nothing else is
 * checked; elsewhere a page in use that is neither on an LRU nor __PageMovable does.
 */
export function hasUnmovablePages(b: Buddy, zid: number, start: number, end: number): number {
  const mm = sectionMemmap(b.memmap, start);
  for (let pfn = start; pfn < end; pfn++) {
    const w = pageWord(pfn);
    if (pageReserved(mm, w)) return pfn;
    if (zid === ZoneType.MOVABLE) continue;
    if (pageRefcount(mm, w) === 0) {
      if (pageBuddy(mm, w)) pfn += 2 ** buddyOrder(mm, w) - 1;
      continue;
    }
    if (testPageFlag(mm, w, PG.lru) || (mm[w + PageWord.MAPPING]! & 3) === 2) continue;
    return pfn;
  }
  return -1;
}

/**
 * mirrors set_migratetype_isolate(): EBUSY when the pageblock is isolated already or pinned;
 * otherwise its free pages move to the Isolate lists (and out of NR_FREE_PAGES) and its type
 * becomes MIGRATE_ISOLATE.
 */
export function setMigratetypeIsolate(b: Buddy, bz: BuddyZone, pfn: number): number {
  if (getPageblockMigratetype(b.memmap, pfn) === MigrateType.ISOLATE) return EBUSY;
  if (hasUnmovablePages(b, bz.zid, pfn, pfn + PAGEBLOCK_NR_PAGES) >= 0) return EBUSY;
  bz.freePages -= moveFreepagesBlock(b, bz, pfn, MigrateType.ISOLATE);
  setPageblockMigratetype(b.memmap, pfn, MigrateType.ISOLATE);
  return 0;
}

/**
 * mirrors unset_migratetype_isolate(): a free block of pageblock order whose buddy is not
 * isolated is taken off and freed again so it can merge; otherwise the pageblock's free pages
 * move to the list of `mt` and count as free again.
 */
export function unsetMigratetypeIsolate(b: Buddy, bz: BuddyZone, pfn: number, mt: number): void {
  if (getPageblockMigratetype(b.memmap, pfn) !== MigrateType.ISOLATE) return;
  const mm = sectionMemmap(b.memmap, pfn);
  const w = pageWord(pfn);
  let isolatedOrder = -1;
  if (pageBuddy(mm, w)) {
    const order = buddyOrder(mm, w);
    if (order >= PAGEBLOCK_ORDER && order < MAX_ORDER - 1) {
      const buddyPfn = findBuddyPfn(pfn, order);
      if (pfnValid(b.memmap, buddyPfn) && pageIsBuddy(mm, w, pageWord(buddyPfn), order)
        && getPageblockMigratetype(b.memmap, buddyPfn) !== MigrateType.ISOLATE) {
        // __isolate_free_page(): off the list (an isolated block is not counted free); its mergeable pageblocks turn Movable.
        delPageFromFreeList(b, bz, pfn, order);
        for (let p = pfn; p < pfn + 2 ** order; p += PAGEBLOCK_NR_PAGES) {
          if (migratetypeIsMergeable(getPageblockMigratetype(b.memmap, p))) setPageblockMigratetype(b.memmap, p, MigrateType.MOVABLE);
        }
        isolatedOrder = order;
      }
    }
  }
  if (isolatedOrder < 0) bz.freePages += moveFreepagesBlock(b, bz, pfn, mt);
  setPageblockMigratetype(b.memmap, pfn, mt);
  // __putback_isolated_page(): back through __free_one_page(), counted free, merging.
  if (isolatedOrder >= 0) freeOnePage(b, bz, pfn, isolatedOrder, mt, Fpi.SKIP_REPORT_NOTIFY);
}

/** mirrors undo_isolate_page_range(): every isolated pageblock of [start, end) back to `mt`. */
export function undoIsolatePageRange(b: Buddy, bz: BuddyZone, start: number, end: number, mt: number): void {
  for (let pfn = start; pfn < end; pfn += PAGEBLOCK_NR_PAGES) unsetMigratetypeIsolate(b, bz, pfn, mt);
}

/** mirrors start_isolate_page_range() for memory offlining: all pageblocks or none (EBUSY, the done ones undone). */
export function startIsolatePageRange(b: Buddy, bz: BuddyZone, start: number, end: number): number {
  for (let pfn = start; pfn < end; pfn += PAGEBLOCK_NR_PAGES) {
    const ret = setMigratetypeIsolate(b, bz, pfn);
    if (ret) {
      undoIsolatePageRange(b, bz, start, pfn, MigrateType.MOVABLE);
      return ret;
    }
  }
  return 0;
}

/** mirrors test_pages_isolated(): -1 when every pageblock is isolated and every page free, else the first pfn that is not. */
export function testPagesIsolated(b: Buddy, start: number, end: number): number {
  for (let pfn = start; pfn < end; pfn += PAGEBLOCK_NR_PAGES) {
    if (getPageblockMigratetype(b.memmap, pfn) !== MigrateType.ISOLATE) return pfn;
  }
  for (let pfn = start; pfn < end; ) {
    const mm = sectionMemmap(b.memmap, pfn);
    const w = pageWord(pfn);
    if (!pageBuddy(mm, w)) return pfn;
    pfn += 2 ** buddyOrder(mm, w);
  }
  return -1;
}

/** mirrors __offline_isolated_pages(): the (isolated, free) blocks of [start, end) leave the free lists. */
export function offlineIsolatedPages(b: Buddy, bz: BuddyZone, start: number, end: number): void {
  for (let pfn = start; pfn < end; ) {
    const mm = sectionMemmap(b.memmap, pfn);
    const w = pageWord(pfn);
    if (!pageBuddy(mm, w) || pageRefcount(mm, w) !== 0) throw new Error(`__offline_isolated_pages: pfn 0x${pfn.toString(16)} is not a free block`);
    const order = buddyOrder(mm, w);
    delPageFromFreeList(b, bz, pfn, order);
    pfn += 2 ** order;
  }
}
