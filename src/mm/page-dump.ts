// dump_page() for meminit: one struct page decoded — flags by name, node and zone, counts, the lru
// links as vmemmap addresses (and the pfns they point to), buddy order, the pageblock's migratetype.
import { MIGRATE_TYPE_NAMES, ZONE_NAMES } from '../include/mmzone.js';
import { PG } from '../include/page-flags.js';
import {
  buddyOrder, HI, pageBuddy, pageMapcountRaw, pagePoisoned, pageRefcount, pageToNid, PageWord, pageZonenum,
  testPageFlag, vmemmapHex, vmemmapToPfn,
} from './page.js';
import { getPageblockMigratetype } from './pageblock.js';
import { pageView, pfnValid, type Memmap } from './sparse.js';

export interface PageDump {
  pfn: number;
  /** The struct page's vmemmap address. */
  page: string;
  /** page->flags as 16 hex digits. */
  flagsRaw: string;
  flags: string[];
  nid: number;
  zone: string;
  refcount: number;
  /** _mapcount, or the page_type name when the word holds one ("buddy"). */
  mapcount: number | string;
  /** lru.next / lru.prev, and the pfn each points into (-1: not a struct page, e.g. a list head). */
  lru: { next: string; nextPfn: number; prev: string; prevPfn: number };
  mapping: string;
  index: string;
  private: string;
  /** For PageBuddy heads: the order of the free block. */
  buddyOrder?: number;
  migratetype: string;
}

const hex64 = (mm: Uint32Array, w: number): string =>
  `0x${mm[w + HI]!.toString(16).padStart(8, '0')}${mm[w]!.toString(16).padStart(8, '0')}`;

export class PageDumpError extends Error {}

export function dumpPage(memmap: Memmap, pfn: number): PageDump {
  if (!pfnValid(memmap, pfn)) throw new PageDumpError(`pfn 0x${pfn.toString(16)} has no struct page (its section has no memory)`);
  const { mm, w } = pageView(memmap, pfn);
  if (pagePoisoned(mm, w)) throw new PageDumpError(`pfn 0x${pfn.toString(16)}: struct page not initialised (poisoned)`);
  const flags = Object.entries(PG).filter(([, bit]) => testPageFlag(mm, w, bit)).map(([name]) => name);
  const buddy = pageBuddy(mm, w);
  // lru links point at the lru field of the neighbour, 8 bytes into its struct page.
  const link = (off: number): [string, number] => [hex64(mm, w + off), vmemmapToPfn(mm[w + off + HI]!, mm[w + off]! - 8)];
  const [next, nextPfn] = link(PageWord.LRU_NEXT);
  const [prev, prevPfn] = link(PageWord.LRU_PREV);
  const mt = getPageblockMigratetype(memmap, pfn);
  return {
    pfn, page: vmemmapHex(pfn), flagsRaw: hex64(mm, w + PageWord.FLAGS_LO), flags,
    nid: pageToNid(mm, w), zone: ZONE_NAMES[pageZonenum(mm, w)] ?? `zone ${pageZonenum(mm, w)}`,
    refcount: pageRefcount(mm, w), mapcount: buddy ? 'buddy' : pageMapcountRaw(mm, w),
    lru: { next, nextPfn, prev, prevPfn },
    mapping: hex64(mm, w + PageWord.MAPPING), index: hex64(mm, w + PageWord.INDEX), private: hex64(mm, w + PageWord.PRIVATE),
    ...(buddy ? { buddyOrder: buddyOrder(mm, w) } : {}),
    migratetype: MIGRATE_TYPE_NAMES[mt] ?? `invalid (${mt})`,
  };
}

/** The dump as text, in the spirit of the kernel's dump_page() and crash's kmem -p. */
export function formatPageDump(d: PageDump): string[] {
  const to = (pfn: number): string => (pfn >= 0 ? ` (pfn 0x${pfn.toString(16)}${pfn === d.pfn ? ', itself' : ''})` : ' (a list head)');
  return [
    `page:${d.page} refcount:${d.refcount} mapcount:${d.mapcount} mapping:${d.mapping} index:${d.index} pfn:0x${d.pfn.toString(16)}`,
    `flags: ${d.flagsRaw}(${d.flags.join('|')}) node:${d.nid} zone:${d.zone}`,
    `lru: next ${d.lru.next}${to(d.lru.nextPfn)} prev ${d.lru.prev}${to(d.lru.prevPfn)}`,
    `private: ${d.private}${d.buddyOrder !== undefined ? `  buddy: head of a free block of order ${d.buddyOrder}` : ''}`,
    `pageblock migratetype: ${d.migratetype}`,
  ];
}
