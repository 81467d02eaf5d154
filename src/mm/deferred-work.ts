// Deferred init as work: the three strategies, each a faithful walk of its kernel (all free
// through 6.1's __free_pages_core), and a node's work described as padata jobs of tasks — plain
// data, so a worker thread can receive a task and run it.
//
//   legacy    Linux 4.19 deferred_init_memmap(): one pgdatinit thread per node initialises every
//             deferred free page of the zone, then a second pass frees them pageblock by pageblock.
//   maxorder  Linux 5.2 (the seed series as merged): one thread per node walks the free ranges,
//             initialising then freeing one MAX_ORDER block at a time.
//   parallel  Linux 5.8+ / 6.1: the maxorder walk split into section-aligned chunks by
//             padata_do_multithreaded(), run by up to max_threads threads per node.
import { MAX_NR_ZONES, PAGES_PER_SECTION } from '../include/mmzone.js';
import { roundUp } from '../include/pfn.js';
import { padataPlan, type PadataMtJob, type PadataPlan } from '../kernel/padata.js';
import {
  deferredFreePages, deferredInitMaxorderStep, deferredInitMemmapChunk, deferredInitMemPfnRangeInZone, deferredInitPages,
  deferredZone, type DeferredContext, type DeferredZone, type ZoneRangeCursor,
} from './deferred.js';
import type { Memblock } from './memblock-type.js';
import { zoneEndPfn, type PgData } from './zone.js';

export const DEFERRED_STRATEGIES = ['legacy', 'maxorder', 'parallel'] as const;
export type DeferredStrategy = (typeof DEFERRED_STRATEGIES)[number];

/** One call of a thread function: a node's whole zone (legacy, maxorder) or one padata chunk (parallel). */
export interface DeferredTask {
  strategy: DeferredStrategy;
  zone: DeferredZone;
  firstInitPfn: number;
  start: number;
  end: number;
}

/** A padata job, its plan, and the chunks as tasks. legacy and maxorder have one job of one task. */
export interface DeferredJob {
  job: PadataMtJob;
  plan: PadataPlan;
  tasks: DeferredTask[];
}

/** Everything one node's pgdatinit does; jobs run one after another. Plain data. */
export interface DeferredNodeWork {
  nid: number;
  strategy: DeferredStrategy;
  zone: DeferredZone;
  firstInitPfn: number;
  jobs: DeferredJob[];
}

/** Linux 4.19 deferred_init_memmap() after its prologue: init every free range, then free them. */
export function deferredInitMemmapLegacy(ctx: DeferredContext, z: DeferredZone, firstDeferredPfn: number): number {
  const first = Math.max(z.zoneStartPfn, firstDeferredPfn);
  let nr = 0;
  for (const r of z.ranges) nr += deferredInitPages(ctx, z, Math.max(first, r.startPfn), r.endPfn);
  for (const r of z.ranges) deferredFreePages(ctx, Math.max(first, r.startPfn), r.endPfn);
  return nr;
}

/** Linux 5.2 deferred_init_memmap() after its prologue: MAX_ORDER steps over the zone's free ranges. */
export function deferredInitMemmapMaxorder(ctx: DeferredContext, z: DeferredZone, firstInitPfn: number): number {
  const cur: ZoneRangeCursor = { i: 0, spfn: 0, epfn: 0 };
  if (!deferredInitMemPfnRangeInZone(z, cur, firstInitPfn)) return 0;
  let nr = 0;
  while (cur.spfn < cur.epfn) nr += deferredInitMaxorderStep(ctx, z, cur);
  return nr;
}

/** The thread function of a task; returns the pages it initialised. */
export function runDeferredTask(ctx: DeferredContext, t: DeferredTask): number {
  switch (t.strategy) {
    case 'legacy': return deferredInitMemmapLegacy(ctx, t.zone, t.firstInitPfn);
    case 'maxorder': return deferredInitMemmapMaxorder(ctx, t.zone, t.firstInitPfn);
    case 'parallel': return deferredInitMemmapChunk(ctx, t.zone, t.start, t.end);
  }
}

/**
 * The front of deferred_init_memmap(): take first_deferred_pfn (leaving ULONG_MAX, so nothing
 * grows the zone any more), find the deferred zone, and describe the work. For parallel, 6.1's
 * job loop: one padata job per free range, from its start to its end rounded up to a section,
 * with align = min_chunk = PAGES_PER_SECTION. undefined when the node deferred nothing.
 */
export function deferredNodeWork(mb: Memblock, pg: PgData, strategy: DeferredStrategy, maxThreads: number): DeferredNodeWork | undefined {
  const first = pg.firstDeferredPfn;
  if (first === Infinity) return undefined;
  if (first < pg.nodeStartPfn || first > pg.nodeEndPfn) throw new Error(`node ${pg.nodeId}: first_deferred_pfn 0x${first.toString(16)} outside the node`);
  pg.firstDeferredPfn = Infinity;
  let zid = 0;
  while (zid < MAX_NR_ZONES - 1 && first >= zoneEndPfn(pg.zones[zid]!)) zid++;
  const zone = deferredZone(mb, pg, zid);
  const work: DeferredNodeWork = { nid: pg.nodeId, strategy, zone, firstInitPfn: first, jobs: [] };
  const task = (start: number, end: number): DeferredTask => ({ strategy, zone, firstInitPfn: first, start, end });
  const jobOf = (start: number, size: number, threads: number): PadataMtJob =>
    ({ start, size, align: PAGES_PER_SECTION, minChunk: PAGES_PER_SECTION, maxThreads: threads });
  if (strategy !== 'parallel') {
    const job = jobOf(first, zone.zoneEndPfn - first, 1);
    work.jobs.push({ job, plan: { nworks: 1, chunkSize: job.size, chunks: [[first, zone.zoneEndPfn]] }, tasks: [task(first, zone.zoneEndPfn)] });
    return work;
  }
  const cur: ZoneRangeCursor = { i: 0, spfn: 0, epfn: 0 };
  if (!deferredInitMemPfnRangeInZone(zone, cur, first)) return work;
  while (cur.spfn < cur.epfn) {
    const epfnAlign = roundUp(cur.epfn, PAGES_PER_SECTION);
    const job = jobOf(cur.spfn, epfnAlign - cur.spfn, maxThreads);
    const plan = padataPlan(job);
    work.jobs.push({ job, plan, tasks: plan.chunks.map(([s, e]) => task(s, e)) });
    deferredInitMemPfnRangeInZone(zone, cur, epfnAlign);
  }
  return work;
}

