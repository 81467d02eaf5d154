// How deferred init runs and how its results come back: a task runner that collects frees
// instead of handing them to the buddy allocator, the splice that hands them over in a fixed
// order, and page_alloc_init_late()'s deferred part run inline. src/node/ runs the same tasks on
// worker threads; the splice makes both give the same bytes.
import { MAX_ORDER, PAGEBLOCK_NR_PAGES } from '../include/mmzone.js';
import { elapsedJiffiesMsecs } from '../kernel/jiffies.js';
import type { Printk } from '../kernel/printk.js';
import { deferredInitialised } from '../trace/formats/deferred.js';
import { deferredNodeWork, runDeferredTask, type DeferredNodeWork, type DeferredStrategy, type DeferredTask } from './deferred-work.js';
import type { Memblock } from './memblock-type.js';
import type { BuddyFreeTarget } from './page-free-core.js';
import type { Memmap } from './sparse.js';
import type { PgData, ZoneLayout } from './zone.js';

/** Values per collected free: pfn, order, nid, zid, migratetype, fpi flags, run (0: one __free_one_page(); n: a run of n prepared MAX_ORDER blocks). */
export const FREE_RECORD = 7;

/** A BuddyFreeTarget that only records, for threads that must not touch the buddy allocator. */
export class FreeCollector implements BuddyFreeTarget {
  private buf: Float64Array;
  private n = 0;
  /** Room for `records` frees before growing (deferred init frees about one per pageblock). */
  constructor(records = 1024) {
    this.buf = new Float64Array(FREE_RECORD * Math.max(16, records));
  }
  freeOnePage(pfn: number, order: number, nid: number, zid: number, migratetype: number, fpiFlags: number): void {
    this.record(pfn, order, nid, zid, migratetype, fpiFlags, 0);
  }
  freeMaxOrderRun(pfn: number, n: number, nid: number, zid: number, migratetype: number): void {
    this.record(pfn, MAX_ORDER - 1, nid, zid, migratetype, 0, n);
  }
  private record(pfn: number, order: number, nid: number, zid: number, migratetype: number, fpiFlags: number, run: number): void {
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
    b[this.n + 6] = run;
    this.n += FREE_RECORD;
  }
  /** The frees so far: a view, not a copy (a transfer of its buffer takes the unused tail along). */
  take(): Float64Array {
    return this.buf.subarray(0, this.n);
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
  // One record per pageblock of the task's span, plus a few for unaligned ends freed page by page.
  const buddy = new FreeCollector(Math.ceil((t.end - t.start) / PAGEBLOCK_NR_PAGES) + 64);
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
 * Hand one task's collected frees to the buddy allocator in the order the task freed, counting
 * them into the zones' managed_pages as __free_pages_core() does.
 */
export function spliceTaskFrees(zones: ZoneLayout, buddy: BuddyFreeTarget, r: DeferredTaskResult): void {
  const f = r.frees;
  for (let k = 0; k < f.length; k += FREE_RECORD) {
    const nid = f[k + 2]!;
    const zid = f[k + 3]!;
    const run = f[k + 6]!;
    zones.nodes.get(nid)!.zones[zid]!.managedPages += 2 ** f[k + 1]! * (run || 1);
    if (run) buddy.freeMaxOrderRun(f[k]!, run, nid, zid, f[k + 4]!);
    else buddy.freeOnePage(f[k]!, f[k + 1]!, nid, zid, f[k + 4]!, f[k + 5]!);
  }
}

/** The splice order of a node's tasks: by start pfn. */
export const spliceOrder = (results: DeferredTaskResult[]): DeferredTaskResult[] => [...results].sort((a, b) => a.start - b.start);

/**
 * Hand collected frees to the buddy allocator: each node in turn, its tasks by start pfn, each
 * task's frees in its order — the order one thread walking the node would have freed in.
 */
export function spliceDeferredFrees(zones: ZoneLayout, buddy: BuddyFreeTarget, nodes: DeferredTaskResult[][]): void {
  for (const results of nodes) for (const r of spliceOrder(results)) spliceTaskFrees(zones, buddy, r);
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
  /** Called after each chunk of a node (the CLI's progress bar). */
  progress?: (nid: number, done: number, total: number) => void;
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
    const total = work.jobs.reduce((n, j) => n + j.tasks.length, 0);
    let done = 0;
    const results = work.jobs.flatMap((j) => j.tasks.map((t) => {
      const r = collectDeferredTask(inp.memmap, scratch, inp.groupByMobilityDisabled, t);
      inp.progress?.(nid, ++done, total);
      return r;
    }));
    reports.push(deferredNodeDone(inp.printk, work, results, t0, now()));
    all.push(results);
  }
  spliceDeferredFrees(inp.zones, inp.buddy, all);
  return reports;
}
