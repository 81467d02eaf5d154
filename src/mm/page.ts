// struct page of x86_64 Linux 6.1 (include/linux/mm_types.h) with Debian's config: 64 bytes =
// 16 u32 words, little endian. Accessors take the Uint32Array that holds the page (a section's
// memmap) and `w`, the word offset of the page in it (index within the section × PAGE_WORDS).
//
//  byte  word  field
//     0   0-1  flags            node | zone | last_cpupid | lru gen/refs | page flags (page-flags.ts)
//     8   2-3  lru.next         list_head; buddy_list of free pages; vmemmap addresses
//    16   4-5  lru.prev
//    24   6-7  mapping
//    32   8-9  index
//    40 10-11  private          buddy order of a free head
//    48    12  _mapcount        page_type shares it (union)
//    52    13  _refcount
//    56 14-15  memcg_data       (CONFIG_MEMCG); no _last_cpupid (it fits in flags), no virtual
import { PAGES_PER_SECTION } from '../include/mmzone.js';
import {
  FlagsHi, FlagsLo, PAGE_MAPCOUNT_RESERVE, PAGE_POISON_WORD, PAGE_TYPE_BASE, PG, PageType,
} from '../include/page-flags.js';
import { VMEMMAP_MAX_PFN, VMEMMAP_PFNS_PER_HI, VMEMMAP_START_HI, VMEMMAP_START_LO } from '../include/sparsemem.js';

export const PAGE_WORDS = 16;
export const PageWord = {
  FLAGS_LO: 0, FLAGS_HI: 1, LRU_NEXT: 2, LRU_PREV: 4, MAPPING: 6, INDEX: 8, PRIVATE: 10,
  MAPCOUNT: 12, REFCOUNT: 13, MEMCG: 14,
} as const;
/** Every pointer-sized field is two words, low half first. */
export const HI = 1;

/** Word offset of pfn's struct page within its section's memmap ("pfn 0x8003 → 48"). */
export const pageWord = (pfn: number): number => (pfn % PAGES_PER_SECTION) * PAGE_WORDS;

// --- vmemmap addresses: pfn_to_page() as a number pair, no BigInt ---

/** High half of the vmemmap address of pfn's struct page ("pfn 0x4000000 → 0xffffea01"). */
export const vmemmapHi = (pfn: number): number => VMEMMAP_START_HI + Math.floor(pfn / VMEMMAP_PFNS_PER_HI);
/** Low half ("pfn 1 → 0x40"). */
export const vmemmapLo = (pfn: number): number => VMEMMAP_START_LO + (pfn % VMEMMAP_PFNS_PER_HI) * 64;
/** page_to_pfn() of a vmemmap address given as halves; -1 when it is not a struct page address. */
export function vmemmapToPfn(hi: number, lo: number): number {
  const pfn = (hi - VMEMMAP_START_HI) * VMEMMAP_PFNS_PER_HI + (lo - VMEMMAP_START_LO) / 64;
  return pfn >= 0 && pfn < VMEMMAP_MAX_PFN && Number.isInteger(pfn) ? pfn : -1;
}
/** The address as text, for messages ("pfn 1 → 0xffffea0000000040"). */
export const vmemmapHex = (pfn: number): string =>
  `0x${vmemmapHi(pfn).toString(16).padStart(8, '0')}${vmemmapLo(pfn).toString(16).padStart(8, '0')}`;

// --- page->flags ---

/** page_zonenum(). */
export const pageZonenum = (mm: Uint32Array, w: number): number =>
  (mm[w + PageWord.FLAGS_HI]! >>> FlagsHi.ZONES_SHIFT) & FlagsHi.ZONES_MASK;
/** page_to_nid(). */
export const pageToNid = (mm: Uint32Array, w: number): number =>
  (mm[w + PageWord.FLAGS_HI]! >>> FlagsHi.NODES_SHIFT) & FlagsHi.NODES_MASK;
/** The flags-high word set_page_links() and page_cpupid_reset_last() leave: node, zone, cpupid ones. */
export const pageLinksHi = (zone: number, nid: number): number =>
  (((nid & FlagsHi.NODES_MASK) << FlagsHi.NODES_SHIFT) | ((zone & FlagsHi.ZONES_MASK) << FlagsHi.ZONES_SHIFT)
    | FlagsHi.LAST_CPUPID_BITS) >>> 0;
/** set_page_links(): zone and node (no section number with VMEMMAP). */
export function setPageLinks(mm: Uint32Array, w: number, zone: number, nid: number): void {
  const keep = mm[w + PageWord.FLAGS_HI]! & ~((FlagsHi.NODES_MASK << FlagsHi.NODES_SHIFT) | (FlagsHi.ZONES_MASK << FlagsHi.ZONES_SHIFT));
  mm[w + PageWord.FLAGS_HI] = keep | (pageLinksHi(zone, nid) & ~FlagsHi.LAST_CPUPID_BITS);
}

const flagWord = (bit: number): number => (bit < 32 ? PageWord.FLAGS_LO : PageWord.FLAGS_HI);
const flagMask = (bit: number): number => (1 << (bit % 32)) >>> 0;
export const testPageFlag = (mm: Uint32Array, w: number, bit: number): boolean =>
  (mm[w + flagWord(bit)]! & flagMask(bit)) !== 0;
export function setPageFlag(mm: Uint32Array, w: number, bit: number): void {
  mm[w + flagWord(bit)]! |= flagMask(bit);
}
export function clearPageFlag(mm: Uint32Array, w: number, bit: number): void {
  mm[w + flagWord(bit)]! &= ~flagMask(bit);
}
/** PageReserved() / __SetPageReserved() / __ClearPageReserved(). */
export const pageReserved = (mm: Uint32Array, w: number): boolean => (mm[w]! & (1 << PG.reserved)) !== 0;
export function setPageReserved(mm: Uint32Array, w: number): void {
  mm[w]! |= 1 << PG.reserved;
}
export function clearPageReserved(mm: Uint32Array, w: number): void {
  mm[w]! &= ~(1 << PG.reserved);
}
/** What free_pages_prepare() does to a freed page's flags: clear PAGE_FLAGS_CHECK_AT_PREP. */
export function clearPageFlagsAtPrep(mm: Uint32Array, w: number): void {
  mm[w]! &= ~FlagsLo.CHECK_AT_PREP;
}

// --- counts, page_type, private ---

export const pageRefcount = (mm: Uint32Array, w: number): number => mm[w + PageWord.REFCOUNT]! | 0;
/** set_page_count(). */
export function setPageCount(mm: Uint32Array, w: number, v: number): void {
  mm[w + PageWord.REFCOUNT] = v;
}
/** The raw _mapcount (signed): -1 when unmapped and typeless. */
export const pageMapcountRaw = (mm: Uint32Array, w: number): number => mm[w + PageWord.MAPCOUNT]! | 0;
export const pageType = (mm: Uint32Array, w: number): number => mm[w + PageWord.MAPCOUNT]!;
/** page_has_type(). */
export const pageHasType = (mm: Uint32Array, w: number): boolean => pageMapcountRaw(mm, w) < PAGE_MAPCOUNT_RESERVE;
/** PageBuddy(). */
export const pageBuddy = (mm: Uint32Array, w: number): boolean =>
  ((mm[w + PageWord.MAPCOUNT]! & (PAGE_TYPE_BASE | PageType.buddy)) >>> 0) === PAGE_TYPE_BASE;
/** __SetPageBuddy(): clear the type bit (the page must be typeless). */
export function setPageBuddy(mm: Uint32Array, w: number): void {
  mm[w + PageWord.MAPCOUNT]! &= ~PageType.buddy;
}
/** __ClearPageBuddy(). */
export function clearPageBuddy(mm: Uint32Array, w: number): void {
  mm[w + PageWord.MAPCOUNT]! |= PageType.buddy;
}
/** page_private() low half; buddy_order() of a free head. */
export const pagePrivate = (mm: Uint32Array, w: number): number => mm[w + PageWord.PRIVATE]!;
export function setPagePrivate(mm: Uint32Array, w: number, v: number): void {
  mm[w + PageWord.PRIVATE] = v;
  mm[w + PageWord.PRIVATE + HI] = 0;
}
export const buddyOrder = pagePrivate;
/** set_buddy_order(): private = order, then PageBuddy. */
export function setBuddyOrder(mm: Uint32Array, w: number, order: number): void {
  setPagePrivate(mm, w, order);
  setPageBuddy(mm, w);
}

// --- lru list_head: two vmemmap (or list-head) addresses ---

export function setPageLru(mm: Uint32Array, w: number, nextHi: number, nextLo: number, prevHi: number, prevLo: number): void {
  mm[w + PageWord.LRU_NEXT] = nextLo;
  mm[w + PageWord.LRU_NEXT + HI] = nextHi;
  mm[w + PageWord.LRU_PREV] = prevLo;
  mm[w + PageWord.LRU_PREV + HI] = prevHi;
}
/** INIT_LIST_HEAD(&page->lru): both links point at the page's own lru, i.e. its address + 8. */
export function initPageLru(mm: Uint32Array, w: number, pfn: number): void {
  const hi = vmemmapHi(pfn);
  const lo = vmemmapLo(pfn) + 8;
  setPageLru(mm, w, hi, lo, hi, lo);
}

// --- __init_single_page and poison ---

/**
 * mirrors __init_single_page() for `n` consecutive pfns of one section starting at word w:
 * zero, set_page_links, refcount 1, _mapcount -1, last_cpupid all ones, lru self-linked.
 */
export function initSinglePages(mm: Uint32Array, w: number, pfn: number, n: number, zone: number, nid: number): void {
  const flagsHi = pageLinksHi(zone, nid);
  const addrHi = vmemmapHi(pfn);
  let lru = vmemmapLo(pfn) + 8;
  const end = w + n * PAGE_WORDS;
  for (let o = w; o < end; o += PAGE_WORDS, lru += 64) {
    mm[o] = FlagsLo.LAST_CPUPID_BITS;
    mm[o + 1] = flagsHi;
    mm[o + 2] = lru;
    mm[o + 3] = addrHi;
    mm[o + 4] = lru;
    mm[o + 5] = addrHi;
    mm[o + 6] = 0;
    mm[o + 7] = 0;
    mm[o + 8] = 0;
    mm[o + 9] = 0;
    mm[o + 10] = 0;
    mm[o + 11] = 0;
    mm[o + 12] = 0xffffffff;
    mm[o + 13] = 1;
    mm[o + 14] = 0;
    mm[o + 15] = 0;
  }
}
/** __init_single_page() of one page. */
export const initSinglePage = (mm: Uint32Array, w: number, pfn: number, zone: number, nid: number): void =>
  initSinglePages(mm, w, pfn, 1, zone, nid);

/** page_init_poison(): 0xff over n struct pages from word w. */
export function pageInitPoison(mm: Uint32Array, w: number, n: number): void {
  mm.fill(PAGE_POISON_WORD, w, w + n * PAGE_WORDS);
}
/** PagePoisoned(): flags == -1. */
export const pagePoisoned = (mm: Uint32Array, w: number): boolean =>
  mm[w + PageWord.FLAGS_LO] === PAGE_POISON_WORD && mm[w + PageWord.FLAGS_HI] === PAGE_POISON_WORD;

export class PoisonedPageError extends Error {
  constructor(readonly pfn: number, what = 'read') {
    super(`${what} of poisoned struct page: pfn 0x${pfn.toString(16)} (page ${vmemmapHex(pfn)}) was never initialised`);
  }
}
/** PF_POISONED_CHECK(): throw, naming the pfn, when the struct page is still poisoned. */
export function pagePoisonCheck(mm: Uint32Array, w: number, pfn: number, what?: string): void {
  if (pagePoisoned(mm, w)) throw new PoisonedPageError(pfn, what);
}

// --- ZONE_DEVICE: page->pgmap and page->zone_device_data overlay lru.next and lru.prev ---

/** Word offsets of the ZONE_DEVICE members of the first union (include/linux/mm_types.h). */
export const ZoneDeviceWord = { PGMAP: PageWord.LRU_NEXT, ZONE_DEVICE_DATA: PageWord.LRU_PREV } as const;
/** page->pgmap, low half. */
export const pagePgmapLo = (mm: Uint32Array, w: number): number => mm[w + ZoneDeviceWord.PGMAP]!;
/** page->pgmap, high half. */
export const pagePgmapHi = (mm: Uint32Array, w: number): number => mm[w + ZoneDeviceWord.PGMAP + HI]!;
/** page->pgmap = pgmap (an address as halves). */
export function setPagePgmap(mm: Uint32Array, w: number, hi: number, lo: number): void {
  mm[w + ZoneDeviceWord.PGMAP] = lo;
  mm[w + ZoneDeviceWord.PGMAP + HI] = hi;
}
/** page->zone_device_data is NULL. */
export const pageZoneDeviceDataNull = (mm: Uint32Array, w: number): boolean =>
  mm[w + ZoneDeviceWord.ZONE_DEVICE_DATA] === 0 && mm[w + ZoneDeviceWord.ZONE_DEVICE_DATA + HI] === 0;
