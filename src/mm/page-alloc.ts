// The buddy allocator of Linux 6.1 (mm/page_alloc.c, mm/internal.h), freeing side: the Buddy
// (every zone's free areas, zonelists), __find_buddy_pfn, page_is_buddy, __free_one_page with
// merging, __free_pages and split_page. Allocation is in page-alloc-rmqueue.ts, the
// migratetype fallback in page-alloc-fallback.ts, the lists themselves in free-area.ts.
//
// Not modelled: per-cpu page lists (every free goes straight to __free_one_page with FPI_NONE,
// as the pcp drain would later), watermark checks, page reporting, DEBUG_PAGEALLOC guard pages,
// compaction capture, page shuffling (page_alloc.shuffle is off unless asked for on the command
// line, so is_shuffle_order() is false), compound pages (__GFP_COMP).
import { MAX_NR_ZONES, MAX_ORDER, MigrateType, PAGEBLOCK_ORDER } from '../include/mmzone.js';
import { FlagsHi, PG } from '../include/page-flags.js';
import type { BuddyZone, FreeLists } from './free-area.js';
import { addToFreeList, addToFreeListTail, addToFreeListTailRun, buddyZoneCreate, delPageFromFreeList } from './free-area.js';
import {
  buddyOrder, PAGE_WORDS, pageBuddy, pagePoisonCheck, pageRefcount, pageToNid, PageWord, pageWord, pageZonenum,
  setBuddyOrder, setPageCount, testPageFlag,
} from './page.js';
import { Fpi, freePagesOk, type BuddyFreeTarget } from './page-free-core.js';
import { getPageblockMigratetype, MIGRATE_PCPTYPES } from './pageblock.js';
import type { Memmap } from './sparse.js';
import { sectionMemmap } from './sparse.js';
import type { ZoneLayout } from './zone.js';
import { buildAllZonelists, type ZonelistOptions } from './zonelist.js';

export interface BuddyOptions extends ZonelistOptions {
  /** page_group_by_mobility_disabled (build_all_zonelists() sets it on machines under 2560 pages). */
  groupByMobilityDisabled?: boolean;
  /**
   * _deferred_grow_zone(): called when a zone of the zonelist has nothing for an allocation;
   * true when it initialised and freed more of the zone, so the allocation retries there.
   */
  deferredGrowZone?: (nid: number, zid: number, order: number) => boolean;
}

/**
 * The page allocator of one machine: its zones' free areas and the zonelists that order them.
 * Accounting per zone: managed_pages (in the layout's Zone), NR_FREE_PAGES and the pages
 * allocPages() handed out (BuddyZone.allocatedPages), so managed = free + allocated. Pages that
 * join the allocator without having come from it (boot memory, free_reserved_area()) go through
 * freePagesCore(), which raises managed and free; freePages() is for pages allocPages() gave.
 */
export interface Buddy extends FreeLists, BuddyFreeTarget {
  readonly layout: ZoneLayout;
  /** node_zonelists[ZONELIST_FALLBACK] per node: populated zones, nodes in fallback order, zones high to low. */
  zonelists: Map<number, BuddyZone[]>;
  /** build_zonelists()'s node order per node, as "Fallback order for Node N:" prints it. */
  nodeOrder: Map<number, number[]>;
  /** nr_online_nodes as alloc_flags_nofragment() reads it (nodes with memory). */
  nrOnlineNodes: number;
  groupByMobilityDisabled: boolean;
  deferredGrowZone: ((nid: number, zid: number, order: number) => boolean) | undefined;
  /** move_freepages()'s num_movable out-parameter, kept here so the fallback path allocates nothing. */
  numMovable: number;
  /** What the zonelists were built with, so memory hotplug rebuilds them the same way. */
  zonelistOptions: ZonelistOptions;
}

/**
 * The buddy allocator over a machine's memmap and zones: every zone of every node gets empty
 * free areas (zone_init_free_lists()); zone->managed_pages stays in the layout's Zone objects,
 * where memblock_free_all() counts it. Zonelists are built as build_all_zonelists() would.
 */
export function buddyCreate(memmap: Memmap, layout: ZoneLayout, opts: BuddyOptions = {}): Buddy {
  const zones: (BuddyZone | undefined)[] = [];
  for (const [nid, pg] of layout.nodes) {
    pg.zones.forEach((z, zid) => { zones[nid * MAX_NR_ZONES + zid] = buddyZoneCreate(z, nid, zid); });
  }
  const b: Buddy = {
    memmap, layout, zones, zonelists: new Map(), nodeOrder: new Map(), nrOnlineNodes: 0,
    groupByMobilityDisabled: opts.groupByMobilityDisabled ?? false, deferredGrowZone: opts.deferredGrowZone,
    numMovable: 0, zonelistOptions: { ...(opts.distance ? { distance: opts.distance } : {}), ...(opts.nodeHasCpus ? { nodeHasCpus: opts.nodeHasCpus } : {}) },
    freeOnePage: (pfn, order, nid, zid, mt, fpi) => freeOnePage(b, buddyZone(b, nid, zid), pfn, order, mt, fpi),
    freeMaxOrderRun: (pfn, n, nid, zid, mt) => freeMaxOrderRun(b, buddyZone(b, nid, zid), pfn, n, mt),
  };
  buildAllZonelists(b, opts);
  return b;
}

/** The zone (nid, zid) of the allocator; throws when the node has no such zone. */
export function buddyZone(b: Buddy, nid: number, zid: number): BuddyZone {
  const bz = zid >= 0 && zid < MAX_NR_ZONES ? b.zones[nid * MAX_NR_ZONES + zid] : undefined;
  if (!bz) throw new Error(`no zone ${zid} on node ${nid}`);
  return bz;
}

/** page_zone() of the struct page at word w. */
export const pageBuddyZone = (b: Buddy, mm: Uint32Array, w: number): BuddyZone => buddyZone(b, pageToNid(mm, w), pageZonenum(mm, w));

/** page_zone_id(): node and zone bits of page->flags, the 13 bits above ZONES_PGSHIFT. */
export const pageZoneId = (mm: Uint32Array, w: number): number => mm[w + PageWord.FLAGS_HI]! >>> FlagsHi.ZONES_SHIFT;

/** migratetype_is_mergeable(): only the per-cpu types merge across pageblocks. */
export const migratetypeIsMergeable = (mt: number): boolean => mt < MIGRATE_PCPTYPES;

/**
 * mirrors __find_buddy_pfn(): the pfn that differs from pfn in bit `order` alone. Order-1 buddy
 * of #8 is #10 (8 ^ 2) and of #10 is #8; order-0 buddy of #5 is #4; order-10 buddy of 0x400 is 0.
 * Written with + and - because pfns go beyond the 32 bits JavaScript's ^ keeps.
 */
export function findBuddyPfn(pfn: number, order: number): number {
  const size = 1 << order;
  return pfn % (2 * size) >= size ? pfn - size : pfn + size;
}

/**
 * mirrors page_is_buddy(): the struct page at bw heads a free block of this order in the same
 * zone as the page at w. A free block's head must have refcount 0 (VM_BUG_ON_PAGE).
 */
export function pageIsBuddy(mm: Uint32Array, w: number, bw: number, order: number): boolean {
  if (!pageBuddy(mm, bw) || buddyOrder(mm, bw) !== order) return false;
  if (pageZoneId(mm, w) !== pageZoneId(mm, bw)) return false;
  if (pageRefcount(mm, bw) !== 0) throw new Error(`free block head at word ${bw} has refcount ${pageRefcount(mm, bw)}`);
  return true;
}

/**
 * mirrors buddy_merge_likely(): below order MAX_ORDER - 2, is the block this one would form
 * with its buddy itself next to a free buddy of the order above? Then the freed block goes to
 * the tail, where it waits longer and has a better chance to merge.
 */
export function buddyMergeLikely(mm: Uint32Array, pfn: number, buddyPfn: number, order: number): boolean {
  if (order >= MAX_ORDER - 2) return false;
  const higher = Math.min(pfn, buddyPfn);
  return pageIsBuddy(mm, pageWord(higher), pageWord(findBuddyPfn(higher, order + 1)), order + 1);
}

/** bad_range() (DEBUG_VM): the block lies in the zone and its struct page links to it. */
function badRangeCheck(bz: BuddyZone, mm: Uint32Array, pfn: number, order: number): void {
  const z = bz.zone;
  if (pfn % (1 << order) !== 0) throw new Error(`__free_one_page: pfn 0x${pfn.toString(16)} is not aligned to order ${order}`);
  if (pfn < z.zoneStartPfn || pfn + (1 << order) > z.zoneStartPfn + z.spannedPages
    || pageToNid(mm, pageWord(pfn)) !== bz.nid || pageZonenum(mm, pageWord(pfn)) !== bz.zid) {
    throw new Error(`__free_one_page: pfn 0x${pfn.toString(16)} order ${order} is outside node ${bz.nid} zone ${z.name}`);
  }
}

/**
 * mirrors __free_one_page(): count the pages free (not for Isolate), then merge with the buddy
 * while it is a free block of the same order in the same zone, up to MAX_ORDER - 1; from
 * pageblock_order up, a buddy whose pageblock type differs only merges when both types are
 * mergeable. The result goes to the tail with FPI_TO_TAIL or when buddy_merge_likely(), else to
 * the head. A block never crosses a section, so one memmap holds every struct page touched.
 */
export function freeOnePage(b: Buddy, bz: BuddyZone, pfn: number, order: number, mt: number, fpiFlags: number): void {
  const mm = sectionMemmap(b.memmap, pfn);
  badRangeCheck(bz, mm, pfn, order);
  if (mt !== MigrateType.ISOLATE) bz.freePages += 1 << order;
  let buddyPfn = 0;
  while (order < MAX_ORDER - 1) {
    buddyPfn = findBuddyPfn(pfn, order);
    if (!pageIsBuddy(mm, pageWord(pfn), pageWord(buddyPfn), order)) break;
    if (order >= PAGEBLOCK_ORDER) {
      const buddyMt = getPageblockMigratetype(b.memmap, buddyPfn);
      if (mt !== buddyMt && (!migratetypeIsMergeable(mt) || !migratetypeIsMergeable(buddyMt))) break;
    }
    delPageFromFreeList(b, bz, buddyPfn, order);
    pfn = Math.min(pfn, buddyPfn);
    order++;
  }
  setBuddyOrder(mm, pageWord(pfn), order);
  if ((fpiFlags & Fpi.TO_TAIL) !== 0 || buddyMergeLikely(mm, pfn, buddyPfn, order)) addToFreeListTail(b, bz, pfn, order, mt);
  else addToFreeList(b, bz, pfn, order, mt);
}

/**
 * n whole MAX_ORDER blocks from pfn, prepared by deferred init as buddies of order MAX_ORDER - 1
 * and chained through lru: what n __free_one_page(FPI_TO_TAIL) calls would do when none finds a
 * buddy above MAX_ORDER - 1 — count the pages free, append the blocks to the list's tail.
 */
export function freeMaxOrderRun(b: Buddy, bz: BuddyZone, pfn: number, n: number, mt: number): void {
  const order = MAX_ORDER - 1;
  const last = pfn + (n - 1) * (1 << order);
  badRangeCheck(bz, sectionMemmap(b.memmap, pfn), pfn, order);
  badRangeCheck(bz, sectionMemmap(b.memmap, last), last, order);
  if (mt !== MigrateType.ISOLATE) bz.freePages += n << order;
  addToFreeListTailRun(b, bz, pfn, last, n, order, mt);
}

/**
 * free_the_page(): per-cpu lists are not modelled, so every order goes to __free_pages_ok()
 * with FPI_NONE; the pages leave the zone's allocated count.
 */
function freeThePage(b: Buddy, pfn: number, order: number): void {
  const mm = sectionMemmap(b.memmap, pfn);
  const w = pageWord(pfn);
  for (let i = 1; i < 1 << order; i++) {
    const ref = pageRefcount(mm, w + i * PAGE_WORDS);
    if (ref !== 0) throw new Error(`Bad page state: pfn 0x${(pfn + i).toString(16)} freed with refcount ${ref} (split_page()d pages are freed one by one)`);
  }
  pageBuddyZone(b, mm, w).allocatedPages -= 1 << order;
  freePagesOk(b, b, pfn, order, Fpi.NONE);
}

/**
 * mirrors __free_pages() (free_pages() by pfn): drop the reference; the last one frees the
 * block. While someone else still holds the head, a non-compound block's other halves are
 * freed now, largest first. Freeing a page nobody holds throws, naming it.
 */
export function freePages(b: Buddy, pfn: number, order: number): void {
  const mm = sectionMemmap(b.memmap, pfn);
  const w = pageWord(pfn);
  pagePoisonCheck(mm, w, pfn, '__free_pages');
  const head = testPageFlag(mm, w, PG.head);
  const ref = pageRefcount(mm, w);
  if (ref <= 0) throw new Error(`__free_pages: pfn 0x${pfn.toString(16)} has refcount ${ref}: not allocated`);
  setPageCount(mm, w, ref - 1);
  if (ref === 1) freeThePage(b, pfn, order);
  else if (!head) while (order-- > 0) freeThePage(b, pfn + (1 << order), order);
}

/** mirrors split_page(): each page of an allocated non-compound block gets its own reference. */
export function splitPage(b: Buddy, pfn: number, order: number): void {
  const mm = sectionMemmap(b.memmap, pfn);
  const w = pageWord(pfn);
  if (pageRefcount(mm, w) === 0) throw new Error(`split_page: pfn 0x${pfn.toString(16)} is not allocated`);
  for (let i = 1; i < 1 << order; i++) setPageCount(mm, w + i * PAGE_WORDS, 1);
}

/** The pages the zone's free areas hold, from nr_free: what NR_FREE_PAGES should read (Isolate aside). */
export const zoneFreePagesFromLists = (bz: BuddyZone): number => {
  let n = 0;
  for (let order = 0; order < MAX_ORDER; order++) n += bz.nrFree[order]! * (1 << order);
  return n;
};
