// page_alloc_init_late()'s deferred part on worker_threads: one pgdatinit worker per node with
// memory, all nodes at once; for `parallel`, padata helpers beside it (up to max_threads works
// per job, chunks taken in order by whichever is free). Workers share the memmap's
// SharedArrayBuffers, write struct pages in place and send back the frees they collected; the
// main thread splices them into the buddy allocator by node and chunk start, so the outcome is
// the same whatever the worker count or timing.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { memInitEarly, memInitInitcalls, groupByMobilityDisabled, type MemInitOptions } from '../arch/x86/mem-init.js';
import { pfnToSectionNr } from '../include/mmzone.js';
import type { Machine } from '../kernel/machine.js';
import type { Printk } from '../kernel/printk.js';
import {
  deferredNodeDone, nodesWithMemory, spliceTaskFrees, type DeferredNodeReport, type DeferredTaskResult,
} from '../mm/deferred-run.js';
import { deferredNodeWork, type DeferredNodeWork, type DeferredStrategy, type DeferredTask } from '../mm/deferred-work.js';
import type { Memblock } from '../mm/memblock.js';
import type { BuddyFreeTarget } from '../mm/page-free-core.js';
import type { Memmap, MemSection } from '../mm/sparse.js';
import type { ZoneLayout } from '../mm/zone.js';
import type { DeferredWorkerData } from './deferred-task.js';
import { WorkerGroup } from './worker-group.js';

export const DEFERRED_WORKER_URL = new URL('./deferred-worker.js', import.meta.url);
export const DEFAULT_TASK_TIMEOUT_MS = 300_000;

export class DeferredInitError extends Error {}

export interface DeferredThreadsOptions {
  strategy: DeferredStrategy;
  /** padata max_threads per node for `parallel` (default: the host's CPUs, as x86 uses all of a node's). */
  maxThreads?: number;
  printk?: Printk;
  /** Longest one task may take on a worker (default 5 minutes). */
  timeoutMs?: number;
  /** Another worker entry (tests inject faults with one); it must serve DeferredTasks. */
  workerUrl?: URL;
  /** Passed to every worker as workerData.extra. */
  extra?: Record<string, unknown>;
  /** Workers compile their hot loops on a scratch node before they count as started (for timing runs; default off). */
  warmUp?: boolean;
  /** Each node's chunks done of its total, read from the workers' counters every 100 ms while they run. */
  progress?: (nid: number, done: number, total: number) => void;
}

export interface DeferredThreadsInput {
  mb: Memblock;
  zones: ZoneLayout;
  memmap: Memmap;
  buddy: BuddyFreeTarget;
  groupByMobilityDisabled: boolean;
}

export interface DeferredThreadsResult {
  reports: DeferredNodeReport[];
  /** Starting the workers (not part of any node's time). */
  startMs: number;
  /** From the first node's start to the last node's end. */
  initMs: number;
  /** Handing the frees to the buddy allocator after the last node finished (they are spliced as chunks come back). */
  spliceMs: number;
}

/** The sections of [start, end): what a node's workers get of the memmap. */
function memmapSlice(mm: Memmap, start: number, end: number): Memmap {
  const sections: (MemSection | undefined)[] = [];
  for (let nr = pfnToSectionNr(start); nr <= pfnToSectionNr(end - 1); nr++) sections[nr] = mm.sections[nr];
  return { ...mm, sections };
}

const hex = (pfn: number): string => `0x${pfn.toString(16)}`;
const taskLabel = (t: DeferredTask): string => `node ${t.zone.nid} chunk [${hex(t.start)}-${hex(t.end)})`;

/** What the workers are started with (the same memmap and zones for every run they serve). */
export type DeferredPoolInput = Pick<DeferredThreadsInput, 'memmap' | 'zones' | 'groupByMobilityDisabled'>;

/** A node's workers and the counter they bump (with Atomics) before each reply. */
interface NodeGroup {
  group: WorkerGroup;
  progress: Int32Array;
}

/** The threads of deferred init, per node: pgdatinit and its padata helpers. Reusable across runs on one memmap. */
export interface DeferredPool {
  groups: Map<number, NodeGroup>;
  /** Starting the workers (and their warm-up). */
  startMs: number;
  stop(): Promise<void>;
}

/** Where a node's deferred zone lies and how many threads it gets. */
export interface DeferredPoolNode {
  nid: number;
  zoneStartPfn: number;
  zoneEndPfn: number;
  threads: number;
}

async function startGroup(inp: DeferredPoolInput, n: DeferredPoolNode, opts: Omit<DeferredThreadsOptions, 'strategy'>): Promise<NodeGroup> {
  const names = Array.from({ length: Math.max(1, n.threads) }, (_, k) => (k ? `pgdatinit${n.nid}/helper${k}` : `pgdatinit${n.nid}`));
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const data: DeferredWorkerData = {
    memmap: memmapSlice(inp.memmap, n.zoneStartPfn, n.zoneEndPfn), zones: inp.zones,
    groupByMobilityDisabled: inp.groupByMobilityDisabled, progress,
    ...(opts.extra ? { extra: opts.extra } : {}), warmUp: opts.warmUp ?? false,
  };
  const group = await WorkerGroup.start({ url: opts.workerUrl ?? DEFERRED_WORKER_URL, names, workerData: data, timeoutMs: opts.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS });
  return { group, progress };
}

/**
 * Start the workers of every node at once: they receive their part of the memmap (shared, not
 * copied) and warm up. A node whose workers fail to start fails the pool; the rest are stopped.
 */
export async function deferredPoolStart(inp: DeferredPoolInput, nodes: DeferredPoolNode[], opts: Omit<DeferredThreadsOptions, 'strategy'> = {}): Promise<DeferredPool> {
  const t = performance.now();
  const started = await Promise.allSettled(nodes.map((n) => startGroup(inp, n, opts)));
  const groups = new Map<number, NodeGroup>();
  started.forEach((s, k) => { if (s.status === 'fulfilled') groups.set(nodes[k]!.nid, s.value); });
  const stop = async (): Promise<void> => { await Promise.all([...groups.values()].map((g) => g.group.stop())); };
  const bad = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (bad) {
    await stop();
    throw new DeferredInitError(`deferred page init failed: ${(bad.reason as Error).message}`);
  }
  return { groups, startMs: performance.now() - t, stop };
}

/**
 * spliceDeferredFrees() while the workers run: each result goes to the buddy allocator as soon as
 * every result before it in the splice order (nodes in turn, each node's tasks by start pfn) has,
 * so the buddy sees the same frees in the same order as after the run, and the splice overlaps
 * the init. Chunks are whole sections, so a block's buddies are always in its own chunk: a
 * finished chunk's frees never look at struct pages a worker is still writing.
 */
class InOrderSplice {
  private readonly pending: (DeferredTaskResult | undefined)[][];
  private readonly next: number[];
  private node = 0;
  constructor(private readonly inp: Pick<DeferredThreadsInput, 'zones' | 'buddy'>, private readonly order: Map<DeferredTask, number>[], private readonly progress: Int32Array[]) {
    this.pending = order.map((tasks) => Array.from({ length: tasks.size }, () => undefined));
    this.next = order.map(() => 0);
  }

  /** Node k's task at position `seq` of its splice order is back. */
  add(k: number, seq: number, r: DeferredTaskResult): void {
    this.pending[k]![seq] = r;
    for (; this.node < this.order.length; this.node++) {
      const q = this.pending[this.node]!;
      // Synchronises with the node's workers' Atomics.add: their struct page writes are visible from here on.
      Atomics.load(this.progress[this.node]!, 0);
      while (this.next[this.node]! < q.length && q[this.next[this.node]!]) {
        spliceTaskFrees(this.inp.zones, this.inp.buddy, q[this.next[this.node]!]!);
        q[this.next[this.node]!] = undefined;
        this.next[this.node]!++;
      }
      if (this.next[this.node]! < q.length) return;
    }
  }

  get done(): boolean {
    return this.node >= this.order.length;
  }
}

/** A node's tasks in splice order (by start pfn, as spliceOrder() sorts results): task → position. */
function tasksBySpliceOrder(w: DeferredNodeWork): Map<DeferredTask, number> {
  const tasks = w.jobs.flatMap((j) => j.tasks).sort((a, b) => a.start - b.start);
  return new Map(tasks.map((t, i) => [t, i]));
}

/** deferred_init_memmap() of one node: its jobs one after another, each over its padata works, its frees spliced as they come. */
async function runNode(
  w: DeferredNodeWork, k: number, g: NodeGroup, splice: InOrderSplice, order: Map<DeferredTask, number>, printk: Printk | undefined,
): Promise<{ report: DeferredNodeReport; results: DeferredTaskResult[]; t0: number; t1: number }> {
  const before = Atomics.load(g.progress, 0);
  const t0 = performance.now();
  const results: DeferredTaskResult[] = [];
  for (const j of w.jobs) {
    const onResult = (i: number, r: DeferredTaskResult): void => splice.add(k, order.get(j.tasks[i]!)!, r);
    results.push(...await g.group.run<DeferredTask, DeferredTaskResult>(j.tasks, j.plan.nworks, taskLabel, onResult));
  }
  const t1 = performance.now();
  const done = Atomics.load(g.progress, 0) - before;
  if (done !== results.length) throw new Error(`node ${w.nid}: ${results.length} chunks came back, workers counted ${done}`);
  return { report: deferredNodeDone(printk, w, results, t0, t1), results, t0, t1 };
}

/** The pool a run needs: per node, as many threads as its biggest job has works. */
const poolNodes = (works: DeferredNodeWork[]): DeferredPoolNode[] => works.map((w) => ({
  nid: w.nid, zoneStartPfn: w.zone.zoneStartPfn, zoneEndPfn: w.zone.zoneEndPfn, threads: Math.max(1, ...w.jobs.map((j) => j.plan.nworks)),
}));

/** The pool a run of `strategy` would need, planned without taking the nodes' first_deferred_pfn. */
export function deferredPoolPlan(mb: Memblock, zones: ZoneLayout, strategy: DeferredStrategy, maxThreads: number): DeferredPoolNode[] {
  const saved = [...zones.nodes.values()].map((pg) => [pg, pg.firstDeferredPfn] as const);
  try {
    return poolNodes(nodesWithMemory(zones).flatMap((nid) => deferredNodeWork(mb, zones.nodes.get(nid)!, strategy, maxThreads) ?? []));
  } finally {
    for (const [pg, first] of saved) pg.firstDeferredPfn = first;
  }
}

/**
 * Report each node's chunk counter (bumped by its workers with Atomics) against its task count,
 * every 100 ms and once more when stopped, so a finished run always ends at its total.
 */
function pollProgress(works: DeferredNodeWork[], pool: DeferredPool, progress: (nid: number, done: number, total: number) => void): () => void {
  const nodes = works.map((w) => {
    const counter = pool.groups.get(w.nid)!.progress;
    return { nid: w.nid, counter, start: Atomics.load(counter, 0), total: w.jobs.reduce((n, j) => n + j.tasks.length, 0) };
  });
  const report = (): void => {
    for (const n of nodes) progress(n.nid, Atomics.load(n.counter, 0) - n.start, n.total);
  };
  const timer = setInterval(report, 100);
  return () => {
    clearInterval(timer);
    report();
  };
}

/**
 * page_alloc_init_late()'s deferred part on worker threads. Node lines print as nodes finish,
 * like the kernel's. Fails with a DeferredInitError naming node, chunk, worker and cause when a
 * worker throws, dies or overruns; its workers are stopped either way (a pool passed in is
 * stopped only on failure, otherwise left for the next run).
 */
export async function pageAllocInitLateThreads(inp: DeferredThreadsInput, opts: DeferredThreadsOptions & { pool?: DeferredPool }): Promise<DeferredThreadsResult> {
  const maxThreads = opts.maxThreads ?? availableParallelism();
  const works = nodesWithMemory(inp.zones)
    .map((nid) => deferredNodeWork(inp.mb, inp.zones.nodes.get(nid)!, opts.strategy, maxThreads))
    .filter((w): w is DeferredNodeWork => w !== undefined);
  const need = poolNodes(works);
  const fits = opts.pool && need.every((n) => (opts.pool!.groups.get(n.nid)?.group.size ?? 0) >= n.threads);
  const pool = fits ? opts.pool! : await deferredPoolStart(inp, need, opts);
  let done: Awaited<ReturnType<typeof runNode>>[];
  const order = works.map(tasksBySpliceOrder);
  const splice = new InOrderSplice(inp, order, works.map((w) => pool.groups.get(w.nid)!.progress));
  const stopPolling = opts.progress && pollProgress(works, pool, opts.progress);
  try {
    done = await Promise.all(works.map((w, k) => runNode(w, k, pool.groups.get(w.nid)!, splice, order[k]!, opts.printk)));
  } catch (e) {
    await pool.stop();
    throw new DeferredInitError(`deferred page init failed: ${(e as Error).message}`);
  } finally {
    stopPolling?.();
  }
  if (pool !== opts.pool) await pool.stop();
  const s = performance.now();
  if (!splice.done) throw new DeferredInitError('deferred page init: frees left unspliced');
  const initMs = done.length ? Math.max(...done.map((d) => d.t1)) - Math.min(...done.map((d) => d.t0)) : 0;
  return { reports: done.map((d) => d.report), startMs: fits ? 0 : pool.startMs, initMs, spliceMs: performance.now() - s };
}

/** The memInit phase with deferred init on worker threads (memInitEarly() first, on this thread). */
export async function memInitThreads(m: Machine, opts: MemInitOptions & Omit<DeferredThreadsOptions, 'strategy' | 'printk' | 'progress'>): Promise<DeferredThreadsResult> {
  memInitEarly(m, opts);
  const { progress, ...rest } = opts;
  const r = await pageAllocInitLateThreads(
    { mb: m.memblock!, zones: m.zones!, memmap: m.memmap!, buddy: m.buddy!, groupByMobilityDisabled: groupByMobilityDisabled(m) },
    { ...rest, strategy: opts.strategy ?? 'parallel', printk: m.printk, ...(progress ? { progress: (nid: number, d: number, t: number) => progress('deferred', nid, d, t) } : {}) },
  );
  memInitInitcalls(m, opts.subsysInitcall);
  return r;
}
