// SPDX-License-Identifier: GPL-2.0-only
// The kernel image's brk area (arch/x86/kernel/setup.c extend_brk()/reserve_brk(), the .brk
// section of vmlinux.lds.S): early boot carves small buffers out of it, and setup_arch()
// reserves the used part in memblock just before e820__memblock_setup().
import { PAGE_SIZE, roundUp } from '../../include/pfn.js';
import { memblockReserve, type Memblock } from '../../mm/memblock.js';
import type { KernelBrk } from './firmware.js';

/**
 * Debian 6.1.0 amd64, nokaslr: the image is loaded at 16 MiB and __brk_base follows
 * __end_of_kernel_reserve at 0x4400000. dmi_alloc() takes a few hundred bytes, then
 * early_alloc_pgt_buf() a page-aligned INIT_PGT_BUF_SIZE (64 KiB), so reserve_brk() traces
 * [0x4400000-0x4410fff] in every nokaslr corpus boot. __brk_limit adds 64 KiB of slop and the
 * two RESERVE_BRK() areas (dmi_alloc 64 KiB, early_pgt_alloc 64 KiB) to __brk_base.
 */
export const DEBIAN_BRK: KernelBrk = { start: 0x4400000, end: 0x4411000, limit: 0x4430000 };

/** reserve_brk(): the used part of the brk area, traced as called from setup_arch(). */
export function reserveBrk(mb: Memblock, brk: KernelBrk): void {
  if (brk.end > brk.start) memblockReserve(mb, brk.start, brk.end - brk.start, 'setup_arch');
}

/** __pa_symbol(_end): the page boundary after __brk_limit ("0x4430000 → 0x4430000"). */
export const kernelEnd = (brk: KernelBrk): number => roundUp(brk.limit, PAGE_SIZE);

/** LOAD_PHYSICAL_ADDR (16 MiB): _text of a nokaslr boot, DEBIAN_BRK's image. */
export const LOAD_PHYSICAL_ADDR = 0x1000000;

/** __pa_symbol(_text) of an image whose brk area is `brk`: the brk area keeps its distance from _text. */
export const kernelText = (brk: KernelBrk): number => brk.start - (DEBIAN_BRK.start - LOAD_PHYSICAL_ADDR);
