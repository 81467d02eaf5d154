// Struct page initialisation over pfn ranges and the reserved-page step of mem_init
// (mm/page_alloc.c, 6.1): __init_single_page over [start, end) (the loop every memmap init path
// shares), early_pfn_to_nid, early_page_uninitialised, init_reserved_page, reserve_bootmem_region.
import { MAX_NR_ZONES, NUMA_NO_NODE, PAGES_PER_SECTION } from '../include/mmzone.js';
import { FlagsLo } from '../include/page-flags.js';
import { pfnDown, pfnUp } from '../include/pfn.js';
import type { Memblock } from './memblock.js';
import { memblockSearchPfnNid } from './memblock.js';
import {
  initPageLru, initSinglePages, pageLinksHi, pagePoisonCheck, pageWord, setPageReserved, vmemmapHi, vmemmapLo,
} from './page.js';
import type { Memmap } from './sparse.js';
import { pfnToSection, pfnValid, sectionMemmap } from './sparse.js';
import { sectionKernel } from './wasm/page-kernel.js';
import { zoneEndPfn, type ZoneLayout } from './zone.js';

/** What mem_init's page steps read: memblock, the zones (with first_deferred_pfn set), the memmap. */
export interface MemInitContext {
  mb: Memblock;
  zones: ZoneLayout;
  memmap: Memmap;
  /** first_online_node: early_pfn_to_nid()'s answer for pfns outside memblock.memory. */
  firstOnlineNode: number;
  /** mminit_pfnnid_cache: the last memory region early_pfn_to_nid() found. */
  pfnNidCache: { start: number; end: number; nid: number };
}

export const memInitContext = (mb: Memblock, zones: ZoneLayout, memmap: Memmap, firstOnlineNode: number): MemInitContext =>
  ({ mb, zones, memmap, firstOnlineNode, pfnNidCache: { start: 0, end: 0, nid: NUMA_NO_NODE } });

/**
 * __init_single_page() for every pfn of [start, end), section by section. Every memmap init path
 * (early, unavailable ranges, deferred, reserved, hotplug) comes through here, so with trackInit
 * the per-pfn counters see each initialisation.
 */
export function initSinglePageRange(mm: Memmap, start: number, end: number, zone: number, nid: number): void {
  for (let pfn = start; pfn < end; ) {
    const next = Math.min(end, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
    const ms = pfnToSection(mm, pfn);
    const words = ms?.memmap ?? sectionMemmap(mm, pfn);
    const k = sectionKernel(mm.arenas, ms!);
    // The WebAssembly kernel writes the same bytes as initSinglePages(), four 16-byte stores a page.
    if (k) k.initPages(words.byteOffset + pageWord(pfn) * 4, next - pfn, FlagsLo.LAST_CPUPID_BITS, pageLinksHi(zone, nid), vmemmapLo(pfn) + 8, vmemmapHi(pfn));
    else initSinglePages(words, pageWord(pfn), pfn, next - pfn, zone, nid);
    const count = ms!.initCount;
    if (count) for (let i = pfn % PAGES_PER_SECTION, e = i + (next - pfn); i < e; i++) count[i]!++;
    pfn = next;
  }
}

/** early_pfn_to_nid() → __early_pfn_to_nid(): the node of pfn's memory region, cached. */
export function earlyPfnToNid(ctx: MemInitContext, pfn: number): number {
  const c = ctx.pfnNidCache;
  if (c.start <= pfn && pfn < c.end) return c.nid;
  const r = memblockSearchPfnNid(ctx.mb, pfn);
  if (!r || r.nid === NUMA_NO_NODE) return ctx.firstOnlineNode;
  c.start = r.startPfn;
  c.end = r.endPfn;
  c.nid = r.nid;
  return r.nid;
}

/** early_page_uninitialised(): pfn lies in its node's deferred part, so its struct page is not set up yet. */
export function earlyPageUninitialised(ctx: MemInitContext, pfn: number): boolean {
  const pg = ctx.zones.nodes.get(earlyPfnToNid(ctx, pfn));
  return !!pg && pfn >= pg.firstDeferredPfn;
}

/**
 * mirrors init_reserved_page(): a reserved pfn in the deferred part gets its struct page now,
 * in the first zone that spans it (MAX_NR_ZONES if none does, as the kernel's loop leaves it).
 */
export function initReservedPage(ctx: MemInitContext, pfn: number): void {
  if (!earlyPageUninitialised(ctx, pfn)) return;
  const nid = earlyPfnToNid(ctx, pfn);
  const zones = ctx.zones.nodes.get(nid)!.zones;
  let zid = 0;
  for (; zid < MAX_NR_ZONES; zid++) {
    const z = zones[zid]!;
    if (z.zoneStartPfn <= pfn && pfn < zoneEndPfn(z)) break;
  }
  initSinglePageRange(ctx.memmap, pfn, pfn + 1, zid, nid);
}

/**
 * mirrors reserve_bootmem_region(): every valid pfn of [PFN_DOWN(start), PFN_UP(end)) gets its
 * struct page (if deferred), a self-linked lru and PG_reserved. Marking a struct page that no
 * init path reached throws, naming the pfn (PF_POISONED_CHECK).
 */
export function reserveBootmemRegion(ctx: MemInitContext, start: number, end: number): void {
  const endPfn = pfnUp(end);
  for (let pfn = pfnDown(start); pfn < endPfn; pfn++) {
    if (!pfnValid(ctx.memmap, pfn)) continue;
    initReservedPage(ctx, pfn);
    const mm = sectionMemmap(ctx.memmap, pfn);
    const w = pageWord(pfn);
    pagePoisonCheck(mm, w, pfn, 'reserve_bootmem_region');
    initPageLru(mm, w, pfn);
    setPageReserved(mm, w);
  }
}
