// memmap_init() of 6.1 (mm/page_alloc.c) as a walk over pfn ranges: which ranges of each zone are
// initialised at boot, where each node's deferred part starts (defer_init()), and the holes that
// init_unavailable_range() marks reserved. The walk hands out [start, end) ranges; what to do per
// page is the visitor's business, so the same walk serves sizing now and struct pages later.
import { MAX_NUMNODES, PAGEBLOCK_NR_PAGES, PAGES_PER_SECTION, pfnToSectionNr } from '../include/mmzone.js';
import { roundUp } from '../include/pfn.js';
import type { Printk } from '../kernel/printk.js';
import * as F from '../trace/formats/zone.js';
import type { Memblock } from './memblock.js';
import { forEachMemPfnRange } from './memblock.js';
import { populatedZone, zoneEndPfn, type PgData, type ZoneLayout } from './zone.js';

export interface MemmapInitVisitor {
  /** memmap_init_range(MEMINIT_EARLY) over [start, end) of a zone: pages initialised now. */
  initRange?(nid: number, zone: number, start: number, end: number): void;
  /** init_unavailable_range(): a hole inside present sections, initialised as reserved. */
  unavailableRange?(nid: number, zone: number, start: number, end: number, pages: number): void;
}

export interface MemmapInitResult {
  /** Pages initialised before deferred init, per node. */
  earlyInitPages: Map<number, number>;
  /** Pages left for deferred init, per node. */
  deferredPages: Map<number, number>;
}

/** Sections that hold any memblock memory (memblocks_present()). */
export function presentSections(mb: Memblock): Set<number> {
  const s = new Set<number>();
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    for (let nr = pfnToSectionNr(r.startPfn); nr <= pfnToSectionNr(r.endPfn - 1); nr++) s.add(nr);
  }
  return s;
}

/** init_unavailable_range(): count pfns of [spfn, epfn) whose pageblock lies in a present section. */
function countUnavailable(sections: Set<number>, spfn: number, epfn: number): number {
  let n = 0;
  for (let pfn = spfn; pfn < epfn; ) {
    const blockStart = pfn - (pfn % PAGEBLOCK_NR_PAGES);
    const blockEnd = Math.min(blockStart + PAGEBLOCK_NR_PAGES, epfn);
    if (sections.has(pfnToSectionNr(blockStart))) n += blockEnd - pfn;
    pfn = blockEnd;
  }
  return n;
}

/** defer_init() state: it counts pages of the zone being initialised, across calls for that zone. */
interface DeferState {
  prevEndPfn: number;
  nrInitialised: number;
}

/**
 * The part of memmap_init_range() that defer_init() controls: returns where initialisation of
 * [start, end) stops (end when nothing is deferred), setting the node's first_deferred_pfn.
 */
function deferSplit(pg: PgData, st: DeferState, start: number, end: number, zoneEnd: number): number {
  if (st.prevEndPfn !== zoneEnd) {
    st.prevEndPfn = zoneEnd;
    st.nrInitialised = 0;
  }
  // Low zones are always populated in full, for address-constrained allocations.
  if (zoneEnd < pg.nodeEndPfn) return end;
  if (pg.firstDeferredPfn !== Infinity) return start;
  // One section's worth of pages is initialised, then the first section boundary defers the rest.
  const firstOver = start + Math.max(PAGES_PER_SECTION - st.nrInitialised, 0);
  const split = roundUp(firstOver, PAGES_PER_SECTION);
  if (split < end) {
    st.nrInitialised += split - start + 1;
    pg.firstDeferredPfn = split;
    return split;
  }
  st.nrInitialised += end - start;
  return end;
}

/** memmap_init(): walk memblock ranges × populated zones, initialise early parts, mark holes. */
export function memmapInit(mb: Memblock, lay: ZoneLayout, printk: Printk | undefined, v: MemmapInitVisitor = {}): MemmapInitResult {
  const sections = presentSections(mb);
  const st: DeferState = { prevEndPfn: 0, nrInitialised: 0 };
  const res: MemmapInitResult = { earlyInitPages: new Map(), deferredPages: new Map() };
  for (const pg of lay.nodes.values()) pg.firstDeferredPfn = Infinity;
  let holePfn = 0;
  let zoneId = 0;
  let lastNid = 0;
  let lastEnd = 0;
  const hole = (nid: number, zone: number, end: number): void => {
    const pages = countUnavailable(sections, holePfn, end);
    if (pages) {
      printk?.emit(F.unavailableRanges, { nid, zone: lay.nodes.get(nid)!.zones[zone]!.name, pages });
      v.unavailableRange?.(nid, zone, holePfn, end, pages);
    }
  };
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    const pg = lay.nodes.get(r.nid);
    lastNid = r.nid;
    lastEnd = r.endPfn;
    if (!pg) continue;
    for (const z of pg.zones) {
      if (!populatedZone(z)) continue;
      const zs = z.zoneStartPfn;
      const ze = zoneEndPfn(z);
      const s = Math.min(Math.max(r.startPfn, zs), ze);
      const e = Math.min(Math.max(r.endPfn, zs), ze);
      zoneId = z.type;
      if (s >= e) continue;
      const stop = deferSplit(pg, st, s, e, ze);
      if (stop > s) v.initRange?.(r.nid, z.type, s, stop);
      res.earlyInitPages.set(r.nid, (res.earlyInitPages.get(r.nid) ?? 0) + (stop - s));
      res.deferredPages.set(r.nid, (res.deferredPages.get(r.nid) ?? 0) + (e - stop));
      if (holePfn < s) hole(r.nid, z.type, s);
      holePfn = e;
    }
  }
  const endPfn = roundUp(lastEnd, PAGES_PER_SECTION);
  if (holePfn < endPfn && lay.nodes.has(lastNid)) hole(lastNid, zoneId, endPfn);
  return res;
}
