// Read-only questions about memblock (mm/memblock.c memblock_phys_mem_size, memblock_start_of_DRAM,
// memblock_search and the memblock_is_* helpers, memblock_search_pfn_nid, memblock_overlaps_region).
import { MemblockFlag } from '../include/memblock.js';
import { MAX_NUMNODES } from '../include/mmzone.js';
import { pfnDown, pfnPhys } from '../include/pfn.js';
import { forEachMemPfnRange } from './memblock-iter.js';
import { memblockCapEnd, type Memblock, type MemblockType } from './memblock-type.js';

/** memblock_phys_mem_size(). */
export const memblockPhysMemSize = (mb: Memblock): number => mb.memory.totalSize;

/** memblock_reserved_size(). */
export const memblockReservedSize = (mb: Memblock): number => mb.reserved.totalSize;

/** memblock_start_of_DRAM(): base of the first memory region (0 when there is none). */
export const memblockStartOfDram = (mb: Memblock): number => mb.memory.regions[0]!.base;

/** memblock_end_of_DRAM(): end of the last memory region. */
export function memblockEndOfDram(mb: Memblock): number {
  const r = mb.memory.regions[mb.memory.regions.length - 1]!;
  return r.base + r.size;
}

/** memblock_search(): binary search for the region holding addr; -1 when none does. */
function memblockSearch(type: MemblockType, addr: number): number {
  let left = 0;
  let right = type.regions.length;
  do {
    const mid = (left + right) >>> 1;
    const r = type.regions[mid]!;
    if (addr < r.base) right = mid;
    else if (addr >= r.base + r.size) left = mid + 1;
    else return mid;
  } while (left < right);
  return -1;
}

/** memblock_is_reserved(). */
export const memblockIsReserved = (mb: Memblock, addr: number): boolean => memblockSearch(mb.reserved, addr) !== -1;

/** memblock_is_memory(). */
export const memblockIsMemory = (mb: Memblock, addr: number): boolean => memblockSearch(mb.memory, addr) !== -1;

/** memblock_is_map_memory(): memory and not MEMBLOCK_NOMAP. */
export function memblockIsMapMemory(mb: Memblock, addr: number): boolean {
  const i = memblockSearch(mb.memory, addr);
  return i !== -1 && !(mb.memory.regions[i]!.flags & MemblockFlag.NOMAP);
}

/** memblock_search_pfn_nid(): node and whole-page extent of the memory region holding pfn. */
export function memblockSearchPfnNid(mb: Memblock, pfn: number): { nid: number; startPfn: number; endPfn: number } | undefined {
  const i = memblockSearch(mb.memory, pfnPhys(pfn));
  if (i === -1) return undefined;
  const r = mb.memory.regions[i]!;
  return { nid: r.nid, startPfn: pfnDown(r.base), endPfn: pfnDown(r.base + r.size) };
}

/** memblock_is_region_memory(): [base, base + size) lies within one memory region. */
export function memblockIsRegionMemory(mb: Memblock, base: number, size: number): boolean {
  const i = memblockSearch(mb.memory, base);
  if (i === -1) return false;
  const r = mb.memory.regions[i]!;
  return r.base + r.size >= memblockCapEnd(base, size);
}

/** memblock_addrs_overlap(). */
export const memblockAddrsOverlap = (base1: number, size1: number, base2: number, size2: number): boolean =>
  base1 < base2 + size2 && base2 < base1 + size1;

/** memblock_overlaps_region(): does any region of type intersect [base, base + size)? */
export function memblockOverlapsRegion(type: MemblockType, base: number, size: number): boolean {
  const capped = memblockCapEnd(base, size) - base;
  return type.regions.some((r) => memblockAddrsOverlap(base, capped, r.base, r.size));
}

/** memblock_is_region_reserved(): does [base, base + size) intersect reserved memory? */
export const memblockIsRegionReserved = (mb: Memblock, base: number, size: number): boolean =>
  memblockOverlapsRegion(mb.reserved, base, size);

/**
 * memblock_mem_size(limit_pfn): bytes of whole memory pages below limitPfn. Gone from 6.1's
 * memblock.c (no caller was left); kept here with its last upstream definition for callers
 * that want the same sum.
 */
export function memblockMemSize(mb: Memblock, limitPfn: number): number {
  let pages = 0;
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) pages += Math.min(r.endPfn, limitPfn) - Math.min(r.startPfn, limitPfn);
  return pfnPhys(pages);
}
