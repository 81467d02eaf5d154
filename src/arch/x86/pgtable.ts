// SPDX-License-Identifier: GPL-2.0-only
// x86_64 page-table geometry (arch/x86/include/asm/pgtable_64_types.h, page_64_types.h,
// pgtable_types.h) and the part of init_top_pgt that init_mem_mapping() builds: the direct
// mapping of physical memory at PAGE_OFFSET. Only the shape is kept (which entries exist and
// whether they are tables or large pages), never protections or contents.
//
// Debian's 6.1 is built with CONFIG_X86_5LEVEL and picks the depth at boot: 5 levels when the
// CPU has LA57 (and no5lvl is not given), else the p4d level is folded into the pgd, as on the
// corpus CPU (qemu64).

import type { Machine } from '../../kernel/machine.js';

/** pgtable_l5_enabled(): the decompressor turns on 5-level paging when the CPU has LA57, unless no5lvl is given. */
export const pgtableL5Enabled = (m: Machine): boolean => (m.firmware.cpu?.la57 ?? false) && !m.params.args.some((a) => a.param === 'no5lvl');

/**
 * 1 GiB pages for the direct mapping: X86_FEATURE_GBPAGES and direct_gbpages, which
 * early_param_on_off("gbpages", "nogbpages") sets (CONFIG_X86_DIRECT_GBPAGES=y; the last one wins).
 */
export const directGbpagesEnabled = (m: Machine): boolean =>
  (m.firmware.cpu?.gbpages ?? false) && m.params.args.reduce((on, a) => (a.param === 'gbpages' ? true : a.param === 'nogbpages' ? false : on), true);

export const PMD_SHIFT = 21;
export const PUD_SHIFT = 30;
export const P4D_SHIFT = 39;
export const PTRS_PER_TABLE = 512;

export const PMD_SIZE = 2 ** PMD_SHIFT;
export const PUD_SIZE = 2 ** PUD_SHIFT;
export const P4D_SIZE = 2 ** P4D_SHIFT;
/** PGDIR_SIZE: pgdir_shift is 39 on 4-level paging, 48 on 5-level. */
export const pgdirSize = (l5: boolean): number => 2 ** (l5 ? 48 : 39);

/** enum pg_level: bit positions in a page_size_mask. */
export const PgLevel = { PG_4K: 1, PG_2M: 2, PG_1G: 3 } as const;
export const PG_MASK_2M = 1 << PgLevel.PG_2M;
export const PG_MASK_1G = 1 << PgLevel.PG_1G;

/**
 * __PAGE_OFFSET_BASE_L4 (0xffff888000000000) without the sign-extension bits above bit 47, so
 * index arithmetic stays in exact doubles: pgd index 273 ("0x888000000000 >> 39 = 0x111").
 */
export const PAGE_OFFSET_L4 = 0x888000000000;
/** __PAGE_OFFSET_BASE_L5 (0xff11000000000000) below bit 57: pgd index 0x11, p4d index 0. */
export const PAGE_OFFSET_L5 = 0x11000000000000;

/**
 * __VMEMMAP_BASE_L4 (0xffffea0000000000) below bit 48, and __VMEMMAP_BASE_L5 (0xffd4000000000000)
 * below bit 57: both pgd index 468 ("0xea0000000000 >> 39 = 0x1d4"). Without KASLR, VMEMMAP_START
 * is the one of the paging depth; with it, vmemmap_base moves in PUD steps (kernel_randomize_memory()).
 */
export const VMEMMAP_BASE_L4 = 0xea0000000000;
export const VMEMMAP_BASE_L5 = 0x1d4000000000000;
export const vmemmapBase = (l5: boolean): number => (l5 ? VMEMMAP_BASE_L5 : VMEMMAP_BASE_L4);

/** pgd_index / p4d_index / pud_index / pmd_index / pte_index of a (virtual or physical) address. */
export const pgdIndex = (va: number, l5: boolean): number => Math.floor(va / pgdirSize(l5)) % PTRS_PER_TABLE;
export const p4dIndex = (va: number): number => Math.floor(va / P4D_SIZE) % PTRS_PER_TABLE;
export const pudIndex = (va: number): number => Math.floor(va / PUD_SIZE) % PTRS_PER_TABLE;
export const pmdIndex = (a: number): number => Math.floor(a / PMD_SIZE) % PTRS_PER_TABLE;
export const pteIndex = (a: number): number => Math.floor(a / 4096) % PTRS_PER_TABLE;

/** A PTE page: the indices of its present entries. */
export type PtePage = Set<number>;
/** 'large': a 2 MiB (PMD) or 1 GiB (PUD) leaf. */
export type Large = 'large';
/** A PMD page: index → PTE page or 2 MiB leaf; a missing index is pmd_none(). */
export type PmdPage = Map<number, PtePage | Large>;
/** A PUD page: index → PMD page or 1 GiB leaf. */
export type PudPage = Map<number, PmdPage | Large>;
/** A P4D page (5-level only): index → PUD page. */
export type P4dPage = Map<number, PudPage>;
/**
 * init_top_pgt's direct-mapping slots: pgd index → P4D page, or with 4 levels the PUD page that
 * the folded p4d entry points to (the kernel passes it on as a p4d_t * all the same).
 */
export type TopPgt = Map<number, P4dPage | PudPage>;

/** round_down / round_up of the kernel's bit masks, where an alignment of 0 yields 0. */
export const maskDown = (x: number, align: number): number => (align === 0 ? 0 : x - (x % align));
export const maskUp = (x: number, align: number): number => (align === 0 ? 0 : maskDown(x + align - 1, align));
