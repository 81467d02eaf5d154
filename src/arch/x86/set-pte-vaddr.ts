// SPDX-License-Identifier: GPL-2.0-only
// set_pte_vaddr() of arch/x86/mm/init_64.c (6.1): map one kernel page at a fixed virtual
// address, creating the missing page-table pages on the way down with spp_getpage(), which
// takes them from memblock until mem_init() is done. Only which entries exist is kept.
import { KernelPanic } from '../../kernel/panic.js';
import { PAGE_SIZE } from '../../include/pfn.js';
import type { Memblock } from '../../mm/memblock.js';
import { memblockAlloc } from '../../mm/memblock.js';
import { P4D_SIZE, PMD_SIZE, PUD_SIZE } from './pgtable.js';

/**
 * The populated entries of the kernel's tables, each keyed by the number of the span it maps
 * (p4d: va / 512 GiB, pud: va / 1 GiB, pmd: va / 2 MiB), with virtual addresses written
 * without their sign-extension bits as in pgtable.ts. The pgd entry above is taken to exist
 * (set_pte_vaddr() is only used below pgds that head_64.S or the kernel mapping set up).
 */
export interface KernelTables {
  p4d: Set<number>;
  pud: Set<number>;
  pmd: Set<number>;
}

export const kernelTablesNew = (): KernelTables => ({ p4d: new Set(), pud: new Set(), pmd: new Set() });

/** spp_getpage() before after_bootmem: a zeroed page from memblock; the kernel panics without one. */
export function sppGetpage(mb: Memblock): number {
  const page = memblockAlloc(mb, PAGE_SIZE, PAGE_SIZE, 'spp_getpage');
  if (!page) throw new KernelPanic('set_pte_phys: cannot allocate page data');
  return page;
}

/** fill_pud(), fill_pmd(), fill_pte(): one page for each missing level, top down. */
export function setPteVaddr(mb: Memblock, t: KernelTables, va: number): void {
  const levels: [Set<number>, number][] = [[t.p4d, P4D_SIZE], [t.pud, PUD_SIZE], [t.pmd, PMD_SIZE]];
  for (const [entries, span] of levels) {
    const key = Math.floor(va / span);
    if (entries.has(key)) continue;
    sppGetpage(mb);
    entries.add(key);
  }
}
