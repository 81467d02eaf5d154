// memblock range iterators (mm/memblock.c __next_mem_range, __next_mem_range_rev,
// __next_mem_pfn_range, __next_mem_pfn_range_in_zone and the for_each_* macros of
// include/linux/memblock.h). Each hands out [start, end) ranges; per-page work is the caller's.
import { MemblockFlag } from '../include/memblock.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../include/mmzone.js';
import { PHYS_ADDR_MAX, pfnDown, pfnUp } from '../include/pfn.js';
import type { Memblock, MemblockRegion, MemblockType } from './memblock-type.js';

export interface MemRange {
  start: number;
  end: number;
  nid: number;
}

export interface PfnRange {
  startPfn: number;
  endPfn: number;
}

/** should_skip_region(): node, hotplug (movable_node), mirror, nomap and driver-managed filters; memory only. */
function shouldSkipRegion(mb: Memblock, type: MemblockType, m: MemblockRegion, nid: number, flags: number): boolean {
  if (type !== mb.memory) return false;
  if (nid !== NUMA_NO_NODE && nid !== m.nid) return true;
  if (mb.movableNode && m.flags & MemblockFlag.HOTPLUG && !(flags & MemblockFlag.HOTPLUG)) return true;
  if (flags & MemblockFlag.MIRROR && !(m.flags & MemblockFlag.MIRROR)) return true;
  if (!(flags & MemblockFlag.NOMAP) && m.flags & MemblockFlag.NOMAP) return true;
  if (!(flags & MemblockFlag.DRIVER_MANAGED) && m.flags & MemblockFlag.DRIVER_MANAGED) return true;
  return false;
}

/** Gap idxB of typeB: [end of region idxB-1 (or 0), base of region idxB (or PHYS_ADDR_MAX)). */
function gapStart(typeB: MemblockType, idxB: number): number {
  const prev = typeB.regions[idxB - 1];
  return prev ? prev.base + prev.size : 0;
}
function gapEnd(typeB: MemblockType, idxB: number): number {
  return idxB < typeB.regions.length ? typeB.regions[idxB]!.base : PHYS_ADDR_MAX;
}

/**
 * __next_mem_range() as a cursor: the two indices live in a closure and are re-read from the
 * live arrays on every step, exactly like the kernel's packed u64 index.
 */
function memRangeCursor(
  mb: Memblock,
  nidIn: number,
  flags: number,
  typeA: MemblockType,
  typeB: MemblockType | undefined,
): () => MemRange | undefined {
  const nid = nidIn === MAX_NUMNODES ? NUMA_NO_NODE : nidIn; // the kernel WARNs and does the same
  let idxA = 0;
  let idxB = 0;
  return () => {
    for (; idxA < typeA.regions.length; idxA++) {
      const m = typeA.regions[idxA]!;
      const mStart = m.base;
      const mEnd = m.base + m.size;
      if (shouldSkipRegion(mb, typeA, m, nid, flags)) continue;
      if (!typeB) {
        idxA++;
        return { start: mStart, end: mEnd, nid: m.nid };
      }
      for (; idxB < typeB.regions.length + 1; idxB++) {
        const rStart = gapStart(typeB, idxB);
        const rEnd = gapEnd(typeB, idxB);
        if (rStart >= mEnd) break;
        if (mStart < rEnd) {
          // the range that ends first advances
          if (mEnd <= rEnd) idxA++;
          else idxB++;
          return { start: Math.max(mStart, rStart), end: Math.min(mEnd, rEnd), nid: m.nid };
        }
      }
    }
    return undefined;
  };
}

/** __next_mem_range_rev() as a cursor, starting from the top of both arrays. */
function memRangeRevCursor(
  mb: Memblock,
  nidIn: number,
  flags: number,
  typeA: MemblockType,
  typeB: MemblockType | undefined,
): () => MemRange | undefined {
  const nid = nidIn === MAX_NUMNODES ? NUMA_NO_NODE : nidIn;
  let idxA = typeA.regions.length - 1;
  let idxB = typeB ? typeB.regions.length : 0;
  return () => {
    for (; idxA >= 0; idxA--) {
      const m = typeA.regions[idxA]!;
      const mStart = m.base;
      const mEnd = m.base + m.size;
      if (shouldSkipRegion(mb, typeA, m, nid, flags)) continue;
      if (!typeB) {
        idxA--;
        return { start: mStart, end: mEnd, nid: m.nid };
      }
      for (; idxB >= 0; idxB--) {
        const rStart = gapStart(typeB, idxB);
        const rEnd = gapEnd(typeB, idxB);
        if (rEnd <= mStart) break;
        if (mEnd > rStart) {
          if (mStart >= rStart) idxA--;
          else idxB--;
          return { start: Math.max(mStart, rStart), end: Math.min(mEnd, rEnd), nid: m.nid };
        }
      }
    }
    return undefined;
  };
}

function* drain<T>(next: () => T | undefined): Generator<T> {
  for (let v = next(); v !== undefined; v = next()) yield v;
}

/** __for_each_mem_range(): typeA minus typeB (or all of typeA when typeB is undefined). */
export function forEachMemRangeOf(
  mb: Memblock,
  typeA: MemblockType,
  typeB: MemblockType | undefined,
  nid: number,
  flags: number,
): Generator<MemRange> {
  return drain(memRangeCursor(mb, nid, flags, typeA, typeB));
}

/** __for_each_mem_range_rev(). */
export function forEachMemRangeRevOf(
  mb: Memblock,
  typeA: MemblockType,
  typeB: MemblockType | undefined,
  nid: number,
  flags: number,
): Generator<MemRange> {
  return drain(memRangeRevCursor(mb, nid, flags, typeA, typeB));
}

const MEM_RANGE_FLAGS = MemblockFlag.HOTPLUG | MemblockFlag.DRIVER_MANAGED;

/** for_each_mem_range(): every memory region, hotpluggable and driver-managed ones included. */
export const forEachMemRange = (mb: Memblock): Generator<MemRange> =>
  forEachMemRangeOf(mb, mb.memory, undefined, NUMA_NO_NODE, MEM_RANGE_FLAGS);

/** for_each_mem_range_rev(). */
export const forEachMemRangeRev = (mb: Memblock): Generator<MemRange> =>
  forEachMemRangeRevOf(mb, mb.memory, undefined, NUMA_NO_NODE, MEM_RANGE_FLAGS);

/** for_each_free_mem_range(): memory not reserved, bottom up. */
export const forEachFreeMemRange = (mb: Memblock, nid: number, flags: number): Generator<MemRange> =>
  forEachMemRangeOf(mb, mb.memory, mb.reserved, nid, flags);

/** for_each_free_mem_range_reverse(): memory not reserved, top down. */
export const forEachFreeMemRangeReverse = (mb: Memblock, nid: number, flags: number): Generator<MemRange> =>
  forEachMemRangeRevOf(mb, mb.memory, mb.reserved, nid, flags);

/** for_each_reserved_mem_range(). */
export const forEachReservedMemRange = (mb: Memblock): Generator<MemRange> =>
  forEachMemRangeOf(mb, mb.reserved, undefined, NUMA_NO_NODE, MemblockFlag.NONE);

/** for_each_mem_region(): the raw regions, the dummy of an empty array included. */
export function* forEachMemRegion(mb: Memblock): Generator<MemblockRegion> {
  for (let i = 0; i < mb.memory.regions.length; i++) yield mb.memory.regions[i]!;
}

/** for_each_reserved_mem_region(). */
export function* forEachReservedMemRegion(mb: Memblock): Generator<MemblockRegion> {
  for (let i = 0; i < mb.reserved.regions.length; i++) yield mb.reserved.regions[i]!;
}

/**
 * for_each_mem_pfn_range() / __next_mem_pfn_range(): whole pages of each memory region on
 * node nid (MAX_NUMNODES: all); regions without a whole page are skipped.
 */
export function* forEachMemPfnRange(mb: Memblock, nid: number): Generator<PfnRange & { nid: number }> {
  const type = mb.memory;
  for (let i = 0; i < type.regions.length; i++) {
    const r = type.regions[i]!;
    const startPfn = pfnUp(r.base);
    const endPfn = pfnDown(r.base + r.size);
    if (startPfn >= endPfn) continue;
    if (nid === MAX_NUMNODES || nid === r.nid) yield { startPfn, endPfn, nid: r.nid };
  }
}

/**
 * for_each_free_mem_pfn_range_in_zone() / __next_mem_pfn_range_in_zone() (CONFIG_DEFERRED_STRUCT_PAGE_INIT):
 * free ranges of the zone's node clipped to [zoneStartPfn, zoneEndPfn); ranges wholly below the zone
 * or without a whole page are skipped, and the first one starting at or past the zone end stops the walk.
 * `nid` is zone_to_nid(zone).
 */
export function* forEachFreeMemPfnRangeInZone(
  mb: Memblock,
  zoneStartPfn: number,
  zoneEndPfn: number,
  nid: number = NUMA_NO_NODE,
): Generator<PfnRange> {
  for (const r of forEachFreeMemRange(mb, nid, MemblockFlag.NONE)) {
    const epfn = pfnDown(r.end);
    const spfn = pfnUp(r.start);
    if (zoneStartPfn < epfn && spfn < epfn) {
      if (zoneEndPfn <= spfn) return;
      yield { startPfn: Math.max(zoneStartPfn, spfn), endPfn: Math.min(zoneEndPfn, epfn) };
    }
  }
}
