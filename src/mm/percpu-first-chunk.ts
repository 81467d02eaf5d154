// SPDX-License-Identifier: GPL-2.0-only
// pcpu_setup_first_chunk() and pcpu_alloc_first_chunk() (mm/percpu.c): the tables mapping cpus
// to units, the chunk slot lists, and the metadata of the reserved and dynamic chunks that
// share the first chunk's memory. Their sizes come from memblock; contents are not modelled.
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import {
  LIST_HEAD_SIZE, PCPU_BITMAP_BLOCK_SIZE, PCPU_BLOCK_MD_SIZE, PCPU_CHUNK_SIZE, PCPU_MIN_ALLOC_SIZE, PCPU_SLOT_BASE_SHIFT,
  SIZEOF_INT, SIZEOF_LONG,
} from '../include/percpu.js';
import { PAGE_SIZE, roundUp } from '../include/pfn.js';
import type { Printk } from '../kernel/printk.js';
import { memblockAlloc } from './memblock-alloc.js';
import type { Memblock } from './memblock-type.js';
import { pcpuDumpAllocInfo, PcpuError, type PcpuAllocInfo } from './percpu-alloc-info.js';

/** BITS_TO_LONGS(): 2049 bits → 33 longs. */
const bitsToLongs = (bits: number): number => Math.ceil(bits / (8 * SIZEOF_LONG));

/** memblock_alloc() that panics as the kernel does when memblock has nothing left. */
function pcpuMemblockAlloc(mb: Memblock, size: number, caller: string): number {
  const addr = memblockAlloc(mb, size, SMP_CACHE_BYTES, caller);
  if (!addr) throw new PcpuError(`${caller}: Failed to allocate ${size} bytes`);
  return addr;
}

/** __pcpu_size_to_slot(): max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1); 1 MiB (fls 21) → 18. */
export const pcpuSizeToSlot = (size: number): number => Math.max(Math.floor(Math.log2(size)) + 1 - PCPU_SLOT_BASE_SHIFT + 2, 1);

/**
 * pcpu_nr_slots: the active slots up to the unit size, then the sidelined, free and
 * to-depopulate slots. 1 MiB units → 22 slots, 2 MiB → 23.
 */
export const pcpuNrSlots = (unitSize: number): number => pcpuSizeToSlot(unitSize) + 4;

/** The memblock requests of pcpu_alloc_first_chunk(), in order. */
export interface PcpuFirstChunkSizes {
  chunk: number;
  allocMap: number;
  boundMap: number;
  mdBlocks: number;
}

/**
 * The sizes pcpu_alloc_first_chunk() asks for, for a region starting startOffset bytes into a
 * page: the region is rounded up to whole pages (and bitmap blocks); one bit of the maps per
 * 4 bytes, one block descriptor per page. 8 KiB at offset 0: 2 pages, 2048 bits →
 * 144, 256, 264, 64 bytes.
 */
export function pcpuFirstChunkSizes(startOffset: number, mapSize: number): PcpuFirstChunkSizes {
  // lcm(PAGE_SIZE, PCPU_BITMAP_BLOCK_SIZE) is PAGE_SIZE on x86_64.
  const regionSize = roundUp(startOffset + mapSize, Math.max(PAGE_SIZE, PCPU_BITMAP_BLOCK_SIZE));
  const nrPages = regionSize / PAGE_SIZE;
  const regionBits = (nrPages * PAGE_SIZE) / PCPU_MIN_ALLOC_SIZE;
  return {
    chunk: PCPU_CHUNK_SIZE + bitsToLongs(nrPages) * SIZEOF_LONG,
    allocMap: bitsToLongs(regionBits) * SIZEOF_LONG,
    boundMap: bitsToLongs(regionBits + 1) * SIZEOF_LONG,
    mdBlocks: ((nrPages * PAGE_SIZE) / PCPU_BITMAP_BLOCK_SIZE) * PCPU_BLOCK_MD_SIZE,
  };
}

/** pcpu_alloc_first_chunk(): the chunk, its allocation and boundary maps, its block metadata. */
export function pcpuAllocFirstChunk(mb: Memblock, tmpAddr: number, mapSize: number): void {
  const s = pcpuFirstChunkSizes(tmpAddr % PAGE_SIZE, mapSize);
  for (const size of [s.chunk, s.allocMap, s.boundMap, s.mdBlocks]) pcpuMemblockAlloc(mb, size, 'pcpu_alloc_first_chunk');
}

/**
 * pcpu_setup_first_chunk(): group offsets and sizes, the cpu → unit map and unit offsets, the
 * layout dump, the chunk slot lists, then the reserved chunk and the dynamic chunk. `baseAddr`
 * is the page-aligned address of the lowest group's area.
 */
export function pcpuSetupFirstChunk(mb: Memblock, printk: Printk, ai: PcpuAllocInfo, baseAddr: number, nrCpuIds: number, nrPossible: number): void {
  const caller = 'pcpu_setup_first_chunk';
  const nrGroups = ai.groups.length;
  pcpuMemblockAlloc(mb, nrGroups * SIZEOF_LONG, caller); // group_offsets
  pcpuMemblockAlloc(mb, nrGroups * SIZEOF_LONG, caller); // group_sizes
  pcpuMemblockAlloc(mb, nrCpuIds * SIZEOF_INT, caller); // unit_map
  pcpuMemblockAlloc(mb, nrCpuIds * SIZEOF_LONG, caller); // unit_off
  pcpuDumpAllocInfo(printk, ai, nrPossible);
  pcpuMemblockAlloc(mb, pcpuNrSlots(ai.unitSize) * LIST_HEAD_SIZE, caller);
  // The static area ends on an allocation-size boundary; the dynamic area gives back the slack.
  const staticSize = roundUp(ai.staticSize, PCPU_MIN_ALLOC_SIZE);
  const dynSize = ai.dynSize - (staticSize - ai.staticSize);
  pcpuAllocFirstChunk(mb, baseAddr + staticSize, ai.reservedSize || dynSize);
  if (ai.reservedSize) pcpuAllocFirstChunk(mb, baseAddr + staticSize + ai.reservedSize, dynSize);
}
