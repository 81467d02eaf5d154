// SPDX-License-Identifier: GPL-2.0-only
// x86_64's vmemmap_populate() (arch/x86/mm/init_64.c): a whole section's struct pages are
// mapped with 2 MiB PMD leaves, anything smaller with 4 KiB pages. The CPU is taken to have PSE
// (every x86_64 CPU QEMU offers does); sync_global_pgds() allocates nothing.
import { PAGES_PER_SECTION, STRUCT_PAGE_SIZE } from '../../include/mmzone.js';
import {
  vmemmapAllocBlockBuf, vmemmapP4dPopulate, vmemmapPgdPopulate, vmemmapPopulateBasepages, vmemmapPudPopulate,
  type VmemmapPopulateState,
} from '../../mm/sparse-vmemmap-populate.js';
import { PMD_SIZE } from './pgtable.js';

/** pmd_addr_end(): the next 2 MiB boundary, or end if that comes first. */
const pmdAddrEnd = (va: number, end: number): number => Math.min((Math.floor(va / PMD_SIZE) + 1) * PMD_SIZE, end);

/**
 * mirrors vmemmap_populate_hugepages() without an altmap: per 2 MiB, the upper levels, then a
 * PMD block from the sparse buffer or memblock; with no block, that 2 MiB falls back to base
 * pages. False (-ENOMEM) when a table or base page cannot be had.
 */
export function vmemmapPopulateHugepages(st: VmemmapPopulateState, start: number, end: number, node: number): boolean {
  for (let va = start, next: number; va < end; va = next) {
    next = pmdAddrEnd(va, end);
    if (!vmemmapPgdPopulate(st, va, node) || !vmemmapP4dPopulate(st, va, node) || !vmemmapPudPopulate(st, va, node)) return false;
    const key = Math.floor(va / PMD_SIZE);
    const pmd = st.pgt.pmd.get(key);
    if (pmd === undefined) {
      if (vmemmapAllocBlockBuf(st, PMD_SIZE, node)) {
        // vmemmap_use_new_sub_pmd() only matters for hotplug of partial PMDs: boot maps whole sections.
        st.pgt.pmd.set(key, 'large');
        continue;
      }
    } else if (pmd === 'large') {
      continue;
    }
    if (!vmemmapPopulateBasepages(st, va, next, node)) return false;
  }
  return true;
}

/** mirrors vmemmap_populate() for [start, end) of vmemmap on node; false is its -ENOMEM. */
export function vmemmapPopulate(st: VmemmapPopulateState, start: number, end: number, node: number): boolean {
  if (end - start < PAGES_PER_SECTION * STRUCT_PAGE_SIZE) return vmemmapPopulateBasepages(st, start, end, node);
  return vmemmapPopulateHugepages(st, start, end, node);
}
