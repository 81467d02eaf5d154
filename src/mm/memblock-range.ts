// Adding and removing ranges (mm/memblock.c memblock_add_range, memblock_isolate_range,
// memblock_remove_range, memblock_double_array and the public memblock_add / _add_node /
// _remove / _reserve / _phys_free with their memblock=debug lines).
import { MAX_NUMNODES } from '../include/mmzone.js';
import { PAGE_SIZE, roundUp } from '../include/pfn.js';
import {
  memblockAddLine,
  memblockAddNodeLine,
  memblockDoubledLine,
  memblockDoubleFailedLine,
  memblockPhysFreeLine,
  memblockRemoveLine,
  memblockReserveLine,
} from '../trace/formats/memblock.js';
import { memblockFindInRange } from './memblock-find.js';
import {
  MEMBLOCK_REGION_BYTES,
  memblockCapEnd,
  memblockInsertRegion,
  memblockMergeRegions,
  memblockRemoveRegion,
  type Memblock,
  type MemblockType,
} from './memblock-type.js';

/** -ENOMEM, as memblock_add_range and memblock_isolate_range return it. */
export const ENOMEM = -12;

/**
 * memblock_double_array(): move a full array into a page-aligned block twice its size, found
 * with memblock_find_in_range below the current limit. When the reserved array grows, the block
 * must not overlap [newAreaStart, +newAreaSize), the range that is about to be reserved: first
 * look above it, then below it. The old array is freed only if memblock allocated it; the new
 * one is reserved. Returns 0, or -1 when resizing is not allowed yet or nothing fits.
 */
function memblockDoubleArray(mb: Memblock, type: MemblockType, newAreaStart: number, newAreaSize: number): number {
  if (!mb.canResize) return -1;
  const oldSize = type.max * MEMBLOCK_REGION_BYTES;
  const newSize = oldSize * 2;
  const oldAllocSize = roundUp(oldSize, PAGE_SIZE);
  const newAllocSize = roundUp(newSize, PAGE_SIZE);
  if (type !== mb.reserved) newAreaStart = newAreaSize = 0;
  let addr = memblockFindInRange(mb, newAreaStart + newAreaSize, mb.currentLimit, newAllocSize, PAGE_SIZE);
  if (!addr && newAreaSize)
    addr = memblockFindInRange(mb, 0, Math.min(newAreaStart, mb.currentLimit), newAllocSize, PAGE_SIZE);
  if (!addr) {
    mb.log?.(memblockDoubleFailedLine.emit({ name: type.name, from: type.max, to: type.max * 2 }));
    return -1;
  }
  mb.debug?.(memblockDoubledLine.emit({ name: type.name, max: type.max * 2, base: addr, size: newSize }));
  const oldPhys = type.arrayPhys;
  type.arrayPhys = addr;
  type.max *= 2;
  // memblock_free() tail-calls memblock_phys_free() in Debian's build, so the trace names
  // memblock_double_array (the unoptimised tools/testing/memblock harness prints memblock_free;
  // memblock-traces.test.ts maps it).
  if (oldPhys !== undefined) memblockPhysFree(mb, oldPhys, oldAllocSize, 'memblock_double_array');
  if (memblockReserve(mb, addr, newAllocSize, 'memblock_double_array'))
    throw new Error('BUG: memblock_double_array could not reserve the new array');
  return 0;
}

/**
 * memblock_add_range(): add [base, base + size) to type; parts already covered keep their
 * regions (and nid/flags), only the holes are inserted, then neighbours merge. A first pass
 * counts the new regions when the array might overflow, growing it before inserting.
 */
export function memblockAddRange(mb: Memblock, type: MemblockType, base: number, size: number, nid: number, flags: number): number {
  const obase = base;
  const end = memblockCapEnd(base, size);
  size = end - base;
  if (!size) return 0;

  const first = type.regions[0]!;
  if (first.size === 0) {
    // special case for an empty array: fill the dummy entry
    Object.assign(first, { base, size, flags, nid });
    type.totalSize = size;
    return 0;
  }

  // worst case: the new range overlaps every region and needs cnt + 1 new ones
  let insert = type.regions.length * 2 + 1 < type.max;
  for (;;) {
    base = obase;
    let nrNew = 0;
    let idx = 0;
    for (; idx < type.regions.length; idx++) {
      const rgn = type.regions[idx]!;
      const rbase = rgn.base;
      const rend = rbase + rgn.size;
      if (rbase >= end) break;
      if (rend <= base) continue;
      // rgn overlaps: insert the part of the new range below it
      if (rbase > base) {
        nrNew++;
        if (insert) memblockInsertRegion(type, idx++, base, rbase - base, nid, flags);
      }
      base = Math.min(rend, end);
    }
    if (base < end) {
      nrNew++;
      if (insert) memblockInsertRegion(type, idx, base, end - base, nid, flags);
    }
    if (!nrNew) return 0;
    if (insert) {
      memblockMergeRegions(type);
      return 0;
    }
    while (type.regions.length + nrNew > type.max)
      if (memblockDoubleArray(mb, type, obase, size) < 0) return ENOMEM;
    insert = true;
  }
}

/**
 * memblock_isolate_range(): split regions crossing base or base + size so that the range is
 * made of whole regions; returns their index range [start, end) (both 0 when none), or
 * undefined when the array could not grow. The array is grown first whenever it has fewer
 * than two free slots, even if nothing ends up split.
 */
export function memblockIsolateRange(
  mb: Memblock,
  type: MemblockType,
  base: number,
  size: number,
): { start: number; end: number } | undefined {
  const end = memblockCapEnd(base, size);
  size = end - base;
  const out = { start: 0, end: 0 };
  if (!size) return out;
  while (type.regions.length + 2 > type.max) if (memblockDoubleArray(mb, type, base, size) < 0) return undefined;

  for (let idx = 0; idx < type.regions.length; idx++) {
    const rgn = type.regions[idx]!;
    const rbase = rgn.base;
    const rend = rbase + rgn.size;
    if (rbase >= end) break;
    if (rend <= base) continue;
    if (rbase < base) {
      // crosses base: keep the top half here, insert the bottom half before it, go on with the top
      rgn.base = base;
      rgn.size -= base - rbase;
      type.totalSize -= base - rbase;
      memblockInsertRegion(type, idx, rbase, base - rbase, rgn.nid, rgn.flags);
    } else if (rend > end) {
      // crosses end: insert the bottom half and look at this index again
      rgn.base = end;
      rgn.size -= end - rbase;
      type.totalSize -= end - rbase;
      memblockInsertRegion(type, idx--, rbase, end - rbase, rgn.nid, rgn.flags);
    } else {
      if (!out.end) out.start = idx;
      out.end = idx + 1;
    }
  }
  return out;
}

/** memblock_remove_range(): isolate, then drop the regions inside. */
export function memblockRemoveRange(mb: Memblock, type: MemblockType, base: number, size: number): number {
  const iso = memblockIsolateRange(mb, type, base, size);
  if (!iso) return ENOMEM;
  for (let i = iso.end - 1; i >= iso.start; i--) memblockRemoveRegion(type, i);
  return 0;
}

/** memblock_add_node(): memory on node nid with flags. */
export function memblockAddNode(mb: Memblock, base: number, size: number, nid: number, flags: number, caller = ''): number {
  mb.debug?.(memblockAddNodeLine.emit({ base, size, nid, flags, caller }));
  return memblockAddRange(mb, mb.memory, base, size, nid, flags);
}

/** memblock_add(): memory without a node (nid MAX_NUMNODES until memblock_set_node). */
export function memblockAdd(mb: Memblock, base: number, size: number, caller = ''): number {
  mb.debug?.(memblockAddLine.emit({ base, size, caller }));
  return memblockAddRange(mb, mb.memory, base, size, MAX_NUMNODES, 0);
}

/** memblock_remove(). */
export function memblockRemove(mb: Memblock, base: number, size: number, caller = ''): number {
  mb.debug?.(memblockRemoveLine.emit({ base, size, caller }));
  return memblockRemoveRange(mb, mb.memory, base, size);
}

/** memblock_phys_free(): un-reserve (memblock_free() is the same on a virtual address). */
export function memblockPhysFree(mb: Memblock, base: number, size: number, caller = ''): number {
  mb.debug?.(memblockPhysFreeLine.emit({ base, size, caller }));
  return memblockRemoveRange(mb, mb.reserved, base, size);
}

/** memblock_reserve(). */
export function memblockReserve(mb: Memblock, base: number, size: number, caller = ''): number {
  mb.debug?.(memblockReserveLine.emit({ base, size, caller }));
  return memblockAddRange(mb, mb.reserved, base, size, MAX_NUMNODES, 0);
}
