// The buddy allocator's free lists (struct free_area of include/linux/mmzone.h, the list helpers
// of include/linux/list.h and add_to_free_list() & co. of mm/page_alloc.c, 6.1): per zone, per
// order, per migratetype a doubly linked list threaded through the lru words of the free blocks'
// head struct pages. Links are kernel addresses split into u32 halves: &page->lru of a struct
// page is its vmemmap address + 8; a list head lives in the zone, at an address of its own.
//
// List head addresses (a fixed scheme: meminit does not know where the kernel put NODE_DATA in
// the direct map, so it keeps the heads in a range nothing else uses, just under the kernel
// image at 0xffffffff80000000): zone (nid, zid) gets 1 KiB at
//   0xffffffff00000000 + (nid × MAX_NR_ZONES + zid) × 0x400
// and inside it free_area[order].free_list[mt] sits where struct zone has it relative to
// free_area[0]: order × 88 (sizeof(struct free_area): 5 list_heads + nr_free) + mt × 16.
// ("node 0, DMA32, order 2, Movable → 0xffffffff000004c0"; node 1023 ends below 0xffffffff00500000.)
import { MAX_NR_ZONES, MAX_ORDER, MIGRATE_TYPES } from '../include/mmzone.js';
import { LIST_POISON1_LO, LIST_POISON2_LO, POISON_POINTER_DELTA_HI } from '../include/poison.js';
import { clearPageBuddy, PageWord, pageWord, setPagePrivate, vmemmapHex, vmemmapHi, vmemmapLo, vmemmapToPfn } from './page.js';
import type { Memmap } from './sparse.js';
import { sectionMemmap } from './sparse.js';
import type { Zone } from './zone.js';

export const FREE_LIST_HEAD_HI = 0xffffffff;
/** Bytes of list-head address space per zone. */
export const ZONE_HEADS_STRIDE = 0x400;
/** sizeof(struct free_area) and of struct list_head. */
export const FREE_AREA_SIZE = 88;
export const LIST_HEAD_SIZE = 16;
/** offsetof(struct page, lru): list links point here, 8 bytes into the struct page. */
export const LRU_OFFSET = 8;

/** The buddy allocator's part of struct zone. */
export interface BuddyZone {
  readonly nid: number;
  readonly zid: number;
  /** nid × MAX_NR_ZONES + zid: the zone's slot in the buddy's table and in the list-head range. */
  readonly index: number;
  /** The zone's sizing and managed_pages (shared with memblock_free_all and the zone layout). */
  readonly zone: Zone;
  /** free_area[order].free_list[mt] as 4 words at (order × MIGRATE_TYPES + mt) × 4: next lo, hi, prev lo, hi. */
  readonly heads: Uint32Array;
  /** free_area[order].nr_free. */
  readonly nrFree: Float64Array;
  /** vm_stat[NR_FREE_PAGES]. */
  freePages: number;
  /** Pages rmqueue() handed out and free_pages() has not taken back (meminit's count: managed = free + allocated). */
  allocatedPages: number;
}

/** What the list helpers need: the memmap for page links, the zones for list heads. */
export interface FreeLists {
  readonly memmap: Memmap;
  /** Zones by BuddyZone.index. */
  readonly zones: (BuddyZone | undefined)[];
}

/** Low half of the address of zone `index`'s free_list[mt] of free_area[order]. */
export const freeListHeadLo = (index: number, order: number, mt: number): number =>
  index * ZONE_HEADS_STRIDE + order * FREE_AREA_SIZE + mt * LIST_HEAD_SIZE;
/** Word offset of that head in BuddyZone.heads. */
export const headWord = (order: number, mt: number): number => (order * MIGRATE_TYPES + mt) * 4;

/** The list head address as text ("0xffffffff000005c0"). */
export const freeListHeadHex = (index: number, order: number, mt: number): string =>
  `0x${FREE_LIST_HEAD_HI.toString(16)}${freeListHeadLo(index, order, mt).toString(16).padStart(8, '0')}`;

/** zone_init_free_lists(): every list head points at itself, nr_free 0. */
export function buddyZoneCreate(zone: Zone, nid: number, zid: number): BuddyZone {
  const index = nid * MAX_NR_ZONES + zid;
  const heads = new Uint32Array(MAX_ORDER * MIGRATE_TYPES * 4);
  for (let order = 0; order < MAX_ORDER; order++) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const h = headWord(order, mt);
      const lo = freeListHeadLo(index, order, mt);
      heads[h] = lo;
      heads[h + 1] = FREE_LIST_HEAD_HI;
      heads[h + 2] = lo;
      heads[h + 3] = FREE_LIST_HEAD_HI;
    }
  }
  return { nid, zid, index, zone, heads, nrFree: new Float64Array(MAX_ORDER), freePages: 0, allocatedPages: 0 };
}

/** pfn of the struct page whose lru is at (hi, lo); throws on anything else (a corrupt link). */
export function lruToPfn(hi: number, lo: number): number {
  const pfn = vmemmapToPfn(hi, lo - LRU_OFFSET);
  if (pfn < 0) throw new Error(`free list link 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is neither a list head nor a struct page's lru`);
  return pfn;
}

/** Write the next (prev = false) or prev link of the list node at (hi, lo): a zone's list head or a page's lru. */
function setLink(fl: FreeLists, hi: number, lo: number, prev: boolean, vHi: number, vLo: number): void {
  let words: Uint32Array;
  let o: number;
  if (hi === FREE_LIST_HEAD_HI) {
    const bz = fl.zones[Math.floor(lo / ZONE_HEADS_STRIDE)]!;
    const rem = lo % ZONE_HEADS_STRIDE;
    const order = Math.floor(rem / FREE_AREA_SIZE);
    words = bz.heads;
    o = headWord(order, (rem - order * FREE_AREA_SIZE) / LIST_HEAD_SIZE) + (prev ? 2 : 0);
  } else {
    const pfn = lruToPfn(hi, lo);
    words = sectionMemmap(fl.memmap, pfn);
    o = pageWord(pfn) + (prev ? PageWord.LRU_PREV : PageWord.LRU_NEXT);
  }
  words[o] = vLo;
  words[o + 1] = vHi;
}

/** __list_del_entry(&page->lru): unlink, leaving the page's own links as they were. */
function listDelEntry(fl: FreeLists, mm: Uint32Array, w: number): void {
  const nLo = mm[w + PageWord.LRU_NEXT]!;
  const nHi = mm[w + PageWord.LRU_NEXT + 1]!;
  const pLo = mm[w + PageWord.LRU_PREV]!;
  const pHi = mm[w + PageWord.LRU_PREV + 1]!;
  setLink(fl, nHi, nLo, true, pHi, pLo);
  setLink(fl, pHi, pLo, false, nHi, nLo);
}

/** list_add() (tail = false: after the head) or list_add_tail() (before it) of pfn's lru. */
function listAdd(fl: FreeLists, bz: BuddyZone, pfn: number, order: number, mt: number, tail: boolean): void {
  const h = headWord(order, mt);
  const heads = bz.heads;
  const hLo = freeListHeadLo(bz.index, order, mt);
  const selfHi = vmemmapHi(pfn);
  const selfLo = vmemmapLo(pfn) + LRU_OFFSET;
  // The neighbours: head and head->next (list_add), or head->prev and head (list_add_tail).
  const pHi = tail ? heads[h + 3]! : FREE_LIST_HEAD_HI;
  const pLo = tail ? heads[h + 2]! : hLo;
  const nHi = tail ? FREE_LIST_HEAD_HI : heads[h + 1]!;
  const nLo = tail ? hLo : heads[h]!;
  setLink(fl, nHi, nLo, true, selfHi, selfLo);
  const mm = sectionMemmap(fl.memmap, pfn);
  const w = pageWord(pfn);
  mm[w + PageWord.LRU_NEXT] = nLo;
  mm[w + PageWord.LRU_NEXT + 1] = nHi;
  mm[w + PageWord.LRU_PREV] = pLo;
  mm[w + PageWord.LRU_PREV + 1] = pHi;
  setLink(fl, pHi, pLo, false, selfHi, selfLo);
}

/** mirrors add_to_free_list(): at the head of free_area[order].free_list[mt]. */
export function addToFreeList(fl: FreeLists, bz: BuddyZone, pfn: number, order: number, mt: number): void {
  listAdd(fl, bz, pfn, order, mt, false);
  bz.nrFree[order]!++;
}

/** mirrors add_to_free_list_tail(). */
export function addToFreeListTail(fl: FreeLists, bz: BuddyZone, pfn: number, order: number, mt: number): void {
  listAdd(fl, bz, pfn, order, mt, true);
  bz.nrFree[order]!++;
}

/**
 * list_splice_tail() of a chain of n blocks onto free_area[order].free_list[mt]: the chain runs
 * from `first` to `last` through lru (their outer links are written here) and each block is
 * already a buddy of that order.
 */
export function addToFreeListTailRun(fl: FreeLists, bz: BuddyZone, first: number, last: number, n: number, order: number, mt: number): void {
  const h = headWord(order, mt);
  const heads = bz.heads;
  const pHi = heads[h + 3]!;
  const pLo = heads[h + 2]!;
  const hLo = freeListHeadLo(bz.index, order, mt);
  const fm = sectionMemmap(fl.memmap, first);
  const fw = pageWord(first);
  fm[fw + PageWord.LRU_PREV] = pLo;
  fm[fw + PageWord.LRU_PREV + 1] = pHi;
  setLink(fl, pHi, pLo, false, vmemmapHi(first), vmemmapLo(first) + LRU_OFFSET);
  const lm = sectionMemmap(fl.memmap, last);
  const lw = pageWord(last);
  lm[lw + PageWord.LRU_NEXT] = hLo;
  lm[lw + PageWord.LRU_NEXT + 1] = FREE_LIST_HEAD_HI;
  heads[h + 2] = vmemmapLo(last) + LRU_OFFSET;
  heads[h + 3] = vmemmapHi(last);
  bz.nrFree[order]! += n;
}

/** mirrors move_to_free_list(): list_move_tail() onto another migratetype's list of the same order. */
export function moveToFreeList(fl: FreeLists, bz: BuddyZone, pfn: number, order: number, mt: number): void {
  listDelEntry(fl, sectionMemmap(fl.memmap, pfn), pageWord(pfn));
  listAdd(fl, bz, pfn, order, mt, true);
}

/**
 * mirrors del_page_from_free_list(): list_del() (the page's links become LIST_POISON1/2),
 * __ClearPageBuddy, private 0, nr_free down. Page reporting is not modelled.
 */
export function delPageFromFreeList(fl: FreeLists, bz: BuddyZone, pfn: number, order: number): void {
  const mm = sectionMemmap(fl.memmap, pfn);
  const w = pageWord(pfn);
  listDelEntry(fl, mm, w);
  mm[w + PageWord.LRU_NEXT] = LIST_POISON1_LO;
  mm[w + PageWord.LRU_NEXT + 1] = POISON_POINTER_DELTA_HI;
  mm[w + PageWord.LRU_PREV] = LIST_POISON2_LO;
  mm[w + PageWord.LRU_PREV + 1] = POISON_POINTER_DELTA_HI;
  clearPageBuddy(mm, w);
  setPagePrivate(mm, w, 0);
  bz.nrFree[order]!--;
}

/** mirrors get_page_from_free_area(): the first block's pfn, or -1 when the list is empty. */
export function getPageFromFreeArea(bz: BuddyZone, order: number, mt: number): number {
  const h = headWord(order, mt);
  const hi = bz.heads[h + 1]!;
  return hi === FREE_LIST_HEAD_HI ? -1 : lruToPfn(hi, bz.heads[h]!);
}

/** free_area_empty(). */
export const freeAreaEmpty = (bz: BuddyZone, order: number, mt: number): boolean =>
  bz.heads[headWord(order, mt) + 1] === FREE_LIST_HEAD_HI;

/**
 * list_for_each() over free_area[order].free_list[mt], counting at most `cap` entries (the
 * kernel's /proc/pagetypeinfo stops at 100000). Follows next links only.
 */
export function freeListCount(fl: FreeLists, bz: BuddyZone, order: number, mt: number, cap = Infinity): number {
  const h = headWord(order, mt);
  let hi = bz.heads[h + 1]!;
  let lo = bz.heads[h]!;
  let n = 0;
  while (hi !== FREE_LIST_HEAD_HI && n < cap) {
    const pfn = lruToPfn(hi, lo);
    const mm = sectionMemmap(fl.memmap, pfn);
    const w = pageWord(pfn);
    lo = mm[w + PageWord.LRU_NEXT]!;
    hi = mm[w + PageWord.LRU_NEXT + 1]!;
    n++;
  }
  return n;
}

/** The pfns of one free list in list order (for checks and tests; allocates). */
export function freeListPfns(fl: FreeLists, bz: BuddyZone, order: number, mt: number): number[] {
  const out: number[] = [];
  const h = headWord(order, mt);
  let hi = bz.heads[h + 1]!;
  let lo = bz.heads[h]!;
  while (hi !== FREE_LIST_HEAD_HI) {
    const pfn = lruToPfn(hi, lo);
    if (out.length > bz.zone.spannedPages) throw new Error(`free list ${freeListHeadHex(bz.index, order, mt)} loops (at ${vmemmapHex(pfn)})`);
    out.push(pfn);
    const mm = sectionMemmap(fl.memmap, pfn);
    lo = mm[pageWord(pfn) + PageWord.LRU_NEXT]!;
    hi = mm[pageWord(pfn) + PageWord.LRU_NEXT + 1]!;
  }
  return out;
}
