// memmap_init() of 6.1 (mm/page_alloc.c) as a walk over pfn ranges: every memory range × populated
// zone goes through the memmap init core (memmap-init-range.ts) in early context, which finds
// where each node's deferred part starts; the holes between and after the ranges go through
// init_unavailable_range(). Without a memmap the same walk only plans (zone sizing, replay).
import { MAX_NUMNODES, MigrateType, PAGES_PER_SECTION, pfnToSectionNr } from '../include/mmzone.js';
import { roundUp } from '../include/pfn.js';
import type { Printk } from '../kernel/printk.js';
import * as F from '../trace/formats/zone.js';
import type { Memblock } from './memblock.js';
import { forEachMemPfnRange } from './memblock.js';
import { earlyInitState, initUnavailableRange, memmapInitRange, type MemmapInitContext } from './memmap-init-range.js';
import type { Memmap } from './sparse.js';
import { populatedZone, zoneEndPfn, type ZoneLayout } from './zone.js';

export interface MemmapInitResult {
  /** Pages initialised before deferred init, per node. */
  earlyInitPages: Map<number, number>;
  /** Pages left for deferred init, per node. */
  deferredPages: Map<number, number>;
  /** first_deferred_pfn as memmap_init() left it, per node (Infinity: nothing deferred); deferred init later clears it. */
  firstDeferredPfn: Map<number, number>;
}

/** Sections that hold any memblock memory (memblocks_present()). */
export function presentSections(mb: Memblock): Set<number> {
  const s = new Set<number>();
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    for (let nr = pfnToSectionNr(r.startPfn); nr <= pfnToSectionNr(r.endPfn - 1); nr++) s.add(nr);
  }
  return s;
}

/**
 * memmap_init(): walk memblock ranges × populated zones through memmap_init_zone_range()
 * (early parts initialised, the rest deferred), marking the holes before each range and after
 * the last one up to its section end. With `memmap` the struct pages are written.
 */
export function memmapInit(mb: Memblock, lay: ZoneLayout, printk: Printk | undefined, memmap?: Memmap): MemmapInitResult {
  const ctx: MemmapInitContext = {
    mb, zones: lay, memmap, presentSections: presentSections(mb), groupByMobilityDisabled: false, early: earlyInitState(),
  };
  const res: MemmapInitResult = { earlyInitPages: new Map(), deferredPages: new Map(), firstDeferredPfn: new Map() };
  for (const pg of lay.nodes.values()) pg.firstDeferredPfn = Infinity;
  let holePfn = 0;
  let zoneId = 0;
  let lastNid = 0;
  let lastEnd = 0;
  const hole = (nid: number, zone: number, end: number): void => {
    const pages = initUnavailableRange(ctx, holePfn, end, zone, nid);
    if (pages) printk?.emit(F.unavailableRanges, { nid, zone: lay.nodes.get(nid)!.zones[zone]!.name, pages });
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
      const stop = memmapInitRange(ctx, e - s, r.nid, z.type, s, ze, 'early', undefined, MigrateType.MOVABLE);
      res.earlyInitPages.set(r.nid, (res.earlyInitPages.get(r.nid) ?? 0) + (stop - s));
      res.deferredPages.set(r.nid, (res.deferredPages.get(r.nid) ?? 0) + (e - stop));
      if (holePfn < s) hole(r.nid, z.type, s);
      holePfn = e;
    }
  }
  const endPfn = roundUp(lastEnd, PAGES_PER_SECTION);
  if (holePfn < endPfn && lay.nodes.has(lastNid)) hole(lastNid, zoneId, endPfn);
  for (const [nid, pg] of lay.nodes) res.firstDeferredPfn.set(nid, pg.firstDeferredPfn);
  return res;
}
