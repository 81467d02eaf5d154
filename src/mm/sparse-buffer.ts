// SPDX-License-Identifier: GPL-2.0-only
// The boot memmap buffer of sparse_init_nid() (mm/sparse.c sparse_buffer_init/_alloc/_fini):
// one node-exact memblock block for the struct pages of a run of sections, handed out in
// section-sized, naturally aligned pieces; what is left is given back to memblock.
import { MEMBLOCK_ALLOC_ACCESSIBLE } from '../include/memblock.js';
import { SECTION_MEMMAP_BYTES } from '../include/sparsemem.js';
import { SZ_1M } from '../include/pfn.js';
import { PMD_SIZE } from '../arch/x86/pgtable.js';
import { memblockAllocExactNidRaw, memblockPhysFree, type Memblock } from './memblock.js';

/** __pa(MAX_DMA_ADDRESS): boot memmaps prefer memory above ZONE_DMA's 16 MiB. */
export const MAX_DMA_PHYS = 16 * SZ_1M;

/** section_map_size() with SPARSEMEM_VMEMMAP: a section's struct pages rounded up to PMD_SIZE, 2 MiB. */
export const sectionMapSize = (): number => Math.ceil(SECTION_MEMMAP_BYTES / PMD_SIZE) * PMD_SIZE;

/** sparsemap_buf and sparsemap_buf_end: [buf, end) is still free; buf 0 when there is no buffer. */
export interface SparseBuffer {
  mb: Memblock;
  buf: number;
  end: number;
}

/**
 * mirrors sparse_buffer_init() → memmap_alloc(exact_nid): size bytes on node nid only, aligned
 * to a section's memmap, from 16 MiB up. A failure leaves no buffer (the sections then map
 * their blocks one by one).
 */
export function sparseBufferInit(mb: Memblock, size: number, nid: number): SparseBuffer {
  const buf = memblockAllocExactNidRaw(mb, size, sectionMapSize(), MAX_DMA_PHYS, MEMBLOCK_ALLOC_ACCESSIBLE, nid, 'sparse_init_nid');
  return { mb, buf, end: buf + size };
}

/**
 * mirrors sparse_buffer_alloc(): the next size-aligned piece, 0 when the buffer is gone or too
 * short; the alignment gap before it goes back to memblock ("buf at 0x13be01000, 2 MiB asked →
 * the piece at 0x13c000000, the 0x1ff000 bytes before it freed").
 */
export function sparseBufferAlloc(b: SparseBuffer | undefined, size: number): number {
  if (!b?.buf) return 0;
  const ptr = Math.ceil(b.buf / size) * size;
  if (ptr + size > b.end) return 0;
  // sparse_buffer_free() → memblock_free() tail-calls memblock_phys_free(): the trace names us.
  if (ptr > b.buf) memblockPhysFree(b.mb, b.buf, ptr - b.buf, 'sparse_buffer_alloc');
  b.buf = ptr + size;
  return ptr;
}

/** mirrors sparse_buffer_fini(): give back what no section used (sparse_init_nid() inlines it). */
export function sparseBufferFini(b: SparseBuffer): void {
  const size = b.end - b.buf;
  if (b.buf && size > 0) memblockPhysFree(b.mb, b.buf, size, 'sparse_init_nid');
  b.buf = 0;
}
