// Who runs deferred init, and how the results come back: the three strategies as work
// descriptions (plain data a worker thread can receive), a task runner that collects frees
// instead of handing them to the buddy allocator, the splice that hands them over in a fixed
// order, and page_alloc_init_late()'s deferred part run inline. src/node/ runs the same tasks on
// worker threads; the splice makes both give the same bytes.
//
// Strategies (each a faithful walk of its kernel; all free through 6.1's __free_pages_core):
//   legacy    Linux 4.19 deferred_init_memmap(): one pgdatinit thread per node initialises every
//             deferred free page of the zone, then a second pass frees them pageblock by pageblock.
//   maxorder  Linux 5.2 (the seed series as merged): one thread per node walks the free ranges,
//             initialising then freeing one MAX_ORDER block at a time.
//   parallel  Linux 5.8+ / 6.1: the maxorder walk split into section-aligned chunks by
//             padata_do_multithreaded(), run by up to max_threads threads per node.
import { MAX_NR_ZONES, PAGES_PER_SECTION } from '../include/mmzone.js';
import { roundUp } from '../include/pfn.js';
import { elapsedJiffiesMsecs } from '../kernel/jiffies.js';
import { padataPlan, type PadataMtJob, type PadataPlan } from '../kernel/padata.js';
import type { Printk } from '../kernel/printk.js';
import { deferredInitialised } from '../trace/formats/deferred.js';
import {
  deferredFreePages, deferredInitMaxorder, deferredInitMemmapChunk, deferredInitMemPfnRangeInZone, deferredInitPages,
  deferredZone, type DeferredContext, type DeferredZone, type ZoneRangeCursor,
} from './deferred.js';
import type { Memblock } from './memblock.js';
import type { BuddyFreeTarget } from './page-free-core.js';
import type { Memmap } from './sparse.js';
import { zoneEndPfn, type PgData, type ZoneLayout } from './zone.js';

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
  while (cur.spfn < cur.epfn) nr += deferredInitMaxorder(ctx, z, cur);
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

/** Values per collected free: pfn, order, nid, zid, migratetype, fpi flags. */
export const FREE_RECORD = 6;

/** A BuddyFreeTarget that only records, for threads that must not touch the buddy allocator. */
export class FreeCollector implements BuddyFreeTarget {
  private buf = new Float64Array(FREE_RECORD * 1024);
  private n = 0;
  freeOnePage(pfn: number, order: number, nid: number, zid: number, migratetype: number, fpiFlags: number): void {
    if (this.n + FREE_RECORD > this.buf.length) {
      const grown = new Float64Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    const b = this.buf;
    b[this.n] = pfn;
    b[this.n + 1] = order;
    b[this.n + 2] = nid;
    b[this.n + 3] = zid;
    b[this.n + 4] = migratetype;
    b[this.n + 5] = fpiFlags;
    this.n += FREE_RECORD;
  }
  take(): Float64Array {
    return this.buf.slice(0, this.n);
  }
}

export interface DeferredTaskResult {
  /** The task's start pfn: the splice order. */
  start: number;
  pages: number;
  /** FREE_RECORD values per free, in the order the task freed. */
  frees: Float64Array;
}

/**
 * Run a task as a thread does: struct pages and pageblock bits written in place, frees collected.
 * `zones` takes the managed_pages counting of __free_pages_core() — a copy (a worker's clone, or
 * scratchZones()); the splice counts the pages into the real zones.
 */
export function collectDeferredTask(memmap: Memmap, zones: ZoneLayout, groupByMobilityDisabled: boolean, t: DeferredTask): DeferredTaskResult {
  const buddy = new FreeCollector();
  const pages = runDeferredTask({ memmap, zones, buddy, groupByMobilityDisabled }, t);
  return { start: t.start, pages, frees: buddy.take() };
}

/** A copy of the zones whose managed_pages may be written without touching the machine's. */
export function scratchZones(lay: ZoneLayout): ZoneLayout {
  const nodes = new Map<number, PgData>();
  for (const [nid, pg] of lay.nodes) nodes.set(nid, { ...pg, zones: pg.zones.map((z) => ({ ...z })) });
  return { ...lay, nodes };
}

/**
 * Hand collected frees to the buddy allocator: each node in turn, its tasks by start pfn, each
 * task's frees in its order — the order one thread walking the node would have freed in — and
 * count them into the zones' managed_pages as __free_pages_core() does.
 */
export function spliceDeferredFrees(zones: ZoneLayout, buddy: BuddyFreeTarget, nodes: DeferredTaskResult[][]): void {
  for (const results of nodes) {
    for (const r of [...results].sort((a, b) => a.start - b.start)) {
      const f = r.frees;
      for (let k = 0; k < f.length; k += FREE_RECORD) {
        const nid = f[k + 2]!;
        const zid = f[k + 3]!;
        zones.nodes.get(nid)!.zones[zid]!.managedPages += 2 ** f[k + 1]!;
        buddy.freeOnePage(f[k]!, f[k + 1]!, nid, zid, f[k + 4]!, f[k + 5]!);
      }
    }
  }
}

/** node_states[N_MEMORY]: nodes with present pages, ascending. */
export const nodesWithMemory = (lay: ZoneLayout): number[] =>
  [...lay.nodes.values()].filter((pg) => pg.nodePresentPages > 0).map((pg) => pg.nodeId).sort((a, b) => a - b);

export interface DeferredNodeReport {
  nid: number;
  /** Measured wall time of the node's pgdatinit, ms. */
  ms: number;
  /** What the kernel's line says: elapsed jiffies in ms (HZ=250). */
  printedMs: number;
  pages: number;
  jobs: number;
  tasks: number;
  /** The most works padata gave one job. */
  maxWorks: number;
}

/** The end of deferred_init_memmap(): print the node's line, report. */
export function deferredNodeDone(
  printk: Printk | undefined, work: DeferredNodeWork, results: DeferredTaskResult[], t0: number, t1: number,
): DeferredNodeReport {
  const printedMs = elapsedJiffiesMsecs(t0, t1);
  printk?.emit(deferredInitialised, { nid: work.nid, ms: printedMs });
  return {
    nid: work.nid, ms: t1 - t0, printedMs, pages: results.reduce((n, r) => n + r.pages, 0), jobs: work.jobs.length,
    tasks: work.jobs.reduce((n, j) => n + j.tasks.length, 0), maxWorks: Math.max(0, ...work.jobs.map((j) => j.plan.nworks)),
  };
}

export interface PageAllocInitLateInput {
  mb: Memblock;
  zones: ZoneLayout;
  memmap: Memmap;
  buddy: BuddyFreeTarget;
  groupByMobilityDisabled: boolean;
  strategy: DeferredStrategy;
  /** deferred_page_init_max_threads(): padata's cap per node (x86: the node's CPUs). */
  maxThreads: number;
  printk?: Printk;
  /** A millisecond clock (default Date.now). */
  now?: () => number;
}

/**
 * mirrors page_alloc_init_late()'s deferred part, on the calling thread: every node with memory
 * runs its pgdatinit (nodes one after another, a job's chunks one after another), printing its
 * line; then the frees are spliced into the buddy allocator.
 */
export function pageAllocInitLate(inp: PageAllocInitLateInput): DeferredNodeReport[] {
  const now = inp.now ?? Date.now;
  const scratch = scratchZones(inp.zones);
  const reports: DeferredNodeReport[] = [];
  const all: DeferredTaskResult[][] = [];
  for (const nid of nodesWithMemory(inp.zones)) {
    const t0 = now();
    const work = deferredNodeWork(inp.mb, inp.zones.nodes.get(nid)!, inp.strategy, inp.maxThreads);
    if (!work) continue;
    const results = work.jobs.flatMap((j) => j.tasks.map((t) => collectDeferredTask(inp.memmap, scratch, inp.groupByMobilityDisabled, t)));
    reports.push(deferredNodeDone(inp.printk, work, results, t0, now()));
    all.push(results);
  }
  spliceDeferredFrees(inp.zones, inp.buddy, all);
  return reports;
}
