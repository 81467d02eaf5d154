// SPDX-License-Identifier: GPL-2.0-only
// init_mem_mapping() on x86_64 (arch/x86/mm/init.c, init_trampoline_kaslr() of kaslr.c): map all RAM at PAGE_OFFSET, a step at a
// time, so that the page tables for each step come from memory the previous steps mapped.
// What memblock sees: the 2 MiB probe at the top of RAM (allocated and freed at once) and one
// alloc_low_pages() allocation per page-table page the brk buffer could not supply.
import { PAGE_SHIFT, pfnDown, pfnPhys } from '../../include/pfn.js';
import { MAX_NUMNODES } from '../../include/mmzone.js';
import {
  forEachMemPfnRange, memblockBottomUp, memblockPhysAllocRange, memblockPhysFree, type Memblock,
} from '../../mm/memblock.js';
import type { Printk } from '../../kernel/printk.js';
import { gbpagesDirectMapping, probeFailed } from '../../trace/formats/mapping.js';
import { allocLowPage, earlyAllocPgtBuf } from './alloc-low-pages.js';
import { kernelEnd } from './brk.js';
import { ISA_END_ADDRESS, type E820Table } from './e820-types.js';
import type { KernelBrk } from './firmware.js';
import { kernelPhysicalMappingInit, type PhysMapping } from './phys-mapping.js';
import { maskDown, maskUp, PAGE_OFFSET_L4, PAGE_OFFSET_L5, PG_MASK_1G, PG_MASK_2M, PMD_SHIFT, PMD_SIZE } from './pgtable.js';
import { splitMemRange } from './split-mem-range.js';

export interface InitMemMappingInput {
  mb: Memblock;
  e820: E820Table;
  maxPfn: number;
  /** The brk area: its last pages are the first page-table buffer; bottom-up starts at _end after it. */
  brk: KernelBrk;
  /** X86_FEATURE_GBPAGES and the gbpages/nogbpages parameter (direct_gbpages) both on. */
  gbpages: boolean;
  /** pgtable_l5_enabled(): the CPU has LA57 and no5lvl was not given. */
  l5: boolean;
  /** kaslr_memory_enabled(): init_trampoline_kaslr() takes pages of its own for the trampoline. */
  kaslrMemory: boolean;
  /** PAGE_OFFSET without sign-extension bits; default the nokaslr base of the paging depth. */
  pageOffset?: number;
  printk?: Printk;
}

export interface InitMemMappingResult {
  /** page_size_mask of probe_page_size_mask(). */
  pageSizeMask: number;
  maxPfnMapped: number;
  maxLowPfnMapped: number;
  /** Every page-table page, in allocation order, and where it came from. */
  pages: PhysMapping['pages'];
  /** The brk page-table buffer when init_mem_mapping() ended. */
  pgtBuf: PhysMapping['pgtBuf'];
}

/** The mapping state plus what add_pfn_range_mapped() tracks. */
interface MappingState extends PhysMapping {
  pageSizeMask: number;
  maxLowPfnMapped: number;
  printk: Printk | undefined;
}

/** Mirrors probe_page_size_mask() for a CPU with PSE and without debug_pagealloc. */
export const probePageSizeMask = (gbpages: boolean): number => PG_MASK_2M | (gbpages ? PG_MASK_1G : 0);

/** Mirrors add_pfn_range_mapped(), without the pfn_mapped[] list nothing here reads. */
function addPfnRangeMapped(st: MappingState, startPfn: number, endPfn: number): void {
  st.maxPfnMapped = Math.max(st.maxPfnMapped, endPfn);
  const low = pfnDown(2 ** 32);
  if (startPfn < low) st.maxLowPfnMapped = Math.max(st.maxLowPfnMapped, Math.min(endPfn, low));
}

/** Mirrors init_memory_mapping(): split by page size, map each run; returns the end pfn. */
function initMemoryMapping(st: MappingState, start: number, end: number): number {
  let ret = 0;
  for (const mr of splitMemRange(st.mb, start, end, st.pageSizeMask)) {
    ret = kernelPhysicalMappingInit(st, mr.start, mr.end, mr.pageSizeMask);
  }
  addPfnRangeMapped(st, pfnDown(start), pfnDown(ret));
  return pfnDown(ret);
}

/**
 * Mirrors init_range_memory_mapping(): map the RAM of [rStart, rEnd), region by region. While a
 * region overlaps the unused part of the brk buffer, page tables must come from memblock.
 * Returns the bytes of RAM mapped.
 */
function initRangeMemoryMapping(st: MappingState, rStart: number, rEnd: number): number {
  let mapped = 0;
  for (const r of forEachMemPfnRange(st.mb, MAX_NUMNODES)) {
    const start = Math.min(Math.max(pfnPhys(r.startPfn), rStart), rEnd);
    const end = Math.min(Math.max(pfnPhys(r.endPfn), rStart), rEnd);
    if (start >= end) continue;
    st.canUseBrkPgt = Math.max(start, pfnPhys(st.pgtBuf.end)) >= Math.min(end, pfnPhys(st.pgtBuf.top));
    initMemoryMapping(st, start, end);
    mapped += end - start;
    st.canUseBrkPgt = true;
  }
  return mapped;
}

/**
 * Mirrors get_new_step_size(): grow by 2^(PMD_SHIFT - PAGE_SHIFT - 1) = 256 ("2M → 512M →
 * 128G"); an unsigned long shifted past bit 63 becomes 0.
 */
export function getNewStepSize(stepSize: number): number {
  const next = stepSize * 2 ** (PMD_SHIFT - PAGE_SHIFT - 1);
  return next >= 2 ** 64 ? 0 : next;
}

/**
 * Mirrors memory_map_top_down(): probe the highest free 2 MiB block, then map downwards from
 * its end in steps that grow once enough RAM is mapped to hold the next step's tables.
 */
function memoryMapTopDown(st: MappingState, mapStart: number, mapEnd: number): void {
  const addr = memblockPhysAllocRange(st.mb, PMD_SIZE, PMD_SIZE, mapStart, mapEnd, 'init_mem_mapping');
  let realEnd: number;
  if (!addr) {
    st.printk?.emit(probeFailed, {});
    realEnd = Math.max(mapStart, maskDown(mapEnd, PMD_SIZE));
  } else {
    memblockPhysFree(st.mb, addr, PMD_SIZE, 'init_mem_mapping');
    realEnd = addr + PMD_SIZE;
  }
  let stepSize = PMD_SIZE;
  let mappedRamSize = 0;
  st.maxPfnMapped = 0;
  st.minPfnMapped = pfnDown(realEnd);
  let lastStart = realEnd;
  while (lastStart > mapStart) {
    let start: number;
    if (lastStart > stepSize) start = Math.max(maskDown(lastStart - 1, stepSize), mapStart);
    else start = mapStart;
    mappedRamSize += initRangeMemoryMapping(st, start, lastStart);
    lastStart = start;
    st.minPfnMapped = pfnDown(lastStart);
    if (mappedRamSize >= stepSize) stepSize = getNewStepSize(stepSize);
  }
  if (realEnd < mapEnd) initRangeMemoryMapping(st, realEnd, mapEnd);
}

/** Mirrors memory_map_bottom_up(): map upwards from mapStart in the same growing steps. */
function memoryMapBottomUp(st: MappingState, mapStart: number, mapEnd: number): void {
  let stepSize = PMD_SIZE;
  let mappedRamSize = 0;
  let start = mapStart;
  st.minPfnMapped = pfnDown(start);
  while (start < mapEnd) {
    let next: number;
    if (stepSize && mapEnd - start > stepSize) next = Math.min(maskUp(start + 1, stepSize), mapEnd);
    else next = mapEnd;
    mappedRamSize += initRangeMemoryMapping(st, start, next);
    start = next;
    if (mappedRamSize >= stepSize) stepSize = getNewStepSize(stepSize);
  }
}

/**
 * Mirrors init_mem_mapping() on x86_64, up to the memblock limit: the ISA range first,
 * the trampoline, then all RAM top-down (or bottom-up when memblock allocates bottom-up).
 */
export function initMemMapping(input: InitMemMappingInput): InitMemMappingResult {
  const st: MappingState = {
    mb: input.mb,
    e820: input.e820,
    pgtBuf: earlyAllocPgtBuf(input.brk),
    canUseBrkPgt: true,
    minPfnMapped: 0,
    maxPfnMapped: 0,
    pages: [],
    top: new Map(),
    l5: input.l5,
    pageOffset: input.pageOffset ?? (input.l5 ? PAGE_OFFSET_L5 : PAGE_OFFSET_L4),
    pageSizeMask: probePageSizeMask(input.gbpages),
    maxLowPfnMapped: 0,
    printk: input.printk,
  };
  if (input.gbpages) st.printk?.emit(gbpagesDirectMapping, {});
  const end = pfnPhys(input.maxPfn);
  initMemoryMapping(st, 0, ISA_END_ADDRESS);
  // init_trampoline(): with KASLR the trampoline gets its own PUD page (and P4D page).
  if (input.kaslrMemory) {
    allocLowPage(st);
    if (st.l5) allocLowPage(st);
  }
  if (memblockBottomUp(st.mb)) {
    // Map above the kernel first, so the tables for the rest can come from there.
    memoryMapBottomUp(st, kernelEnd(input.brk), end);
    memoryMapBottomUp(st, ISA_END_ADDRESS, kernelEnd(input.brk));
  } else {
    memoryMapTopDown(st, ISA_END_ADDRESS, end);
  }
  return {
    pageSizeMask: st.pageSizeMask, maxPfnMapped: st.maxPfnMapped, maxLowPfnMapped: st.maxLowPfnMapped,
    pages: st.pages, pgtBuf: st.pgtBuf,
  };
}
