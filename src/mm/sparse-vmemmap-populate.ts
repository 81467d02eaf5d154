// SPDX-License-Identifier: GPL-2.0-only
// The page tables of the vmemmap before the slab is up (mm/sparse-vmemmap.c): each level that
// is missing on the way down to a struct page gets a zeroed page from memblock, and the struct
// pages themselves come from the node's sparse buffer, else from memblock one block at a time.
// Only which entries exist is kept, keyed by the span of virtual addresses one entry maps.
// Virtual addresses drop their sign-extension bits, as in arch/x86/pgtable.ts.
import { MEMBLOCK_ALLOC_ACCESSIBLE } from '../include/memblock.js';
import { PAGE_SIZE } from '../include/pfn.js';
import { P4D_SIZE, PMD_SIZE, PUD_SIZE, pgdirSize } from '../arch/x86/pgtable.js';
import { memblockAllocTryNidRaw, type Memblock } from './memblock.js';
import { MAX_DMA_PHYS, sparseBufferAlloc, type SparseBuffer } from './sparse-buffer.js';

/**
 * The vmemmap's populated entries by level, each keyed by va / the span of that level's entry.
 * pgd entries count only with 5 levels: with 4 the p4d level is folded into the pgd, whose
 * entries then map P4D_SIZE each and are the `p4d` set.
 */
export interface VmemmapPgt {
  l5: boolean;
  pgd: Set<number>;
  p4d: Set<number>;
  pud: Set<number>;
  /** A 2 MiB block of struct pages ('large') or a PTE page ('table'). */
  pmd: Map<number, 'large' | 'table'>;
  pte: Set<number>;
}

export const vmemmapPgtNew = (l5: boolean): VmemmapPgt =>
  ({ l5, pgd: new Set(), p4d: new Set(), pud: new Set(), pmd: new Map(), pte: new Set() });

/** What vmemmap population works on: memblock, the node's sparse buffer (if any) and the tables. */
export interface VmemmapPopulateState {
  mb: Memblock;
  buf: SparseBuffer | undefined;
  pgt: VmemmapPgt;
}

/**
 * mirrors vmemmap_alloc_block() before slab_is_available(): __earlyonly_bootmem_alloc(), size
 * bytes aligned to size on node (preferred) from 16 MiB up. Returns 0 on failure.
 */
export const vmemmapAllocBlock = (mb: Memblock, size: number, node: number, caller: string): number =>
  memblockAllocTryNidRaw(mb, size, size, MAX_DMA_PHYS, MEMBLOCK_ALLOC_ACCESSIBLE, node, caller);

/** mirrors vmemmap_alloc_block_zero(): a page-table page (Debian's build prints the constprop clone). */
export const vmemmapAllocBlockZero = (mb: Memblock, size: number, node: number): number =>
  vmemmapAllocBlock(mb, size, node, 'vmemmap_alloc_block_zero.constprop.0');

/**
 * mirrors vmemmap_alloc_block_buf() without an altmap: the sparse buffer first, then memblock.
 * The corpus never shows the fallback; its caller name assumes vmemmap_alloc_block() is inlined
 * here as it is into vmemmap_alloc_block_zero().
 */
export function vmemmapAllocBlockBuf(st: VmemmapPopulateState, size: number, node: number): number {
  return sparseBufferAlloc(st.buf, size) || vmemmapAllocBlock(st.mb, size, node, 'vmemmap_alloc_block_buf');
}

/** One table level: when the entry over va is missing, fill it with a zeroed page; false if none. */
function populateLevel(st: VmemmapPopulateState, entries: Set<number>, span: number, va: number, node: number): boolean {
  const key = Math.floor(va / span);
  if (entries.has(key)) return true;
  if (!vmemmapAllocBlockZero(st.mb, PAGE_SIZE, node)) return false;
  entries.add(key);
  return true;
}

/** mirrors vmemmap_pgd_populate(): pgd_none() is never true with 4 levels (the p4d is folded). */
export const vmemmapPgdPopulate = (st: VmemmapPopulateState, va: number, node: number): boolean =>
  !st.pgt.l5 || populateLevel(st, st.pgt.pgd, pgdirSize(true), va, node);

/** mirrors vmemmap_p4d_populate(): a PUD page under the (possibly folded) p4d entry. */
export const vmemmapP4dPopulate = (st: VmemmapPopulateState, va: number, node: number): boolean =>
  populateLevel(st, st.pgt.p4d, P4D_SIZE, va, node);

/** mirrors vmemmap_pud_populate(): a PMD page, one per GiB of vmemmap (64 GiB of RAM). */
export const vmemmapPudPopulate = (st: VmemmapPopulateState, va: number, node: number): boolean =>
  populateLevel(st, st.pgt.pud, PUD_SIZE, va, node);

/** mirrors vmemmap_pmd_populate(): a PTE page where the PMD entry is empty. */
export function vmemmapPmdPopulate(st: VmemmapPopulateState, va: number, node: number): boolean {
  const key = Math.floor(va / PMD_SIZE);
  if (st.pgt.pmd.has(key)) return true;
  if (!vmemmapAllocBlockZero(st.mb, PAGE_SIZE, node)) return false;
  st.pgt.pmd.set(key, 'table');
  return true;
}

/** mirrors vmemmap_pte_populate() without reuse: a page of struct pages. */
export function vmemmapPtePopulate(st: VmemmapPopulateState, va: number, node: number): boolean {
  const key = Math.floor(va / PAGE_SIZE);
  if (st.pgt.pte.has(key)) return true;
  if (!vmemmapAllocBlockBuf(st, PAGE_SIZE, node)) return false;
  st.pgt.pte.add(key);
  return true;
}

/**
 * mirrors vmemmap_populate_address(): every level down to the PTE of va. vmemmap_verify()'s
 * off-node warning is not modelled.
 */
export const vmemmapPopulateAddress = (st: VmemmapPopulateState, va: number, node: number): boolean =>
  vmemmapPgdPopulate(st, va, node) && vmemmapP4dPopulate(st, va, node) && vmemmapPudPopulate(st, va, node)
  && vmemmapPmdPopulate(st, va, node) && vmemmapPtePopulate(st, va, node);

/** mirrors vmemmap_populate_basepages(): [start, end) with 4 KiB pages; false (-ENOMEM) on the first failure. */
export function vmemmapPopulateBasepages(st: VmemmapPopulateState, start: number, end: number, node: number): boolean {
  for (let va = start; va < end; va += PAGE_SIZE) if (!vmemmapPopulateAddress(st, va, node)) return false;
  return true;
}
