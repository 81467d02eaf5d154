// Handing boot memory to the buddy allocator (mm/page_alloc.c, 6.1): memblock_free_pages,
// __free_pages_core, free_reserved_area and the part of __free_pages_ok() before __free_one_page(). The buddy
// allocator itself sits behind BuddyFreeTarget, so this file needs nothing of its lists.
import { FlagsHi, FlagsLo, PG } from '../include/page-flags.js';
import { pfnDown, pfnUp } from '../include/pfn.js';
import {
  clearPageFlagsAtPrep, PAGE_WORDS, pagePoisonCheck, pageReserved, pageToNid, pageWord, pageZonenum, PageWord, setPagePrivate,
} from './page.js';
import type { Machine } from '../kernel/machine.js';
import type { MemInitContext } from './page-init.js';
import { earlyPageUninitialised } from './page-init.js';
import { getPageblockMigratetype } from './pageblock.js';
import { pfnToSection, sectionMemmap } from './sparse.js';
import { sectionKernel } from './wasm/page-kernel.js';

/** fpi_t flags of __free_pages_ok() / __free_one_page(). */
export const Fpi = { NONE: 0, SKIP_REPORT_NOTIFY: 1, TO_TAIL: 2, SKIP_KASAN_POISON: 4 } as const;

/**
 * Flags-low mask of the per-page pass when __free_pages_core()'s PG_reserved clearing and
 * free_pages_prepare()'s PAGE_FLAGS_CHECK_AT_PREP clearing go in one pass (the wasm kernel's
 * freeCorePages(), deferred init's whole blocks).
 */
export const FREE_CORE_KEEP_LO = ~(1 << PG.reserved) & ~FlagsLo.CHECK_AT_PREP;

/** The buddy allocator as the free path sees it. */
export interface BuddyFreeTarget {
  /** __free_one_page(): put the prepared block [pfn, pfn + 2^order) on zone (nid, zid)'s free lists, merging. */
  freeOnePage(pfn: number, order: number, nid: number, zid: number, migratetype: number, fpiFlags: number): void;
  /**
   * n whole MAX_ORDER blocks from pfn that deferred init freed (deferredInitMaxorderBlocks()):
   * each is already a buddy of order MAX_ORDER - 1 whose lru links to the next one. Append them
   * to the tail of free_list[migratetype], as n __free_one_page(FPI_TO_TAIL) calls that find
   * nothing to merge would: one list_splice_tail().
   */
  freeMaxOrderRun(pfn: number, n: number, nid: number, zid: number, migratetype: number): void;
}

/** The zone a struct page links to: page_zone(). */
function pageZone(ctx: Pick<MemInitContext, 'zones'>, mm: Uint32Array, w: number): { managedPages: number } {
  const nid = pageToNid(mm, w);
  const z = ctx.zones.nodes.get(nid)?.zones[pageZonenum(mm, w)];
  if (!z) throw new Error(`struct page links to node ${nid} zone ${pageZonenum(mm, w)}, which does not exist`);
  return z;
}

/**
 * mirrors __free_pages_ok() up to __free_one_page(): free_pages_prepare() (tail pages and head
 * lose PAGE_FLAGS_CHECK_AT_PREP, the head gets last_cpupid reset and private 0; the bad-page
 * checks are not modelled), then the pageblock's migratetype picks the free list. No pageblock
 * isolation exists yet, so has_isolate_pageblock() is false.
 */
export function freePagesOk(buddy: BuddyFreeTarget, ctx: Pick<MemInitContext, 'memmap'>, pfn: number, order: number, fpiFlags: number): void {
  const mm = sectionMemmap(ctx.memmap, pfn);
  const w = pageWord(pfn);
  const n = 2 ** order;
  for (let i = 1; i < n; i++) clearPageFlagsAtPrep(mm, w + i * PAGE_WORDS);
  freePagesOkHead(buddy, ctx, mm, w, pfn, order, fpiFlags);
}

/** free_pages_prepare() on the head of a block: last_cpupid reset, PAGE_FLAGS_CHECK_AT_PREP off, private 0. */
export function freePagesPrepareHead(mm: Uint32Array, w: number): void {
  mm[w + PageWord.FLAGS_LO] = (mm[w + PageWord.FLAGS_LO]! | FlagsLo.LAST_CPUPID_BITS) >>> 0;
  mm[w + PageWord.FLAGS_HI] = (mm[w + PageWord.FLAGS_HI]! | FlagsHi.LAST_CPUPID_BITS) >>> 0;
  clearPageFlagsAtPrep(mm, w);
  setPagePrivate(mm, w, 0);
}

/** freePagesOk() once the tail pages are prepared: the head's part, then __free_one_page(). */
function freePagesOkHead(buddy: BuddyFreeTarget, ctx: Pick<MemInitContext, 'memmap'>, mm: Uint32Array, w: number, pfn: number, order: number, fpiFlags: number): void {
  freePagesPrepareHead(mm, w);
  buddy.freeOnePage(pfn, order, pageToNid(mm, w), pageZonenum(mm, w), getPageblockMigratetype(ctx.memmap, pfn), fpiFlags);
}

/**
 * mirrors __free_pages_core(): the block's pages go from "allocated, reserved" (refcount 1,
 * PG_reserved) to refcount 0, the zone's managed_pages grows, and the block is freed to the
 * tail of its list (FPI_TO_TAIL, as memory onlining wants).
 */
export function freePagesCore(buddy: BuddyFreeTarget, ctx: Pick<MemInitContext, 'memmap' | 'zones'>, pfn: number, order: number): void {
  const ms = pfnToSection(ctx.memmap, pfn);
  const mm = ms?.memmap ?? sectionMemmap(ctx.memmap, pfn);
  const w = pageWord(pfn);
  pagePoisonCheck(mm, w, pfn, '__free_pages_core');
  const n = 2 ** order;
  // Below 64 pages the call into WebAssembly costs more than the JS loop saves.
  const k = n >= 64 ? sectionKernel(ctx.memmap.arenas, ms!) : undefined;
  if (k) {
    // One pass for both loops: PG_reserved and refcount here, free_pages_prepare()'s flag clearing
    // of every page (the head's is redone after its last_cpupid reset), as freePagesOk() would.
    k.freeCorePages(mm.byteOffset + w * 4, n, FREE_CORE_KEEP_LO);
    pageZone(ctx, mm, w).managedPages += n;
    freePagesOkHead(buddy, ctx, mm, w, pfn, order, Fpi.TO_TAIL | Fpi.SKIP_KASAN_POISON);
    return;
  }
  freeCorePagesJs(mm, w, n);
  pageZone(ctx, mm, w).managedPages += n;
  freePagesOk(buddy, ctx, pfn, order, Fpi.TO_TAIL | Fpi.SKIP_KASAN_POISON);
}

/**
 * __free_pages_core()'s per-page loop in JS: flags lo &= keepLo (PG_reserved off; the caller may
 * fold in free_pages_prepare()'s clearing, as the wasm kernel's freeCorePages() does), refcount 0,
 * for n pages from word w.
 */
export function freeCorePagesJs(mm: Uint32Array, w: number, n: number, keepLo = ~(1 << PG.reserved)): void {
  for (let o = w, end = w + n * PAGE_WORDS; o < end; o += PAGE_WORDS) {
    mm[o] = mm[o]! & keepLo;
    mm[o + PageWord.REFCOUNT] = 0;
  }
}

/**
 * mirrors free_reserved_area() over pfns [startPfn, endPfn): free_reserved_page() on each —
 * PG_reserved off, the boot-time reference dropped, the page freed as order 0 (merging with its
 * buddies; per-cpu lists are not modelled) and counted in its zone's managed pages. Returns the
 * pages freed, for totalram_pages. A page that is not PG_reserved is a caller's bug (the kernel
 * would free it twice): it throws, naming the pfn.
 */
export function freeReservedArea(buddy: BuddyFreeTarget, ctx: Pick<MemInitContext, 'memmap' | 'zones'>, startPfn: number, endPfn: number): number {
  for (let pfn = startPfn; pfn < endPfn; pfn++) {
    const mm = sectionMemmap(ctx.memmap, pfn);
    const w = pageWord(pfn);
    pagePoisonCheck(mm, w, pfn, 'free_reserved_area');
    if (!pageReserved(mm, w)) throw new Error(`free_reserved_area: pfn 0x${pfn.toString(16)} is not PG_reserved`);
    freeCorePagesJs(mm, w, 1);
    pageZone(ctx, mm, w).managedPages++;
    freePagesOk(buddy, ctx, pfn, 0, Fpi.NONE);
  }
  return Math.max(endPfn - startPfn, 0);
}

/**
 * free_reserved_area() on a machine over the bytes [start, end): the whole pages inside freed
 * (freeReservedArea()), totalram_pages raised by as many (adjust_managed_page_count()), and the
 * range recorded in m.lateFreed, since memblock still lists it as reserved. Returns the pages.
 */
export function machineFreeReservedArea(m: Machine, start: number, end: number): number {
  const pages = freeReservedArea(m.buddy!, { memmap: m.memmap!, zones: m.zones! }, pfnUp(start), pfnDown(end));
  m.totalramPages = (m.totalramPages ?? 0) + pages;
  (m.lateFreed ??= []).push([start, end]);
  return pages;
}

/** mirrors memblock_free_pages(): deferred pfns are left to deferred init (their struct pages are not set up). */
export function memblockFreePages(buddy: BuddyFreeTarget, ctx: MemInitContext, pfn: number, order: number): void {
  if (earlyPageUninitialised(ctx, pfn)) return;
  freePagesCore(buddy, ctx, pfn, order);
}
