// SPDX-License-Identifier: GPL-2.0-only
// struct numa_meminfo and its helpers (arch/x86/mm/numa.c, numa_internal.h): the node layout as
// a list of [start, end) blocks, and the cleanup that makes it fit memblock.memory.
import { MAX_NUMNODES } from '../../include/mmzone.js';
import { pfnPhys } from '../../include/pfn.js';
import type { Printk } from '../../kernel/printk.js';
import type { Memblock } from '../../mm/memblock.js';
import * as F from '../../trace/formats/numa.js';

/** One struct numa_memblk: [start, end) on node nid. */
export interface NumaMemblk {
  start: number;
  end: number;
  nid: number;
}

/** numa_add_memblk_to(): zero-length blocks are ignored, invalid ones rejected. */
export function numaAddMemblkTo(mi: NumaMemblk[], nid: number, start: number, end: number): void {
  if (start === end) return;
  if (start > end || nid < 0 || nid >= MAX_NUMNODES) return;
  mi.push({ start, end, nid });
}

/** memblock_overlaps_region() on memblock.memory. */
function overlapsMemory(mb: Memblock, start: number, end: number): boolean {
  return mb.memory.regions.some((r) => r.base < end && start < r.base + r.size);
}

/** numa_cleanup_meminfo(): trim, move RAM-less ranges aside, merge same-node neighbours. */
export function numaCleanupMeminfo(
  mb: Memblock, mi: NumaMemblk[], reserved: NumaMemblk[], maxPfn: number, printk: Printk,
): boolean {
  const high = pfnPhys(maxPfn);
  for (let i = 0; i < mi.length; i++) {
    const bi = mi[i]!;
    if (!overlapsMemory(mb, bi.start, bi.end)) {
      reserved.push(bi);
      mi.splice(i--, 1);
      continue;
    }
    if (bi.end > high) {
      numaAddMemblkTo(reserved, bi.nid, high, bi.end);
      bi.end = high;
    }
    if (bi.start >= bi.end) mi.splice(i--, 1);
  }
  for (let i = 0; i < mi.length; i++) {
    const bi = mi[i]!;
    for (let j = i + 1; j < mi.length; j++) {
      const bj = mi[j]!;
      if (bi.end > bj.start && bi.start < bj.end && bi.nid !== bj.nid) {
        printk.emit(F.numaOverlap, { a: { ...bi }, b: { ...bj } });
        return false;
      }
      if (bi.nid !== bj.nid) continue;
      const start = Math.min(bi.start, bj.start);
      const end = Math.max(bi.end, bj.end);
      // Only join when the gap between them holds no other node's memory.
      if (mi.some((bk) => bk.nid !== bi.nid && start < bk.end && end > bk.start)) continue;
      printk.emit(F.numaMerge, { nid: bi.nid, a: [bi.start, bi.end], b: [bj.start, bj.end], to: [start, end] });
      bi.start = start;
      bi.end = end;
      mi.splice(j--, 1);
    }
  }
  return true;
}
