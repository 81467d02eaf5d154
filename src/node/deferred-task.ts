// The worker side of threaded deferred init: a pgdatinit thread or padata helper receives the
// memmap (its SharedArrayBuffers shared, not copied) once, then runs tasks as they come, writing
// struct pages in place and sending back the frees it collected.
import { parentPort, workerData } from 'node:worker_threads';
import { MAX_NR_ZONES, PAGES_PER_SECTION, ZONE_NAMES, ZoneType } from '../include/mmzone.js';
import { collectDeferredTask, type DeferredTaskResult } from '../mm/deferred-run.js';
import { DEFERRED_STRATEGIES, type DeferredTask } from '../mm/deferred-work.js';
import { memmapNew, sparseAddSection, type Memmap } from '../mm/sparse.js';
import { pageKernelOf } from '../mm/wasm/page-kernel.js';
import type { Zone, ZoneLayout } from '../mm/zone.js';
import type { WorkerReply, WorkerRequest } from './worker-group.js';

export interface DeferredWorkerData {
  /** The sections of the node's deferred zone. */
  memmap: Memmap;
  /** A copy of the zones: __free_pages_core() counts managed_pages into it, the splice into the real ones. */
  zones: ZoneLayout;
  groupByMobilityDisabled: boolean;
  /** [tasks finished]: bumped with Atomics before each reply; the main thread's Atomics.load of it makes the writes visible. */
  progress: Int32Array;
  /** Compile the hot loops before saying ready (warmUpDeferred()). */
  warmUp?: boolean;
  /** Anything a test's worker entry wants (fault injection). */
  extra?: Record<string, unknown>;
}

export type DeferredTaskHandler = (data: DeferredWorkerData, task: DeferredTask) => DeferredTaskResult;

export const runDeferredTaskInWorker: DeferredTaskHandler = (d, t) => collectDeferredTask(d.memmap, d.zones, d.groupByMobilityDisabled, t);

/**
 * Run every strategy twice over a private node of two sections with a hole, so the hot loops are
 * compiled (and their first deoptimisations over) before the first real task: the kernel's code
 * is compiled ahead of time; the JIT's warm-up belongs to start-up, not to init. The scratch
 * memmap, zones and tasks go through structuredClone(), as the real ones come through
 * postMessage: deserialised objects have other hidden classes than literals, and code warmed on
 * literals would meet new shapes (and deoptimise, or go polymorphic) on the first real task. The
 * scratch memmap is of the real one's kind (wasm arenas or plain buffers), so the loops warmed are
 * the ones the tasks will run.
 */
export function warmUpDeferred(wasm: boolean): void {
  // Sections 2047 and 2048: struct page addresses whose low halves pass 2^31 and whose high half
  // steps, as a big node's do, so the JIT does not learn small integers and deoptimise later.
  const sections = 2;
  const base = 2047 * PAGES_PER_SECTION;
  const end = base + sections * PAGES_PER_SECTION;
  const built = memmapNew({ poison: false, budgetBytes: sections * 2 ** 21, wasm });
  for (let nr = 0; nr < sections; nr++) sparseAddSection(built, 0, base + nr * PAGES_PER_SECTION, PAGES_PER_SECTION);
  const memmap = structuredClone(built);
  const zone = (type: number): Zone => ({
    type: type as ZoneType, name: ZONE_NAMES[type]!, zoneStartPfn: base, spannedPages: type === ZoneType.DMA32 ? end - base : 0,
    presentPages: 0, managedEstimate: 0, managedPages: 0, memmapPages: 0,
  });
  const zones: ZoneLayout = structuredClone({
    archZoneLowestPossiblePfn: [], archZoneHighestPossiblePfn: [], zoneMovablePfn: new Map(), movableZone: ZoneType.NORMAL,
    nodes: new Map([[0, {
      nodeId: 0, nodeStartPfn: base, nodeEndPfn: end, nodeSpannedPages: end - base, nodePresentPages: end - base,
      zones: Array.from({ length: MAX_NR_ZONES }, (_, z) => zone(z)), firstDeferredPfn: Infinity,
    }]]),
  } satisfies ZoneLayout);
  const ranges = [{ startPfn: base, endPfn: base + 0x8001 }, { startPfn: base + 0x8101, endPfn: end }];
  const z = { nid: 0, zid: ZoneType.DMA32, zoneStartPfn: base, zoneEndPfn: end, ranges };
  for (let round = 0; round < 2; round++) {
    for (const strategy of DEFERRED_STRATEGIES) {
      const step = strategy === 'parallel' ? PAGES_PER_SECTION : end - base;
      for (let start = base; start < end; start += step) {
        const task = structuredClone({ strategy, zone: z, firstInitPfn: base, start, end: start + step });
        collectDeferredTask(memmap, zones, false, task);
      }
    }
  }
}

/** The worker's message loop: say ready, then answer each task with its result or its error. */
export function serveDeferredTasks(handler: DeferredTaskHandler = runDeferredTaskInWorker): void {
  const port = parentPort;
  if (!port) throw new Error('serveDeferredTasks() runs in a worker thread');
  const data = workerData as DeferredWorkerData;
  // The page kernel over each shared memmap arena, instantiated in this thread before any task.
  for (const a of data.memmap.arenas) pageKernelOf(a.memory);
  if (data.warmUp) warmUpDeferred(data.memmap.wasm);
  port.on('message', ({ id, task }: WorkerRequest<DeferredTask>) => {
    let result: DeferredTaskResult;
    try {
      result = handler(data, task);
    } catch (e) {
      port.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply<DeferredTaskResult>);
      return;
    }
    Atomics.add(data.progress, 0, 1);
    port.postMessage({ id, ok: true, result } satisfies WorkerReply<DeferredTaskResult>, [result.frees.buffer as ArrayBuffer]);
  });
  port.postMessage({ ready: true } satisfies WorkerReply<DeferredTaskResult>);
}
