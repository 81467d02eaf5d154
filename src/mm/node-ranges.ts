// Node pfn ranges from memblock (mm/page_alloc.c of 6.1): shared by zone sizing,
// ZONE_MOVABLE placement and the NUMA coverage check.
import type { Memblock } from './memblock.js';
import { forEachMemPfnRange } from './memblock.js';

/** get_pfn_range_for_nid(): the lowest start and highest end pfn of nid's memory ([0, 0) if none). */
export function getPfnRangeForNid(mb: Memblock, nid: number): [number, number] {
  let start = Infinity;
  let end = 0;
  for (const r of forEachMemPfnRange(mb, nid)) {
    start = Math.min(start, r.startPfn);
    end = Math.max(end, r.endPfn);
  }
  return [start === Infinity ? 0 : start, end];
}

/**
 * __absent_pages_in_range(): pfns of [startPfn, endPfn) not covered by nid's memory
 * (nid MAX_NUMNODES: by any memory). "[0, 0x100) with memory from pfn 1 → 1 absent".
 */
export function absentPagesInRange(mb: Memblock, nid: number, startPfn: number, endPfn: number): number {
  let absent = endPfn - startPfn;
  for (const r of forEachMemPfnRange(mb, nid)) {
    const s = Math.min(Math.max(r.startPfn, startPfn), endPfn);
    const e = Math.min(Math.max(r.endPfn, startPfn), endPfn);
    absent -= e - s;
  }
  return absent;
}
