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
  P4D_SIZE, PG_MASK_1G, PG_MASK_2M, pgdirSize, PMD_SIZE, PTRS_PER_TABLE, PUD_SIZE,
  p4dIndex, pgdIndex, pmdIndex, pteIndex, pudIndex,
  type P4dPage, type PmdPage, type PtePage, type PudPage, type TopPgt,
} from './pgtable.js';

/** The direct mapping being built: init_top_pgt, where PAGE_OFFSET is, and the page source. */
export interface PhysMapping extends LowPageAllocator {
  top: TopPgt;
  /** pgtable_l5_enabled(). */
  l5: boolean;
  /** PAGE_OFFSET without its sign-extension bits (PAGE_OFFSET_L4/L5 unless KASLR moved it; 1 GiB aligned). */
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
 * Mirrors phys_p4d_init(): with 4 levels the page is really a PUD page and goes straight to
 * phys_pud_init(); with 5 levels, one PUD page per empty p4d entry up to the end of the range.
 */
function physP4dInit(pm: PhysMapping, page: P4dPage | PudPage, paddr: number, paddrEnd: number, mask: number): number {
  if (!pm.l5) return physPudInit(pm, page as PudPage, paddr, paddrEnd, mask);
  const p4d = page as P4dPage;
  let last = paddrEnd;
  const vaddrEnd = pm.pageOffset + paddrEnd;
  // The loop stops at the end of the range, so the kernel's clearing branch never runs here.
  for (let vaddr = pm.pageOffset + paddr; vaddr < vaddrEnd; ) {
    const vaddrNext = roundDown(vaddr, P4D_SIZE) + P4D_SIZE;
    const idx = p4dIndex(vaddr);
    let pud = p4d.get(idx);
    if (!pud) {
      pud = new Map();
      allocLowPage(pm);
      p4d.set(idx, pud);
    }
    last = physPudInit(pm, pud, vaddr - pm.pageOffset, paddrEnd, mask);
    vaddr = vaddrNext;
  }
  return last;
}

/**
 * Mirrors kernel_physical_mapping_init() → __kernel_physical_mapping_init(): one page per empty
 * pgd slot (a P4D page, or with 4 levels the PUD page of the folded p4d), then the walk down.
 * Returns the last physical address mapped.
 */
export function kernelPhysicalMappingInit(pm: PhysMapping, paddrStart: number, paddrEnd: number, mask: number): number {
  let last = paddrEnd;
  const vaddrEnd = pm.pageOffset + paddrEnd;
  for (let vaddr = pm.pageOffset + paddrStart; vaddr < vaddrEnd; ) {
    const vaddrNext = roundDown(vaddr, pgdirSize(pm.l5)) + pgdirSize(pm.l5);
    const idx = pgdIndex(vaddr, pm.l5);
    let page = pm.top.get(idx);
    if (!page) {
      page = new Map();
      allocLowPage(pm);
      pm.top.set(idx, page);
    }
    last = physP4dInit(pm, page, vaddr - pm.pageOffset, paddrEnd, mask);
    vaddr = vaddrNext;
  }
  return last;
}
