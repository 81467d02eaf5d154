// The allocation side of the 6.1 buddy allocator (mm/page_alloc.c): expand,
// __rmqueue_smallest, rmqueue, prep_new_page, and __alloc_pages' fast path walking the zonelist.
// Blocks are named by pfn; -1 means no page.
//
// Not modelled: per-cpu lists (rmqueue() goes to the buddy lists for every order), watermark
// checks (mm/watermark.ts computes the marks, but every zone of the zonelist is tried; so
// _deferred_grow_zone() is only asked when a zone has nothing, not when it runs under its mark), the HighAtomic reserve (ALLOC_HIGHATOMIC,
// ALLOC_OOM), cpusets, dirty limits, and the slow path (no reclaim or compaction: when the
// fast path fails, the allocation fails).
import { MAX_ORDER, ZoneType } from '../include/mmzone.js';
import type { BuddyZone } from './free-area.js';
import { addToFreeList, delPageFromFreeList, getPageFromFreeArea } from './free-area.js';
import { pageRefcount, PageWord, pageWord, setBuddyOrder, setPageCount, setPagePrivate } from './page.js';
import type { Buddy } from './page-alloc.js';
import { ALLOC_NOFRAGMENT, rmqueueFallback } from './page-alloc-fallback.js';
import { sectionMemmap } from './sparse.js';
import { populatedZone } from './zone.js';

/**
 * mirrors expand(): a block of order `high` taken for an allocation of order `low` gives its
 * upper halves back, largest first, each to the head of its list ("order 0 from an order-3
 * block at #0: #4/2, #2/1, #1/0 go back, #0 is allocated").
 */
export function expand(b: Buddy, bz: BuddyZone, pfn: number, low: number, high: number, mt: number): void {
  const mm = sectionMemmap(b.memmap, pfn);
  let size = 1 << high;
  while (high > low) {
    high--;
    size >>= 1;
    addToFreeList(b, bz, pfn + size, high, mt);
    setBuddyOrder(mm, pageWord(pfn + size), high);
  }
}

/**
 * mirrors __rmqueue_smallest(): the first block on mt's list of the smallest order that has
 * one, split down to `order`; set_pcppage_migratetype() leaves mt in page->index.
 */
export function rmqueueSmallest(b: Buddy, bz: BuddyZone, order: number, mt: number): number {
  for (let current = order; current < MAX_ORDER; current++) {
    const pfn = getPageFromFreeArea(bz, current, mt);
    if (pfn < 0) continue;
    delPageFromFreeList(b, bz, pfn, current);
    expand(b, bz, pfn, order, current, mt);
    const mm = sectionMemmap(b.memmap, pfn);
    mm[pageWord(pfn) + PageWord.INDEX] = mt;
    mm[pageWord(pfn) + PageWord.INDEX + 1] = 0;
    return pfn;
  }
  return -1;
}

/**
 * mirrors rmqueue() → rmqueue_buddy() → __rmqueue(): the requested list, else a fallback steal
 * and again; the pages leave NR_FREE_PAGES and join the zone's allocated count.
 */
export function rmqueue(b: Buddy, bz: BuddyZone, order: number, mt: number, allocFlags: number): number {
  let pfn = rmqueueSmallest(b, bz, order, mt);
  while (pfn < 0 && rmqueueFallback(b, bz, order, mt, allocFlags)) pfn = rmqueueSmallest(b, bz, order, mt);
  if (pfn < 0) return -1;
  bz.freePages -= 1 << order;
  bz.allocatedPages += 1 << order;
  return pfn;
}

/** mirrors prep_new_page() → post_alloc_hook(): private 0, the head's refcount 1 (it must have been 0). */
export function prepNewPage(b: Buddy, pfn: number): void {
  const mm = sectionMemmap(b.memmap, pfn);
  const w = pageWord(pfn);
  if (pageRefcount(mm, w) !== 0) throw new Error(`prep_new_page: pfn 0x${pfn.toString(16)} has refcount ${pageRefcount(mm, w)}`);
  setPagePrivate(mm, w, 0);
  setPageCount(mm, w, 1);
}

/**
 * mirrors alloc_flags_nofragment(): a first pass that steals only whole pageblocks when the
 * preferred zone is Normal (and, with several nodes, the node also has DMA32).
 */
export function allocFlagsNofragment(b: Buddy, preferred: BuddyZone): number {
  if (preferred.zid !== ZoneType.NORMAL) return 0;
  const dma32 = b.zones[preferred.index - ZoneType.NORMAL + ZoneType.DMA32];
  if (b.nrOnlineNodes > 1 && !(dma32 && populatedZone(dma32.zone))) return 0;
  return ALLOC_NOFRAGMENT;
}

/** One zone of get_page_from_freelist(): rmqueue, growing the zone while deferred init can. */
function tryZone(b: Buddy, bz: BuddyZone, order: number, mt: number, allocFlags: number): number {
  for (;;) {
    const pfn = rmqueue(b, bz, order, mt, allocFlags);
    if (pfn >= 0) {
      prepNewPage(b, pfn);
      return pfn;
    }
    if (!b.deferredGrowZone?.(bz.nid, bz.zid, order)) return -1;
  }
}

/**
 * mirrors get_page_from_freelist(): the zones of the zonelist from the preferred one, skipping
 * zones above highestZoneidx. Under ALLOC_NOFRAGMENT, reaching another node's zone, or the end
 * of the list, starts over without it: locality before fragmentation avoidance.
 */
export function getPageFromFreelist(
  b: Buddy, zonelist: BuddyZone[], preferred: number, order: number, mt: number, highestZoneidx: number, allocFlags: number,
): number {
  for (;;) {
    const noFallback = (allocFlags & ALLOC_NOFRAGMENT) !== 0;
    const local = zonelist[preferred]!;
    let retry = false;
    for (let i = preferred; i < zonelist.length; i++) {
      const bz = zonelist[i]!;
      if (bz.zid > highestZoneidx) continue;
      if (noFallback && b.nrOnlineNodes > 1 && bz !== local && bz.nid !== local.nid) {
        retry = true;
        break;
      }
      const pfn = tryZone(b, bz, order, mt, allocFlags);
      if (pfn >= 0) return pfn;
    }
    if (!retry && !noFallback) return -1;
    allocFlags &= ~ALLOC_NOFRAGMENT;
  }
}

/**
 * mirrors __alloc_pages()'s fast path: 2^order pages of migratetype mt from node nid's zonelist,
 * no zone above highestZoneidx (gfp_zone(): Normal for GFP_KERNEL, DMA32 for GFP_DMA32, Movable
 * for movable user pages); returns the first pfn, -1 when nothing fits (or order ≥ MAX_ORDER).
 * The head page comes back with refcount 1; free it with freePages().
 */
export function allocPages(b: Buddy, order: number, mt: number, nid: number, highestZoneidx: number): number {
  if (order < 0 || order >= MAX_ORDER) return -1;
  const zonelist = b.zonelists.get(nid);
  if (!zonelist) throw new Error(`__alloc_pages: node ${nid} has no zonelist`);
  let preferred = 0;
  while (preferred < zonelist.length && zonelist[preferred]!.zid > highestZoneidx) preferred++;
  if (preferred === zonelist.length) return -1;
  return getPageFromFreelist(b, zonelist, preferred, order, mt, highestZoneidx, allocFlagsNofragment(b, zonelist[preferred]!));
}
