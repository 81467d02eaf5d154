// Allocation: find + reserve (mm/memblock.c memblock_alloc_range_nid, memblock_phys_alloc_range,
// memblock_phys_alloc_try_nid, memblock_alloc_internal and its public wrappers, plus the
// memblock_alloc* / memblock_phys_alloc inlines of include/linux/memblock.h). All return a
// physical address, 0 on failure; contents are not modelled, so zeroing is a no-op.
import { MEMBLOCK_ALLOC_ACCESSIBLE, MemblockFlag, SMP_CACHE_BYTES } from '../include/memblock.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../include/mmzone.js';
import {
  memblockAllocExactNidRawLine,
  memblockAllocTryNidLine,
  memblockAllocTryNidRawLine,
  memblockPhysAllocRangeLine,
  type MemblockAllocNidLine,
} from '../trace/formats/memblock.js';
import type { LineFormat } from '../trace/format.js';
import { memblockFindInRangeNode, memblockWarnMirrorFallback } from './memblock-find.js';
import { memblockReserve } from './memblock-range.js';
import { chooseMemblockFlags, type Memblock } from './memblock-type.js';

/** MEMBLOCK_LOW_LIMIT and ARCH_LOW_ADDRESS_LIMIT (x86 keeps the generic 4 GiB - 1). */
export const MEMBLOCK_LOW_LIMIT = 0;
export const ARCH_LOW_ADDRESS_LIMIT = 0xffffffff;

/** Find on nid and reserve it; 0 when nothing fits or the reservation fails. */
function tryFindAndReserve(mb: Memblock, size: number, align: number, start: number, end: number, nid: number, flags: number): number {
  const found = memblockFindInRangeNode(mb, size, align, start, end, nid, flags);
  return found && !memblockReserve(mb, found, size, 'memblock_alloc_range_nid') ? found : 0;
}

/**
 * memblock_alloc_range_nid(): reserve size bytes aligned to align inside [start, end) (end
 * ACCESSIBLE: the current limit). Tries node nid, then any node unless exactNid, and repeats
 * without MEMBLOCK_MIRROR if mirrored memory was asked for and none fitted.
 */
export function memblockAllocRangeNid(
  mb: Memblock,
  size: number,
  align: number,
  start: number,
  end: number,
  nid: number,
  exactNid: boolean,
): number {
  let flags = chooseMemblockFlags(mb);
  if (nid === MAX_NUMNODES) nid = NUMA_NO_NODE; // the kernel WARNs once and does the same
  if (!align) align = SMP_CACHE_BYTES; // after a dump_stack()
  for (;;) {
    let found = tryFindAndReserve(mb, size, align, start, end, nid, flags);
    if (found) return found;
    if (nid !== NUMA_NO_NODE && !exactNid) {
      found = tryFindAndReserve(mb, size, align, start, end, NUMA_NO_NODE, flags);
      if (found) return found;
    }
    if (!(flags & MemblockFlag.MIRROR)) return 0;
    flags &= ~MemblockFlag.MIRROR;
    memblockWarnMirrorFallback(mb, size);
  }
}

/** memblock_phys_alloc_range(): any node within [start, end). */
export function memblockPhysAllocRange(mb: Memblock, size: number, align: number, start: number, end: number, caller = ''): number {
  mb.debug?.(memblockPhysAllocRangeLine.emit({ size, align, from: start, maxAddr: end, caller }));
  return memblockAllocRangeNid(mb, size, align, start, end, NUMA_NO_NODE, false);
}

/** memblock_phys_alloc(): memblock_phys_alloc_range(size, align, 0, ACCESSIBLE). */
export const memblockPhysAlloc = (mb: Memblock, size: number, align: number, caller = ''): number =>
  memblockPhysAllocRange(mb, size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE, caller);

/** memblock_phys_alloc_try_nid(): prefer nid, below the current limit; prints nothing. */
export const memblockPhysAllocTryNid = (mb: Memblock, size: number, align: number, nid: number): number =>
  memblockAllocRangeNid(mb, size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE, nid, false);

/**
 * memblock_alloc_internal(): cap maxAddr at the current limit, then allocate in [minAddr, maxAddr)
 * and, failing that, retry from 0 — the lower bound is only a preference.
 */
function memblockAllocInternal(
  mb: Memblock,
  size: number,
  align: number,
  minAddr: number,
  maxAddr: number,
  nid: number,
  exactNid: boolean,
): number {
  if (maxAddr > mb.currentLimit) maxAddr = mb.currentLimit;
  let alloc = memblockAllocRangeNid(mb, size, align, minAddr, maxAddr, nid, exactNid);
  if (!alloc && minAddr) alloc = memblockAllocRangeNid(mb, size, align, 0, maxAddr, nid, exactNid);
  return alloc;
}

type AllocNid = (mb: Memblock, size: number, align: number, minAddr: number, maxAddr: number, nid: number, caller?: string) => number;

function allocNidEntry(line: LineFormat<MemblockAllocNidLine>, exactNid: boolean): AllocNid {
  return (mb, size, align, minAddr, maxAddr, nid, caller = '') => {
    mb.debug?.(line.emit({ size, align, nid, from: minAddr, maxAddr, caller }));
    return memblockAllocInternal(mb, size, align, minAddr, maxAddr, nid, exactNid);
  };
}

/** memblock_alloc_try_nid(): prefer nid and [minAddr, maxAddr), fall back to any node and to 0. */
export const memblockAllocTryNid: AllocNid = allocNidEntry(memblockAllocTryNidLine, false);
/** memblock_alloc_try_nid_raw(): the same without zeroing. */
export const memblockAllocTryNidRaw: AllocNid = allocNidEntry(memblockAllocTryNidRawLine, false);
/** memblock_alloc_exact_nid_raw(): node nid only. */
export const memblockAllocExactNidRaw: AllocNid = allocNidEntry(memblockAllocExactNidRawLine, true);

/** memblock_alloc(): any node, below the current limit. */
export const memblockAlloc = (mb: Memblock, size: number, align: number, caller = ''): number =>
  memblockAllocTryNid(mb, size, align, MEMBLOCK_LOW_LIMIT, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);

/** memblock_alloc_raw(). */
export const memblockAllocRaw = (mb: Memblock, size: number, align: number, caller = ''): number =>
  memblockAllocTryNidRaw(mb, size, align, MEMBLOCK_LOW_LIMIT, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);

/** memblock_alloc_from(): prefer addresses at or above minAddr. */
export const memblockAllocFrom = (mb: Memblock, size: number, align: number, minAddr: number, caller = ''): number =>
  memblockAllocTryNid(mb, size, align, minAddr, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, caller);

/** memblock_alloc_low(): below 4 GiB. */
export const memblockAllocLow = (mb: Memblock, size: number, align: number, caller = ''): number =>
  memblockAllocTryNid(mb, size, align, MEMBLOCK_LOW_LIMIT, ARCH_LOW_ADDRESS_LIMIT, NUMA_NO_NODE, caller);

/** memblock_alloc_node(). */
export const memblockAllocNode = (mb: Memblock, size: number, align: number, nid: number, caller = ''): number =>
  memblockAllocTryNid(mb, size, align, MEMBLOCK_LOW_LIMIT, MEMBLOCK_ALLOC_ACCESSIBLE, nid, caller);
