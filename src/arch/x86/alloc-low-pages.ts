// SPDX-License-Identifier: GPL-2.0-only
// Where init_mem_mapping() gets its page-table pages (arch/x86/mm/init.c early_alloc_pgt_buf(),
// alloc_low_pages()): first a small buffer in the brk area, then memblock, but only from
// memory that is already mapped, [min_pfn_mapped, max_pfn_mapped).
import { KernelPanic } from '../../kernel/panic.js';
import { PAGE_SIZE, pfnDown, pfnPhys } from '../../include/pfn.js';
import { memblockPhysAllocRange, type Memblock } from '../../mm/memblock.js';
import type { KernelBrk } from './firmware.js';

/**
 * INIT_PGT_BUF_SIZE with Debian's CONFIG_X86_5LEVEL (INIT_PGD_PAGE_TABLES 4) and
 * CONFIG_RANDOMIZE_MEMORY (four times that): 16 pages.
 */
export const INIT_PGT_BUF_PAGES = 4 * 4;
export const INIT_PGT_BUF_SIZE = INIT_PGT_BUF_PAGES * PAGE_SIZE;

/** pgt_buf_start / pgt_buf_end / pgt_buf_top, as pfns; [end, top) is still free. */
export interface PgtBuf {
  start: number;
  end: number;
  top: number;
}

/** One page-table page, in the order alloc_low_pages() handed them out. */
export interface PgtPage {
  addr: number;
  from: 'brk' | 'memblock';
}

/** The state mm/init.c keeps for alloc_low_pages() while init_mem_mapping() runs. */
export interface LowPageAllocator {
  mb: Memblock;
  pgtBuf: PgtBuf;
  /** can_use_brk_pgt: false while mapping a range that overlaps the rest of the buffer. */
  canUseBrkPgt: boolean;
  minPfnMapped: number;
  maxPfnMapped: number;
  pages: PgtPage[];
}

/** What the kernel would die of: alloc_low_pages() found no page. */
export class PgtAllocPanic extends KernelPanic {}

/**
 * Mirrors early_alloc_pgt_buf(): it is the last extend_brk() before reserve_brk(), so the
 * buffer is the top INIT_PGT_BUF_SIZE of the used brk ("brk end 0x4411000 → pfns 0x4401-0x4411").
 */
export function earlyAllocPgtBuf(brk: KernelBrk): PgtBuf {
  const top = pfnDown(brk.end);
  return { start: top - INIT_PGT_BUF_PAGES, end: top - INIT_PGT_BUF_PAGES, top };
}

/** Mirrors alloc_low_pages() before after_bootmem: num zeroed pages, returns their address. */
export function allocLowPages(st: LowPageAllocator, num: number): number {
  const buf = st.pgtBuf;
  let addr: number;
  if (buf.end + num > buf.top || !st.canUseBrkPgt) {
    addr = 0;
    if (st.minPfnMapped < st.maxPfnMapped) {
      addr = memblockPhysAllocRange(st.mb, PAGE_SIZE * num, PAGE_SIZE, pfnPhys(st.minPfnMapped), pfnPhys(st.maxPfnMapped), 'alloc_low_pages');
    }
    // The extend_brk() fallback cannot work: reserve_brk() already closed the brk area.
    if (!addr && st.canUseBrkPgt) throw new PgtAllocPanic('kernel BUG in extend_brk(): alloc_low_pages() found no mapped memory and the brk area is closed');
    if (!addr) throw new PgtAllocPanic('alloc_low_pages: can not alloc memory');
    for (let i = 0; i < num; i++) st.pages.push({ addr: addr + i * PAGE_SIZE, from: 'memblock' });
  } else {
    addr = pfnPhys(buf.end);
    buf.end += num;
    for (let i = 0; i < num; i++) st.pages.push({ addr: addr + i * PAGE_SIZE, from: 'brk' });
  }
  return addr;
}

/** alloc_low_page(). */
export const allocLowPage = (st: LowPageAllocator): number => allocLowPages(st, 1);
