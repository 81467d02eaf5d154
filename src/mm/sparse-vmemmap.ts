// The vmem_altmap side of vmemmap population (mm/sparse-vmemmap.c, arch/x86/mm/init_64.c in 6.1):
// where the struct pages of a hot-added section come from when a driver offers its own memory.
//
// x86's vmemmap_populate() maps a full section's 2 MiB of struct pages with one PMD, and only that
// path takes the block from the altmap; a partial section (a subsection add) gets base pages from
// RAM even when an altmap is given. So an altmap pays 512 pfns (plus alignment) per full section.
import { PAGES_PER_SECTION, STRUCT_PAGE_SIZE } from '../include/mmzone.js';
import type { VmemAltmapState } from '../include/memremap.js';
import { PAGE_SIZE } from '../include/pfn.js';

/** PMD_SIZE / PAGE_SIZE: one huge vmemmap block, the struct pages of one section (512 pfns). */
export const VMEMMAP_PMD_PFNS = (PAGES_PER_SECTION * STRUCT_PAGE_SIZE) / PAGE_SIZE;

/** vmem_altmap_next_pfn(): the next pfn the altmap hands out. */
export const vmemAltmapNextPfn = (a: VmemAltmapState): number => a.basePfn + a.reserve + a.alloc + a.align;

/** vmem_altmap_nr_free(): pfns left for the memmap. */
export function vmemAltmapNrFree(a: VmemAltmapState): number {
  const allocated = a.alloc + a.align;
  return a.free > allocated ? a.free - allocated : 0;
}

/**
 * mirrors altmap_alloc_block_buf(): nrPfns from the altmap, aligned to the largest power of two
 * dividing nrPfns ("512 pfns at base + 2 → align 510, block at base + 512"). Returns the first
 * pfn of the block, or -1 (the caller's ENOMEM) when the altmap is exhausted.
 */
export function altmapAllocBlockBuf(a: VmemAltmapState, nrPfns: number): number {
  const pfn = vmemAltmapNextPfn(a);
  const nrAlignUnit = nrPfns & -nrPfns;
  const nrAlign = Math.ceil(pfn / nrAlignUnit) * nrAlignUnit - pfn;
  if (nrPfns + nrAlign > vmemAltmapNrFree(a)) return -1;
  a.alloc += nrPfns;
  a.align += nrAlign;
  return pfn + nrAlign;
}

/** vmem_altmap_free(): only alloc goes back; the alignment stays spent (as in 6.1). */
export function vmemAltmapFree(a: VmemAltmapState, nrPfns: number): void {
  a.alloc -= nrPfns;
}

/**
 * mirrors x86 vmemmap_populate()'s choice for the struct pages of [pfn, pfn + nrPages) in one
 * section: a full section takes a PMD block from the altmap (no fallback: -1 when it is
 * exhausted), anything smaller is populated with base pages from RAM (returns -2, "no altmap block").
 */
export function vmemmapPopulateAltmap(a: VmemAltmapState | undefined, nrPages: number): number {
  if (!a || nrPages < PAGES_PER_SECTION) return -2;
  return altmapAllocBlockBuf(a, VMEMMAP_PMD_PFNS);
}
