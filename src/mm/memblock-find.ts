// Finding free space without reserving it (mm/memblock.c memblock_find_in_range_node,
// __memblock_find_range_bottom_up / _top_down, memblock_find_in_range).
import { MEMBLOCK_ALLOC_ACCESSIBLE, MEMBLOCK_ALLOC_NOLEAKTRACE, MemblockFlag } from '../include/memblock.js';
import { NUMA_NO_NODE } from '../include/mmzone.js';
import { PAGE_SIZE, roundDown, roundUp } from '../include/pfn.js';
import { memblockMirrorFallbackLine } from '../trace/formats/memblock.js';
import { forEachFreeMemRange, forEachFreeMemRangeReverse } from './memblock-iter.js';
import { chooseMemblockFlags, type Memblock } from './memblock-type.js';

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

// round_up / round_down are bit masks in the kernel: an alignment of 0 masks everything
// away ("round_down(x, 0) = 0"), so a zero alignment never finds anything usable.
const alignDown = (x: number, align: number): number => (align === 0 ? 0 : roundDown(x, align));
const alignUp = (x: number, align: number): number => (align === 0 ? 0 : roundUp(x, align));

/** __memblock_find_range_bottom_up(): lowest aligned fit inside [start, end). */
function findRangeBottomUp(mb: Memblock, start: number, end: number, size: number, align: number, nid: number, flags: number): number {
  for (const r of forEachFreeMemRange(mb, nid, flags)) {
    const thisStart = clamp(r.start, start, end);
    const thisEnd = clamp(r.end, start, end);
    const cand = alignUp(thisStart, align);
    if (cand < thisEnd && thisEnd - cand >= size) return cand;
  }
  return 0;
}

/** __memblock_find_range_top_down(): highest aligned fit inside [start, end). */
function findRangeTopDown(mb: Memblock, start: number, end: number, size: number, align: number, nid: number, flags: number): number {
  for (const r of forEachFreeMemRangeReverse(mb, nid, flags)) {
    const thisStart = clamp(r.start, start, end);
    const thisEnd = clamp(r.end, start, end);
    if (thisEnd < size) continue;
    const cand = alignDown(thisEnd - size, align);
    if (cand >= thisStart) return cand;
  }
  return 0;
}

/**
 * memblock_find_in_range_node(): a free, aligned [addr, addr + size) within [start, end) on node
 * nid (NUMA_NO_NODE: any), in the current direction. end ACCESSIBLE/NOLEAKTRACE means the current
 * limit; the first page is never handed out. Returns 0 when nothing fits.
 */
export function memblockFindInRangeNode(
  mb: Memblock,
  size: number,
  align: number,
  start: number,
  end: number,
  nid: number,
  flags: number,
): number {
  if (end === MEMBLOCK_ALLOC_ACCESSIBLE || end === MEMBLOCK_ALLOC_NOLEAKTRACE) end = mb.currentLimit;
  start = Math.max(start, PAGE_SIZE);
  end = Math.max(start, end);
  return mb.bottomUp
    ? findRangeBottomUp(mb, start, end, size, align, nid, flags)
    : findRangeTopDown(mb, start, end, size, align, nid, flags);
}

/** The pr_warn_ratelimited of a mirrored allocation that fell back to any memory. */
export function memblockWarnMirrorFallback(mb: Memblock, size: number): void {
  mb.log?.(memblockMirrorFallbackLine.emit({ size }));
}

/** memblock_find_in_range(): any node, mirrored memory first when the system has some. */
export function memblockFindInRange(mb: Memblock, start: number, end: number, size: number, align: number): number {
  let flags = chooseMemblockFlags(mb);
  for (;;) {
    const ret = memblockFindInRangeNode(mb, size, align, start, end, NUMA_NO_NODE, flags);
    if (ret || !(flags & MemblockFlag.MIRROR)) return ret;
    memblockWarnMirrorFallback(mb, size);
    flags &= ~MemblockFlag.MIRROR;
  }
}
