// Invariants of the buddy allocator's free areas, checked from the struct pages and list heads
// alone: every list is a well-formed doubly linked ring; every block on it is a PageBuddy head of
// that order, aligned, inside its zone, refcount 0; blocks do not overlap; no other initialised
// struct page linked to the zone is PageBuddy; nr_free and NR_FREE_PAGES agree with the lists; managed
// = free + allocated. Returns the problems found (at most `limit`), each naming pfns;
// checkFreeAreasReport() hands them over with a kind and pfn instead (src/mm/check.ts uses it).
import { MAX_ORDER, MIGRATE_TYPE_NAMES, MIGRATE_TYPES, MigrateType } from '../include/mmzone.js';
import type { BuddyZone } from './free-area.js';
import { FREE_LIST_HEAD_HI, freeListHeadHex, freeListHeadLo, headWord, LRU_OFFSET, lruToPfn } from './free-area.js';
import { PAGES_PER_SUBSECTION } from '../include/sparsemem.js';
import {
  buddyOrder, PAGE_WORDS, pageBuddy, pagePoisoned, pageRefcount, pageToNid, PageWord, pageWord, pageZonenum, vmemmapHi, vmemmapLo,
} from './page.js';
import type { Buddy } from './page-alloc.js';
import { earlySection, pfnSectionValid, pfnToSection, sectionMemmap } from './sparse.js';
import { zoneEndPfn } from './zone.js';

const hex = (pfn: number): string => `0x${pfn.toString(16)}`;

/** What a free-area problem is about; checkMachine() reports these kinds as they are. */
export type FreeAreaProblem =
  | 'free-list' | 'free-misaligned' | 'free-outside-zone' | 'free-head' | 'free-overlap' | 'buddy-not-listed' | 'free-count' | 'managed';

/** Receives each problem: its kind, the zone, a message naming it, the pfn when there is one. */
export type FreeAreaReport = (kind: FreeAreaProblem, bz: BuddyZone, message: string, pfn?: number) => void;

/** A block found on a free list. */
export interface FreeBlock {
  pfn: number;
  order: number;
}

/** Walk one list both ways; returns its pfns in order, reporting broken links. */
function walkList(b: Buddy, bz: BuddyZone, order: number, mt: number, reportAll: FreeAreaReport): number[] {
  const report = (m: string, pfn?: number): void => reportAll('free-list', bz, m, pfn);
  const where = `node ${bz.nid} ${bz.zone.name} order ${order} ${MIGRATE_TYPE_NAMES[mt]} list ${freeListHeadHex(bz.index, order, mt)}`;
  const h = headWord(order, mt);
  const headLo = freeListHeadLo(bz.index, order, mt);
  let prevHi = FREE_LIST_HEAD_HI;
  let prevLo = headLo;
  let hi = bz.heads[h + 1]!;
  let lo = bz.heads[h]!;
  const out: number[] = [];
  while (hi !== FREE_LIST_HEAD_HI) {
    let pfn: number;
    try {
      pfn = lruToPfn(hi, lo);
    } catch (e) {
      report(`${where}: ${(e as Error).message}`);
      return out;
    }
    if (out.length > bz.zone.spannedPages) {
      report(`${where}: does not come back to its head`);
      return out;
    }
    const mm = sectionMemmap(b.memmap, pfn);
    const w = pageWord(pfn);
    if (mm[w + PageWord.LRU_PREV] !== prevLo || mm[w + PageWord.LRU_PREV + 1] !== prevHi) report(`${where}: pfn ${hex(pfn)}'s prev link is not the entry before it`, pfn);
    out.push(pfn);
    prevHi = vmemmapHi(pfn);
    prevLo = vmemmapLo(pfn) + LRU_OFFSET;
    lo = mm[w + PageWord.LRU_NEXT]!;
    hi = mm[w + PageWord.LRU_NEXT + 1]!;
  }
  if (lo !== headLo) report(`${where}: the last entry links to another list head`);
  if (bz.heads[h + 2] !== prevLo || bz.heads[h + 3] !== prevHi) report(`${where}: the head's prev link is not the last entry`);
  return out;
}

/** Check one zone's free area. */
function checkZone(b: Buddy, bz: BuddyZone, report: FreeAreaReport, blocks: FreeBlock[]): void {
  const z = bz.zone;
  const heads = new Map<number, number>();
  let free = 0;
  let isolated = 0;
  for (let order = 0; order < MAX_ORDER; order++) {
    let n = 0;
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      for (const pfn of walkList(b, bz, order, mt, report)) {
        n++;
        blocks.push({ pfn, order });
        if (mt === MigrateType.ISOLATE) isolated += 1 << order;
        else free += 1 << order;
        const at = `node ${bz.nid} ${z.name}: free block ${hex(pfn)}/${order}`;
        if (heads.has(pfn)) report('free-list', bz, `${at} is on two lists`, pfn);
        heads.set(pfn, order);
        if (pfn % (1 << order) !== 0) report('free-misaligned', bz, `${at} is not aligned to its order`, pfn);
        if (pfn < z.zoneStartPfn || pfn + (1 << order) > zoneEndPfn(z)) report('free-outside-zone', bz, `${at} is outside the zone`, pfn);
        const mm = sectionMemmap(b.memmap, pfn);
        const w = pageWord(pfn);
        if (!pageBuddy(mm, w) || buddyOrder(mm, w) !== order) report('free-head', bz, `${at}: head is not PageBuddy with private ${order}`, pfn);
        if (pageRefcount(mm, w) !== 0) report('free-head', bz, `${at}: head has refcount ${pageRefcount(mm, w)}`, pfn);
        if (pageToNid(mm, w) !== bz.nid || pageZonenum(mm, w) !== bz.zid) report('free-head', bz, `${at}: head links to node ${pageToNid(mm, w)} zone ${pageZonenum(mm, w)}`, pfn);
      }
    }
    if (n !== bz.nrFree[order]) report('free-count', bz, `node ${bz.nid} ${z.name}: nr_free[${order}] is ${bz.nrFree[order]}, the lists hold ${n}`);
  }
  const sorted = [...heads].sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < sorted.length; i++) {
    const [p, o] = sorted[i - 1]!;
    if (p + (1 << o) > sorted[i]![0]) report('free-overlap', bz, `node ${bz.nid} ${z.name}: free blocks ${hex(p)}/${o} and ${hex(sorted[i]![0])}/${sorted[i]![1]} overlap`, sorted[i]![0]);
  }
  // pfn_valid() per subsection (an early section is valid throughout), then the pages one by one.
  for (let pfn = z.zoneStartPfn, end = zoneEndPfn(z); pfn < end; ) {
    const ms = pfnToSection(b.memmap, pfn);
    const next = Math.min(end, pfn - (pfn % PAGES_PER_SUBSECTION) + PAGES_PER_SUBSECTION);
    if (ms?.memmap && (earlySection(ms) || pfnSectionValid(ms, pfn))) {
      const mm = ms.memmap;
      for (let p = pfn, w = pageWord(pfn); p < next; p++, w += PAGE_WORDS) {
        // Zone spans may overlap (hot-added Normal and Movable interleave; a Device zone spans RAM
        // between pmem ranges): only this zone's pages count.
        if (pageBuddy(mm, w) && !pagePoisoned(mm, w) && !heads.has(p) && pageToNid(mm, w) === bz.nid && pageZonenum(mm, w) === bz.zid) report('buddy-not-listed', bz, `node ${bz.nid} ${z.name}: pfn ${hex(p)} is PageBuddy but heads no free list entry`, p);
      }
    }
    pfn = next;
  }
  if (bz.freePages !== free) report('free-count', bz, `node ${bz.nid} ${z.name}: NR_FREE_PAGES is ${bz.freePages}, the lists hold ${free} (+${isolated} isolated)`);
  if (z.managedPages !== free + isolated + bz.allocatedPages) {
    report('managed', bz, `node ${bz.nid} ${z.name}: managed ${z.managedPages} != free ${free + isolated} + allocated ${bz.allocatedPages}`);
  }
}

/** Check every zone (or the given ones), reporting each problem; returns the blocks on the free lists. */
export function checkFreeAreasReport(b: Buddy, zones: readonly BuddyZone[], report: FreeAreaReport): FreeBlock[] {
  const blocks: FreeBlock[] = [];
  for (const bz of zones) checkZone(b, bz, report, blocks);
  return blocks;
}

/** Check every zone (or the given ones); returns up to `limit` problems, empty when all holds. */
export function checkFreeAreas(b: Buddy, zones: readonly BuddyZone[] = b.zones.filter((z): z is BuddyZone => !!z), limit = 20): string[] {
  const problems: string[] = [];
  checkFreeAreasReport(b, zones, (_kind, _bz, m) => {
    if (problems.length < limit) problems.push(m);
  });
  return problems;
}
