// memblock_free_all() (mm/memblock.c, 6.1): the end of memblock as an allocator. Reserved
// ranges get PG_reserved struct pages; every free range goes to the buddy allocator in the
// largest naturally aligned blocks, except the pfns deferred init will free later.
import { MemblockFlag } from '../include/memblock.js';
import { MAX_ORDER, NUMA_NO_NODE } from '../include/mmzone.js';
import { PHYS_ADDR_MAX, pfnDown, pfnUp } from '../include/pfn.js';
import { forEachFreeMemRange, forEachMemRegion, forEachReservedMemRange, memblockClearHotplug } from './memblock.js';
import { memblockFreePages, type BuddyFreeTarget } from './page-free-core.js';
import type { MemInitContext } from './page-init.js';
import { reserveBootmemRegion } from './page-init.js';

/** __ffs() capped at `cap`: trailing zero bits of pfn, exact beyond 32 bits ("0x3000 → 12"; 0 → cap). */
function ffsCapped(pfn: number, cap: number): number {
  let n = 0;
  while (n < cap && pfn % 2 ** (n + 1) === 0) n++;
  return n;
}

/**
 * mirrors __free_pages_memory(): cut [start, end) into blocks of the largest order that start is
 * aligned to, at most MAX_ORDER - 1, shrunk until the block fits ("[0x9f, 0x200) → 0x9f/0, 0xa0/5,
 * 0xc0/6, 0x100/8").
 */
export function freePagesMemory(start: number, end: number, free: (pfn: number, order: number) => void): void {
  while (start < end) {
    let order = ffsCapped(start, MAX_ORDER - 1);
    while (start + 2 ** order > end) order--;
    free(start, order);
    start += 2 ** order;
  }
}

/** mirrors __free_memory_core(): whole pages of [start, end) below max_low_pfn; returns their count. */
export function freeMemoryCore(start: number, end: number, maxLowPfn: number, free: (pfn: number, order: number) => void): number {
  const startPfn = pfnUp(start);
  const endPfn = Math.min(pfnDown(end), maxLowPfn);
  if (startPfn >= endPfn) return 0;
  freePagesMemory(startPfn, endPfn, free);
  return endPfn - startPfn;
}

/** mirrors memmap_init_reserved_pages(): reserved ranges, then NOMAP memory, become PG_reserved. */
export function memmapInitReservedPages(ctx: MemInitContext): void {
  for (const r of forEachReservedMemRange(ctx.mb)) reserveBootmemRegion(ctx, r.start, r.end);
  for (const r of forEachMemRegion(ctx.mb)) {
    if (r.flags & MemblockFlag.NOMAP) reserveBootmemRegion(ctx, r.base, r.base + r.size);
  }
}

/** mirrors free_low_memory_core_early(): returns the pages of all free ranges, deferred ones included. */
export function freeLowMemoryCoreEarly(ctx: MemInitContext, buddy: BuddyFreeTarget, maxLowPfn: number): number {
  memblockClearHotplug(ctx.mb, 0, PHYS_ADDR_MAX);
  memmapInitReservedPages(ctx);
  const free = (pfn: number, order: number): void => memblockFreePages(buddy, ctx, pfn, order);
  let count = 0;
  for (const r of forEachFreeMemRange(ctx.mb, NUMA_NO_NODE, MemblockFlag.NONE)) {
    count += freeMemoryCore(r.start, r.end, maxLowPfn, free);
  }
  return count;
}

/**
 * mirrors memblock_free_all(): free_unused_memmap() does nothing with SPARSEMEM_VMEMMAP on x86;
 * every zone's managed_pages restarts from 0; returns the pages to add to totalram_pages.
 */
export function memblockFreeAll(ctx: MemInitContext, buddy: BuddyFreeTarget, maxLowPfn: number): number {
  for (const pg of ctx.zones.nodes.values()) for (const z of pg.zones) z.managedPages = 0;
  return freeLowMemoryCoreEarly(ctx, buddy, maxLowPfn);
}
