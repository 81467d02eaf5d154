// SPDX-License-Identifier: GPL-2.0-only
// Cutting one range of the direct mapping into runs by page size (arch/x86/mm/init.c
// split_mem_range(), save_mr(), adjust_range_page_size_mask(), x86_64 only).
import { pfnDown, pfnPhys } from '../../include/pfn.js';
import { memblockIsRegionMemory, type Memblock } from '../../mm/memblock.js';
import { maskDown, maskUp, PG_MASK_1G, PG_MASK_2M, PMD_SIZE, PUD_SIZE } from './pgtable.js';

/** struct map_range: [start, end) mapped with the page sizes of pageSizeMask. */
export interface MapRange {
  start: number;
  end: number;
  pageSizeMask: number;
}

/** NR_RANGE_MR on x86_64: head, 2M, 1G, 2M tail, 4K tail. */
export const NR_RANGE_MR = 5;

const PMD_PFNS = pfnDown(PMD_SIZE);
const PUD_PFNS = pfnDown(PUD_SIZE);

/** Mirrors save_mr(): append [startPfn, endPfn) when not empty. */
function saveMr(mr: MapRange[], startPfn: number, endPfn: number, pageSizeMask: number): void {
  if (startPfn >= endPfn) return;
  if (mr.length >= NR_RANGE_MR) throw new Error('run out of range for init_memory_mapping');
  mr.push({ start: pfnPhys(startPfn), end: pfnPhys(endPfn), pageSizeMask });
}

/**
 * Mirrors adjust_range_page_size_mask(): a small-page run may still use a large page when the
 * whole aligned block around it is in one memblock memory region ("[1M, 2M) with RAM from 4K
 * → stays 4K; with RAM from 0 → 2M").
 */
function adjustRangePageSizeMask(mb: Memblock, mr: MapRange[], pageSizeMask: number): void {
  for (const r of mr) {
    for (const [bit, size] of [[PG_MASK_2M, PMD_SIZE], [PG_MASK_1G, PUD_SIZE]] as const) {
      if (!(pageSizeMask & bit) || r.pageSizeMask & bit) continue;
      const start = maskDown(r.start, size);
      const end = maskUp(r.end, size);
      if (memblockIsRegionMemory(mb, start, end - start)) r.pageSizeMask |= bit;
    }
  }
}

/**
 * Mirrors split_mem_range() before bootmem: a 4K head up to 2M alignment, 2M pages up to 1G
 * alignment, 1G pages, a 2M tail and a 4K tail; then widened by adjust_range_page_size_mask()
 * and neighbours of equal page size merged.
 * Example, 2M pages only: [1M, 0xbffe0000) → [1M, 2M) 4K, [2M, 0xbfe00000) 2M, [0xbfe00000, 0xbffe0000) 4K.
 */
export function splitMemRange(mb: Memblock, start: number, end: number, pageSizeMask: number): MapRange[] {
  const mr: MapRange[] = [];
  const limitPfn = pfnDown(end);
  let pfn = pfnDown(start);
  let startPfn = pfn;
  let endPfn = Math.min(maskUp(pfn, PMD_PFNS), limitPfn);
  if (startPfn < endPfn) {
    saveMr(mr, startPfn, endPfn, 0);
    pfn = endPfn;
  }

  startPfn = maskUp(pfn, PMD_PFNS);
  endPfn = Math.min(maskUp(pfn, PUD_PFNS), maskDown(limitPfn, PMD_PFNS));
  if (startPfn < endPfn) {
    saveMr(mr, startPfn, endPfn, pageSizeMask & PG_MASK_2M);
    pfn = endPfn;
  }

  startPfn = maskUp(pfn, PUD_PFNS);
  endPfn = maskDown(limitPfn, PUD_PFNS);
  if (startPfn < endPfn) {
    saveMr(mr, startPfn, endPfn, pageSizeMask & (PG_MASK_2M | PG_MASK_1G));
    pfn = endPfn;
  }

  startPfn = maskUp(pfn, PMD_PFNS);
  endPfn = maskDown(limitPfn, PMD_PFNS);
  if (startPfn < endPfn) {
    saveMr(mr, startPfn, endPfn, pageSizeMask & PG_MASK_2M);
    pfn = endPfn;
  }

  saveMr(mr, pfn, limitPfn, 0);
  adjustRangePageSizeMask(mb, mr, pageSizeMask);

  for (let i = 0; mr.length > 1 && i < mr.length - 1; i++) {
    const a = mr[i]!;
    const b = mr[i + 1]!;
    if (a.end !== b.start || a.pageSizeMask !== b.pageSizeMask) continue;
    b.start = a.start;
    mr.splice(i, 1);
    i--;
  }
  return mr;
}
