// SPARSEMEM_VMEMMAP (mm/sparse.c, mm/sparse-vmemmap.c): the memmap is per 128 MiB section, 2 MiB
// (32768 struct pages) each, in a slot of a shared WebAssembly memory (wasm/arena.ts) so the
// WebAssembly page kernel and workers reach it, and hotplug adds and removes sections (a host
// without WebAssembly gets one SharedArrayBuffer per section). Each section also has its mem_section_usage (subsection map + pageblock
// bits), allocated per node at boot like sparse_init_nid() does, and zeroed.
//
// Host memory: the memmap is 1/64 of the machine. The seed's 384 GiB node needs 6 GiB (3072
// sections); on the 24 GiB development host that fits with room for a copy-free worker pool, so
// the default budget is 8 GiB. First touch is what costs: the poison fill of fresh buffers ran at
// about 7 s/GiB there (page faults of the VM), a second fill of the same bytes at 4-10 GB/s.
import { MAX_NUMNODES, PAGES_PER_SECTION, pfnToSectionNr, sectionNrToPfn } from '../include/mmzone.js';
import { SZ_1G } from '../include/pfn.js';
import {
  PAGES_PER_SUBSECTION, SECTION_MEMMAP_BYTES, SectionFlag,
  USAGE_WORDS, UsageWord,
} from '../include/sparsemem.js';
import type { Memblock } from './memblock.js';
import { forEachMemPfnRange } from './memblock.js';
import { pageInitPoison, pagePoisonCheck, pageWord } from './page.js';
import { arenaAlloc, arenaFree, arenaReserve, arenasAvailable, arenaView, type MemmapArena } from './wasm/arena.js';

export const DEFAULT_MEMMAP_BUDGET = 8 * SZ_1G;
export const EEXIST = -17;
export const EINVAL = -22;
export const ENOMEM = -12;

/** struct mem_section, with the memmap it points at. */
export interface MemSection {
  nr: number;
  /** The node that marked it present (sparse_early_nid()) or hot-added it. */
  nid: number;
  /** section_mem_map flag bits (SectionFlag). */
  flags: number;
  /** The struct pages of the section's pfns; undefined when not populated. */
  memmap: Uint32Array | undefined;
  /** mem_section_usage words (UsageWord): a view into a per-node buffer at boot. */
  usage: Uint32Array;
  /** With trackInit: how many times each pfn's struct page was initialised. */
  initCount: Uint8Array | undefined;
  /** The memmap arena holding `memmap` (at memmap.byteOffset); -1 or absent for a plain buffer. */
  arena?: number;
}

export interface MemmapOptions {
  /** Bytes of host memory the memmap may take; refused up front beyond it. */
  budgetBytes?: number;
  /** page_init_poison() on allocation (0xff); the kernel does it with vm_debug=p (DEBUG_VM). */
  poison?: boolean;
  /** Count initialisations per pfn (for the checker): 1 byte per page more. */
  trackInit?: boolean;
  /** Called after each section's memmap is allocated (the CLI's progress bar). */
  progress?: (done: number, total: number) => void;
  /** Section memmaps in WebAssembly arenas, written by the wasm page kernel (default: where the host can). */
  wasm?: boolean;
}

/** The machine's vmemmap: sections by number. Plain data over SharedArrayBuffers, so postMessage shares it. */
export interface Memmap {
  sections: (MemSection | undefined)[];
  budgetBytes: number;
  /** Bytes of memmap (and init counters) currently allocated. */
  allocatedBytes: number;
  poison: boolean;
  trackInit: boolean;
  /** The shared memories the section memmaps live in; empty when they are plain buffers. */
  arenas: MemmapArena[];
  /** New sections go to arenas. */
  wasm: boolean;
}

export class MemmapBudgetError extends Error {
  constructor(readonly neededBytes: number, readonly availableBytes: number, what: string) {
    super(`${what}: the memmap needs ${neededBytes} bytes (${(neededBytes / SZ_1G).toFixed(2)} GiB), `
      + `only ${availableBytes} bytes (${(availableBytes / SZ_1G).toFixed(2)} GiB) are available`);
  }
}

/** Host bytes one populated section costs. */
export const sectionBytes = (trackInit: boolean): number => SECTION_MEMMAP_BYTES + (trackInit ? PAGES_PER_SECTION : 0);

export const presentSection = (ms: MemSection | undefined): boolean => !!ms && (ms.flags & SectionFlag.MARKED_PRESENT) !== 0;
export const validSection = (ms: MemSection | undefined): boolean => !!ms && (ms.flags & SectionFlag.HAS_MEM_MAP) !== 0;
export const earlySection = (ms: MemSection | undefined): boolean => !!ms && (ms.flags & SectionFlag.IS_EARLY) !== 0;
export const pfnToSection = (mm: Memmap, pfn: number): MemSection | undefined => mm.sections[pfnToSectionNr(pfn)];

/** memblocks_present() → memory_present(): section numbers in order, each with the first node that covers it. */
export function memblocksPresent(mb: Memblock): Map<number, number> {
  const present = new Map<number, number>();
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    for (let nr = pfnToSectionNr(r.startPfn); nr <= pfnToSectionNr(r.endPfn - 1); nr++) {
      if (!present.has(nr)) present.set(nr, r.nid);
    }
  }
  return new Map([...present].sort((a, b) => a[0] - b[0]));
}

function reserveBytes(mm: Memmap, bytes: number, what: string): void {
  if (mm.allocatedBytes + bytes > mm.budgetBytes) {
    throw new MemmapBudgetError(mm.allocatedBytes + bytes, mm.budgetBytes, what);
  }
  mm.allocatedBytes += bytes;
}

/** __populate_section_memmap(): a fresh 2 MiB of struct pages, poisoned when asked. */
function populateSectionMemmap(mm: Memmap, ms: MemSection): void {
  reserveBytes(mm, sectionBytes(mm.trackInit), `section ${ms.nr}`);
  if (mm.wasm) {
    const slot = arenaAlloc(mm.arenas);
    ms.memmap = arenaView(mm.arenas, slot);
    ms.arena = slot.arena;
    // A reused slot holds a removed section's bytes; a fresh buffer reads zero.
    if (slot.reused && !mm.poison) ms.memmap.fill(0);
  } else {
    ms.memmap = new Uint32Array(new SharedArrayBuffer(SECTION_MEMMAP_BYTES));
    ms.arena = -1;
  }
  if (mm.poison) pageInitPoison(ms.memmap, 0, PAGES_PER_SECTION);
  if (mm.trackInit) ms.initCount = new Uint8Array(new SharedArrayBuffer(PAGES_PER_SECTION));
}

export function memmapNew(opts: MemmapOptions = {}): Memmap {
  return {
    sections: [], budgetBytes: opts.budgetBytes ?? DEFAULT_MEMMAP_BUDGET, allocatedBytes: 0,
    poison: opts.poison ?? true, trackInit: opts.trackInit ?? false,
    arenas: [], wasm: (opts.wasm ?? true) && arenasAvailable(),
  };
}

/**
 * mirrors sparse_init(): every section holding memblock memory gets its memmap (refused before
 * any allocation when over budget), node by node with one usage buffer per run of sections, then
 * subsection_map_init() over the memory ranges (free_area_init() does that step in the kernel).
 */
export function sparseInit(mb: Memblock, opts: MemmapOptions = {}): Memmap {
  const mm = memmapNew(opts);
  const present = memblocksPresent(mb);
  const needed = present.size * sectionBytes(mm.trackInit);
  if (needed > mm.budgetBytes) throw new MemmapBudgetError(needed, mm.budgetBytes, `${present.size} present sections`);
  if (mm.wasm) arenaReserve(mm.arenas, present.size);
  const runs: [number, number][][] = [];
  let done = 0;
  let prevNid = NaN;
  for (const [nr, nid] of present) {
    if (nid !== prevNid) runs.push([]);
    runs[runs.length - 1]!.push([nr, nid]);
    prevNid = nid;
  }
  for (const run of runs) {
    const usage = new SharedArrayBuffer(run.length * USAGE_WORDS * 4);
    run.forEach(([nr, nid], i) => {
      const ms: MemSection = {
        nr, nid, flags: SectionFlag.MARKED_PRESENT | SectionFlag.IS_ONLINE | SectionFlag.HAS_MEM_MAP | SectionFlag.IS_EARLY,
        memmap: undefined, usage: new Uint32Array(usage, i * USAGE_WORDS * 4, USAGE_WORDS), initCount: undefined,
      };
      populateSectionMemmap(mm, ms);
      mm.sections[nr] = ms;
      opts.progress?.(++done, present.size);
    });
  }
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) subsectionMapInit(mm, r.startPfn, r.endPfn - r.startPfn);
  return mm;
}

/** subsection_mask_set(): the bits of the subsections [pfn, pfn + n) touches, as the u64 map's u32 halves. */
function subsectionMask(pfn: number, n: number): [number, number] {
  const first = Math.floor((pfn % PAGES_PER_SECTION) / PAGES_PER_SUBSECTION);
  const last = Math.floor(((pfn + n - 1) % PAGES_PER_SECTION) / PAGES_PER_SUBSECTION);
  const half = [0, 0];
  for (let b = first; b <= last; b++) half[b >> 5]! |= 1 << (b & 31);
  return [half[0]! >>> 0, half[1]! >>> 0];
}

const SM = UsageWord.SUBSECTION_MAP;
/** How many of the mask's bits a section's subsection map has: 'none', 'some' or 'all'. */
function subsectionMapHas(u: Uint32Array, [lo, hi]: [number, number]): 'none' | 'some' | 'all' {
  const l = (u[SM]! & lo) >>> 0;
  const h = (u[SM + 1]! & hi) >>> 0;
  return l === lo && h === hi ? 'all' : l || h ? 'some' : 'none';
}
function subsectionMapSet(u: Uint32Array, [lo, hi]: [number, number], set: boolean): void {
  u[SM] = (set ? u[SM]! | lo : u[SM]! & ~lo) >>> 0;
  u[SM + 1] = (set ? u[SM + 1]! | hi : u[SM + 1]! & ~hi) >>> 0;
}

/** mirrors subsection_map_init(): mark the subsections of [pfn, pfn + n) in each section's usage. */
export function subsectionMapInit(mm: Memmap, pfn: number, n: number): void {
  const end = pfn + n;
  for (let p = pfn; p < end; ) {
    const next = Math.min(sectionNrToPfn(pfnToSectionNr(p) + 1), end);
    subsectionMapSet(pfnToSection(mm, p)!.usage, subsectionMask(p, next - p), true);
    p = next;
  }
}

/** pfn_section_valid(): the subsection of pfn is populated. */
export function pfnSectionValid(ms: MemSection, pfn: number): boolean {
  return subsectionMapHas(ms.usage, subsectionMask(pfn, 1)) === 'all';
}

/** pfn_valid(): a struct page exists (early sections are fully populated). */
export function pfnValid(mm: Memmap, pfn: number): boolean {
  const ms = pfnToSection(mm, pfn);
  return validSection(ms) && (earlySection(ms) || pfnSectionValid(ms!, pfn));
}

/**
 * mirrors sparse_add_section() (memory hotplug): section_activate() fills the subsection map
 * (EEXIST if any is there, EINVAL if empty), populates the memmap unless a partial add lands in
 * an early section, poisons the added struct pages, marks the section present with a memmap.
 */
export function sparseAddSection(mm: Memmap, nid: number, startPfn: number, nrPages: number): number {
  const nr = pfnToSectionNr(startPfn);
  if (nrPages <= 0 || pfnToSectionNr(startPfn + nrPages - 1) !== nr) return EINVAL;
  const ms = mm.sections[nr] ?? {
    nr, nid, flags: 0, memmap: undefined, usage: new Uint32Array(new SharedArrayBuffer(USAGE_WORDS * 4)), initCount: undefined,
  };
  const mask = subsectionMask(startPfn, nrPages);
  if (subsectionMapHas(ms.usage, mask) !== 'none') return EEXIST;
  if (!(nrPages < PAGES_PER_SECTION && earlySection(ms)) && !ms.memmap) {
    try {
      populateSectionMemmap(mm, ms);
    } catch (e) {
      if (e instanceof MemmapBudgetError) return ENOMEM;
      throw e;
    }
  }
  subsectionMapSet(ms.usage, mask, true);
  if (mm.poison) pageInitPoison(ms.memmap!, pageWord(startPfn), nrPages);
  ms.nid = nid;
  ms.flags |= SectionFlag.MARKED_PRESENT | SectionFlag.HAS_MEM_MAP;
  mm.sections[nr] = ms;
  return 0;
}

/**
 * mirrors sparse_remove_section() → section_deactivate(): clear the subsections (EINVAL if not
 * all were there); struct pages removed from a hot-added section become unreadable (poisoned,
 * as the vmemmap behind them is gone; early sections stay fully populated); an emptied section
 * loses its memmap and its present bit. Early sections keep their usage (it shares boot memory).
 */
export function sparseRemoveSection(mm: Memmap, pfn: number, nrPages: number): number {
  const ms = pfnToSection(mm, pfn);
  if (!ms || nrPages <= 0 || pfnToSectionNr(pfn + nrPages - 1) !== ms.nr) return EINVAL;
  const u = ms.usage;
  if (subsectionMapHas(u, subsectionMask(pfn, nrPages)) !== 'all') return EINVAL;
  subsectionMapSet(u, subsectionMask(pfn, nrPages), false);
  const empty = u[SM] === 0 && u[SM + 1] === 0;
  const early = earlySection(ms);
  if (ms.memmap && !early) pageInitPoison(ms.memmap, pageWord(pfn), nrPages);
  if (empty) {
    if (ms.memmap) {
      mm.allocatedBytes -= sectionBytes(mm.trackInit);
      if (ms.arena !== undefined && ms.arena >= 0) arenaFree(mm.arenas, ms.arena, ms.memmap.byteOffset);
    }
    ms.memmap = undefined;
    ms.arena = -1;
    ms.initCount = undefined;
    ms.flags = 0;
    if (!early) u.fill(0);
  }
  return 0;
}

/** A struct page's location: the section's words and the page's word offset in them. */
export interface PageView {
  mm: Uint32Array;
  w: number;
}

/** The section memmap holding pfn; throws (naming the pfn) when the section has none. */
export function sectionMemmap(mm: Memmap, pfn: number): Uint32Array {
  const m = pfnToSection(mm, pfn)?.memmap;
  if (!m) throw new Error(`pfn 0x${pfn.toString(16)}: section ${pfnToSectionNr(pfn)} has no memmap`);
  return m;
}

/** pfn_to_page(): a new view of pfn's struct page (hot loops use sectionMemmap() + pageWord() instead). */
export const pageView = (mm: Memmap, pfn: number): PageView => ({ mm: sectionMemmap(mm, pfn), w: pageWord(pfn) });

/** pfn_to_page() for reading: throws a PoisonedPageError naming pfn if the struct page is poisoned. */
export function pageViewChecked(mm: Memmap, pfn: number): PageView {
  const v = pageView(mm, pfn);
  pagePoisonCheck(v.mm, v.w, pfn);
  return v;
}

/** Populated sections in order. */
export function* forEachValidSection(mm: Memmap): Generator<MemSection & { memmap: Uint32Array }> {
  for (const ms of mm.sections) if (ms?.memmap && validSection(ms)) yield ms as MemSection & { memmap: Uint32Array };
}
