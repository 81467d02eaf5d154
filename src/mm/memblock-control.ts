// memblock settings and end-of-life (mm/memblock.c memblock_set_current_limit,
// memblock_trim_memory, memblock_free_late, memblock_discard; memblock_set_bottom_up of
// include/linux/memblock.h).
import { PAGE_SIZE, pfnDown, pfnUp, roundDown, roundUp } from '../include/pfn.js';
import { memblockFreeLateLine } from '../trace/formats/memblock.js';
import type { PfnRange } from './memblock-iter.js';
import { MEMBLOCK_REGION_BYTES, memblockRemoveRegion, type Memblock } from './memblock-type.js';

/** memblock_set_current_limit(): the ceiling of ACCESSIBLE allocations. */
export function memblockSetCurrentLimit(mb: Memblock, limit: number): void {
  mb.currentLimit = limit;
}

/** memblock_get_current_limit(). */
export const memblockGetCurrentLimit = (mb: Memblock): number => mb.currentLimit;

/** memblock_set_bottom_up(). */
export function memblockSetBottomUp(mb: Memblock, enable: boolean): void {
  mb.bottomUp = enable;
}

/** memblock_bottom_up(). */
export const memblockBottomUp = (mb: Memblock): boolean => mb.bottomUp;

/**
 * memblock_trim_memory(): shrink each memory region to whole multiples of align, dropping the
 * ones left empty. Like the kernel, a region shrunk in place does not lower memory.totalSize
 * (only dropped regions are subtracted), so after x86's trim to PAGE_SIZE in
 * e820__memblock_setup the dump's "memory size" still counts the sub-page tails.
 */
export function memblockTrimMemory(mb: Memblock, align: number): void {
  const regions = mb.memory.regions;
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!;
    const start = roundUp(r.base, align);
    const end = roundDown(r.base + r.size, align);
    if (start === r.base && end === r.base + r.size) continue;
    if (start < end) {
      r.base = start;
      r.size = end - start;
    } else {
      memblockRemoveRegion(mb.memory, i);
      i--;
    }
  }
}

/**
 * memblock_free_late(): after memblock is gone, give [base, base + size) straight to the buddy
 * allocator. Here it prints the debug line and returns the whole pages the caller must free.
 */
export function memblockFreeLate(mb: Memblock, base: number, size: number, caller = ''): PfnRange {
  mb.debug?.(memblockFreeLateLine.emit({ base, size, caller }));
  return { startPfn: pfnUp(base), endPfn: pfnDown(base + size) };
}

/**
 * memblock_discard(): free the region arrays that memblock_double_array allocated (reserved
 * first, then memory) through memblock_free_late; returns the pages to release.
 */
export function memblockDiscard(mb: Memblock): PfnRange[] {
  const freed: PfnRange[] = [];
  for (const type of [mb.reserved, mb.memory]) {
    if (type.arrayPhys === undefined) continue;
    const size = roundUp(MEMBLOCK_REGION_BYTES * type.max, PAGE_SIZE);
    freed.push(memblockFreeLate(mb, type.arrayPhys, size, 'memblock_discard'));
  }
  return freed;
}
