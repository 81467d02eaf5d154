// SPDX-License-Identifier: GPL-2.0-only
// Filling the direct mapping (arch/x86/mm/init_64.c kernel_physical_mapping_init() and the
// phys_p4d/pud/pmd/pte_init() walk): each missing table on the way down costs one
// alloc_low_page(); large pages cost nothing. Entries past the end of a range are cleared
// when no RAM lies under them, as the kernel does.
import { PAGE_SIZE, roundDown } from '../../include/pfn.js';
import { e820MappedAny } from './e820.js';
import { E820Type, type E820Table } from './e820-types.js';
import { allocLowPage, type LowPageAllocator } from './alloc-low-pages.js';
import {
  PG_MASK_1G, PG_MASK_2M, PGDIR_SIZE, PMD_SIZE, PTRS_PER_TABLE, PUD_SIZE,
  pgdIndex, pmdIndex, pteIndex, pudIndex,
  type PmdPage, type PtePage, type PudPage, type TopPgt,
} from './pgtable.js';

/** The direct mapping being built: init_top_pgt, where PAGE_OFFSET is, and the page source. */
export interface PhysMapping extends LowPageAllocator {
  top: TopPgt;
  /** PAGE_OFFSET below bit 48 (PAGE_OFFSET_L4 unless KASLR moved it; 1 GiB aligned). */
  pageOffset: number;
  /** e820_table, for the "no RAM here" clearing of entries past the end. */
  e820: E820Table;
}

/** Neither RAM nor kernel-reserved RAM in [start, end): such entries are cleared. */
const noRamIn = (pm: PhysMapping, start: number, end: number): boolean =>
  !e820MappedAny(pm.e820, start, end, E820Type.RAM) && !e820MappedAny(pm.e820, start, end, E820Type.RESERVED_KERN);

/** Mirrors phys_pte_init(): 4 KiB entries of one PTE page; returns the end of the last new one. */
function physPteInit(pm: PhysMapping, pte: PtePage, paddr: number, paddrEnd: number): number {
  let last = paddrEnd;
  for (let i = pteIndex(paddr); i < PTRS_PER_TABLE; i++) {
    const base = roundDown(paddr, PAGE_SIZE);
    const next = base + PAGE_SIZE;
    if (paddr >= paddrEnd) {
      if (noRamIn(pm, base, next)) pte.delete(i);
    } else if (!pte.has(i)) {
      pte.add(i);
      last = next;
    }
    paddr = next;
  }
  return last;
}

/** Mirrors phys_pmd_init(): 2 MiB leaves where allowed, otherwise a PTE page per entry. */
function physPmdInit(pm: PhysMapping, pmd: PmdPage, paddr: number, paddrEnd: number, mask: number): number {
  let last = paddrEnd;
  for (let i = pmdIndex(paddr); i < PTRS_PER_TABLE; i++) {
    const base = roundDown(paddr, PMD_SIZE);
    const next = base + PMD_SIZE;
    const cur = paddr;
    paddr = next;
    if (cur >= paddrEnd) {
      if (noRamIn(pm, base, next)) pmd.delete(pmdIndex(cur));
      continue;
    }
    const entry = pmd.get(pmdIndex(cur));
    if (entry !== undefined && entry !== 'large') {
      last = physPteInit(pm, entry, cur, paddrEnd);
      continue;
    }
    // An existing 2 MiB leaf is kept when 2 MiB pages are allowed, split otherwise.
    if (mask & PG_MASK_2M) {
      pmd.set(pmdIndex(cur), 'large');
      last = next;
      continue;
    }
    const pte: PtePage = new Set();
    allocLowPage(pm);
    last = physPteInit(pm, pte, cur, paddrEnd);
    pmd.set(pmdIndex(cur), pte);
  }
  return last;
}

/** Mirrors phys_pud_init(): 1 GiB leaves where allowed, otherwise a PMD page per entry. */
function physPudInit(pm: PhysMapping, pud: PudPage, paddr: number, paddrEnd: number, mask: number): number {
  let last = paddrEnd;
  for (let i = pudIndex(pm.pageOffset + paddr); i < PTRS_PER_TABLE; i++) {
    const base = roundDown(paddr, PUD_SIZE);
    const next = base + PUD_SIZE;
    const cur = paddr;
    const idx = pudIndex(pm.pageOffset + cur);
    paddr = next;
    if (cur >= paddrEnd) {
      if (noRamIn(pm, base, next)) pud.delete(idx);
      continue;
    }
    const entry = pud.get(idx);
    if (entry !== undefined && entry !== 'large') {
      last = physPmdInit(pm, entry, cur, paddrEnd, mask);
      continue;
    }
    if (mask & PG_MASK_1G) {
      pud.set(idx, 'large');
      last = next;
      continue;
    }
    const pmd: PmdPage = new Map();
    allocLowPage(pm);
    last = physPmdInit(pm, pmd, cur, paddrEnd, mask);
    pud.set(idx, pmd);
  }
  return last;
}

/**
 * Mirrors kernel_physical_mapping_init() → __kernel_physical_mapping_init() on 4-level paging:
 * one PUD page per empty pgd slot (phys_p4d_init() passes straight through to phys_pud_init()).
 * Returns the last physical address mapped.
 */
export function kernelPhysicalMappingInit(pm: PhysMapping, paddrStart: number, paddrEnd: number, mask: number): number {
  let last = paddrEnd;
  const vaddrEnd = pm.pageOffset + paddrEnd;
  for (let vaddr = pm.pageOffset + paddrStart; vaddr < vaddrEnd; ) {
    const vaddrNext = roundDown(vaddr, PGDIR_SIZE) + PGDIR_SIZE;
    const idx = pgdIndex(vaddr);
    let pud = pm.top.get(idx);
    if (pud) {
      last = physPudInit(pm, pud, vaddr - pm.pageOffset, paddrEnd, mask);
    } else {
      pud = new Map();
      allocLowPage(pm);
      last = physPudInit(pm, pud, vaddr - pm.pageOffset, paddrEnd, mask);
      pm.top.set(idx, pud);
    }
    vaddr = vaddrNext;
  }
  return last;
}
