// Deferred struct page init of one big node, per strategy and thread count, beside the seed
// series' figures (never run by npm test):
//   npm run bench -- [--size 16G] [--strategies legacy,maxorder,parallel] [--workers 0,1,2] [--rounds 3] [--cold] [--js] [--json] [--out FILE]
// The node is one memblock range from 0 with the first MiB and a 48 MiB "kernel image"
// reserved. The memmap is allocated and first touched (poisoned) once, timed on its own — the
// kernel populates vmemmap long before deferred init, and first touch costs several seconds per
// GiB of memmap here. Each round then restores the node's deferred state and runs deferred init
// again over the same, already touched, bytes; the best round counts. Workers 0 runs on the main
// thread; threaded configurations start their workers once (pgdatinit and padata helpers, warmed
// up on a scratch node: start-up, reported apart; --cold skips the warm-up) and reuse them in
// every round, as the kernel's compiled code and workqueue threads are ready before it starts.
// --js keeps the memmap in plain SharedArrayBuffers, so the JS loops run instead of the
// WebAssembly page kernel (the comparison the kernel is there for).
// The seed's node of 384 GiB needs a 6 GiB memmap: --size 384G on a host with 12 GiB or more of
// RAM (the budget is half the host's memory).
import { availableParallelism, totalmem } from 'node:os';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PAGES_PER_SECTION, pfnToSectionNr } from '../src/include/mmzone.js';
import { Printk } from '../src/kernel/printk.js';
import { parseBytes } from '../src/machine/units.js';
import { pageAllocInitLate } from '../src/mm/deferred-run.js';
import { DEFERRED_STRATEGIES, type DeferredStrategy } from '../src/mm/deferred-work.js';
import { memblockAdd, memblockCreate, memblockReserve, memblockSetNode } from '../src/mm/memblock.js';
import { memblockFreeAll } from '../src/mm/memblock-free-all.js';
import { memmapInit } from '../src/mm/mm-init.js';
import { buddyCreate } from '../src/mm/page-alloc.js';
import { memInitContext } from '../src/mm/page-init.js';
import { MemmapBudgetError, sparseInit } from '../src/mm/sparse.js';
import { Progress } from '../src/cli/progress.js';
import { freeAreaInit, x86MaxZonePfns } from '../src/mm/zone.js';
import { noCoreParams } from '../src/mm/zone-movable.js';
import { pageKernelOf } from '../src/mm/wasm/page-kernel.js';
import type { WasmMemory } from '../src/mm/wasm/webassembly.js';
import { deferredPoolPlan, deferredPoolStart, pageAllocInitLateThreads, type DeferredPool } from '../src/node/deferred-threads.js';

/** The seed series on its 384 GiB node: deferred init before, with the four patches of 5.2, with all seven. */
const SEED = { nodeBytes: 384 * 2 ** 30, beforeMs: 3750, mergedMs: 1380, seriesMs: 1060 };
const seedRate = (ms: number): number => +((SEED.nodeBytes / 4096) / 1e6 / (ms / 1000)).toFixed(1);

/** Where the results go unless --out says otherwise: bench/results.json of the checkout. */
const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results.json', import.meta.url));

function args(): { size: number; strategies: DeferredStrategy[]; workers: number[]; rounds: number; json: boolean; cold: boolean; js: boolean; out: string } {
  const a = process.argv.slice(2);
  const val = (flag: string, dflt: string): string => {
    const i = a.indexOf(flag);
    return i >= 0 && a[i + 1] ? a[i + 1]! : dflt;
  };
  const strategies = val('--strategies', DEFERRED_STRATEGIES.join(',')).split(',') as DeferredStrategy[];
  for (const s of strategies) if (!DEFERRED_STRATEGIES.includes(s)) throw new BenchInputError(`--strategies: unknown strategy "${s}" (expected ${DEFERRED_STRATEGIES.join(', ')})`);
  const cores = availableParallelism();
  const size = parseBytes(val('--size', '16G'));
  if (size === undefined || size < 2 * 2 ** 30) throw new BenchInputError(`--size ${val('--size', '')}: give a size of 2G or more, e.g. 64G`);
  const workers = val('--workers', [...new Set([0, 1, cores])].join(',')).split(',').map(Number);
  if (workers.some((w) => !Number.isInteger(w) || w < 0 || w > 64)) throw new BenchInputError(`--workers ${val('--workers', '')}: expected a comma-separated list of thread counts 0..64, e.g. 0,2`);
  const rounds = Number(val('--rounds', '3'));
  if (!Number.isInteger(rounds) || rounds < 1) throw new BenchInputError(`--rounds ${val('--rounds', '')}: expected a whole number of 1 or more`);
  const out = a.includes('--out') ? val('--out', '') : DEFAULT_OUT;
  if (!out) throw new BenchInputError('--out: expected a file name for the results');
  return { size, strategies, rounds, json: a.includes('--json'), cold: a.includes('--cold'), js: a.includes('--js'), workers, out };
}

/** Best of `rounds` fills of the spans split into `threads` contiguous parts, one worker each (started once, not timed). */
async function threadedFillMs(memories: WasmMemory[], spans: [number, number, number][], threads: number, rounds: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./fill-worker.js', import.meta.url), { workerData: { memories } }));
  const reply = (w: Worker): Promise<void> => new Promise((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  try {
    await Promise.all(workers.map(reply));
    const per = Math.ceil(spans.length / threads);
    let best = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      await Promise.all(workers.map((w, i) => {
        const done = reply(w);
        w.postMessage(spans.slice(i * per, (i + 1) * per));
        return done;
      }));
      best = Math.min(best, performance.now() - t);
    }
    return best;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Bad flags: one line, exit 2. */
class BenchInputError extends Error {}

interface Run { strategy: DeferredStrategy; workers: number; pages: number; allocMs: number; startMs: number; initMs: number; mpagesPerSec: number }

async function main(): Promise<void> {
  const o = args();
  const pages = Math.floor(o.size / 4096 / PAGES_PER_SECTION) * PAGES_PER_SECTION;
  const bytes = pages * 4096;
  const mb = memblockCreate();
  memblockAdd(mb, 0, bytes);
  memblockSetNode(mb, 0, bytes, mb.memory, 0);
  memblockReserve(mb, 0, 2 ** 20);
  memblockReserve(mb, 16 * 2 ** 20, 48 * 2 ** 20);
  const zones = freeAreaInit({
    mb, maxZonePfn: x86MaxZonePfns(pages), possible: [0], online: new Set([0]), core: noCoreParams, dmaReserve: 0, printk: new Printk(),
  });
  let t = performance.now();
  // The first touch of a big memmap takes tens of seconds here: a bar on a terminal.
  const bars = new Progress();
  const memmap = sparseInit(mb, {
    budgetBytes: Math.floor(totalmem() / 2), wasm: !o.js,
    ...(bars.active ? { progress: (d: number, t: number) => bars.update('alloc', 'memmap allocation', d, t) } : {}),
  });
  bars.done();
  const allocMs = performance.now() - t;
  memmapInit(mb, zones, undefined, memmap);
  const pg = zones.nodes.get(0)!;
  const first = pg.firstDeferredPfn;
  const zid = pg.zones.findIndex((z) => z.zoneStartPfn <= first && first < z.zoneStartPfn + z.spannedPages);
  memblockFreeAll(memInitContext(mb, zones, memmap, 0), buddyCreate(memmap, zones), pages);
  const managedAfterFreeAll = pg.zones.map((z) => z.managedPages);
  const restore = (): void => {
    pg.firstDeferredPfn = first;
    pg.zones.forEach((z, i) => { z.managedPages = managedAfterFreeAll[i]!; });
  };

  // The floor: a plain fill of the deferred part's struct pages, the same bytes init writes, three
  // ways — TypedArray.fill, WebAssembly's memory.fill (bulk memory), and a wasm loop of 16-byte
  // stores (the kernel's own store pattern with a constant) over the arenas — the fastest counts.
  const deferredSections = memmap.sections.slice(pfnToSectionNr(first)).filter((s) => s?.memmap);
  const bestOf = (fill: () => void): number => {
    let ms = Infinity;
    for (let r = 0; r < o.rounds; r++) {
      t = performance.now();
      fill();
      ms = Math.min(ms, performance.now() - t);
    }
    return ms;
  };
  const typedFillMs = bestOf(() => { for (const s of deferredSections) s!.memmap!.fill(0xffffffff); });
  const wasmFillMs = memmap.wasm
    ? bestOf(() => { for (const s of deferredSections) pageKernelOf(memmap.arenas[s!.arena!]!.memory).fillBytes(s!.memmap!.byteOffset, s!.memmap!.byteLength, 0xff); })
    : Infinity;
  const v128FillMs = memmap.wasm
    ? bestOf(() => { for (const s of deferredSections) pageKernelOf(memmap.arenas[s!.arena!]!.memory).fillWords(s!.memmap!.byteOffset, s!.memmap!.byteLength, 0xffffffff); })
    : Infinity;
  const fillMs = Math.min(typedFillMs, wasmFillMs, v128FillMs);
  const floorBytes = deferredSections.length * PAGES_PER_SECTION * 64;
  // The same 16-byte-store fill split over T worker threads (contiguous parts, as padata's chunks
  // are), for every thread count a configuration uses: a threaded run is held to the floor of
  // its own thread count, since two threads share, but do not double, the memory bandwidth.
  const threadFloors: { threads: number; ms: number; gbPerSec: number }[] = [];
  if (memmap.wasm) {
    for (const threads of [...new Set(o.workers.filter((w) => w > 1))].sort((a, b) => a - b)) {
      const ms = await threadedFillMs(memmap.arenas.map((a) => a.memory), deferredSections.map((s) => [s!.arena!, s!.memmap!.byteOffset, s!.memmap!.byteLength]), threads, o.rounds);
      threadFloors.push({ threads, ms: +ms.toFixed(1), gbPerSec: +(floorBytes / 1e6 / ms).toFixed(2) });
    }
  }
  const floorFor = (workers: number): number => threadFloors.find((f) => f.threads === workers)?.ms ?? fillMs;

  // Every configuration once per round, round after round, so that drifts of the host (other
  // tenants, memory settling after first touch) spread over all of them; the best round counts.
  const configs = o.strategies.flatMap((strategy) => o.workers
    .filter((w) => strategy === 'parallel' || w <= 1) // legacy, maxorder: one pgdatinit thread per node, as 4.19 and 5.2 ran
    .map((workers) => ({ strategy, workers, best: { initMs: Infinity, pages: 0 }, pool: undefined as DeferredPool | undefined })));
  const base = { mb, zones, memmap, groupByMobilityDisabled: false };
  for (const c of configs) {
    if (c.workers) c.pool = await deferredPoolStart(base, deferredPoolPlan(mb, zones, c.strategy, c.workers), { warmUp: !o.cold });
  }
  for (let r = 0; r < o.rounds; r++) {
    for (const c of configs) {
      restore();
      const inp = { ...base, buddy: buddyCreate(memmap, zones) };
      t = performance.now();
      const done = c.workers === 0
        ? pageAllocInitLate({ ...inp, strategy: c.strategy, maxThreads: 1 })[0]!.pages
        : (await pageAllocInitLateThreads(inp, { strategy: c.strategy, maxThreads: c.workers, pool: c.pool! })).reports[0]!.pages;
      const initMs = performance.now() - t;
      if (initMs < c.best.initMs) c.best = { initMs, pages: done };
    }
  }
  for (const c of configs) await c.pool?.stop();
  const runs: Run[] = configs.map((c) => ({
    strategy: c.strategy, workers: c.workers, pages: c.best.pages, allocMs: +allocMs.toFixed(0), startMs: +(c.pool?.startMs ?? 0).toFixed(1),
    initMs: +c.best.initMs.toFixed(1), mpagesPerSec: +(c.best.pages / 1e6 / (c.best.initMs / 1000)).toFixed(1),
  }));
  const result = {
    node: { bytes, pages, deferredPages: runs[0]?.pages ?? 0, zone: ['DMA', 'DMA32', 'Normal'][zid] ?? zid, firstDeferredPfn: first },
    host: { cores: availableParallelism(), totalmem: totalmem(), node: process.version },
    allocMs: +allocMs.toFixed(0),
    floor: { bytes: floorBytes, ms: +fillMs.toFixed(1), gbPerSec: +(floorBytes / 1e6 / fillMs).toFixed(2) },
    floors: {
      typedArrayFill: { ms: +typedFillMs.toFixed(1), gbPerSec: +(floorBytes / 1e6 / typedFillMs).toFixed(2) },
      ...(memmap.wasm ? {
        wasmMemoryFill: { ms: +wasmFillMs.toFixed(1), gbPerSec: +(floorBytes / 1e6 / wasmFillMs).toFixed(2) },
        wasmV128Stores: { ms: +v128FillMs.toFixed(1), gbPerSec: +(floorBytes / 1e6 / v128FillMs).toFixed(2) },
      } : {}),
      threads: threadFloors,
    },
    kernel: memmap.wasm ? 'wasm' : 'js',
    runs,
    seed: {
      node: '384 GiB, one node', legacyMs: SEED.beforeMs, maxorderMergedMs: SEED.mergedMs, seriesMs: SEED.seriesMs,
      legacyMpagesPerSec: seedRate(SEED.beforeMs), mergedMpagesPerSec: seedRate(SEED.mergedMs), seriesMpagesPerSec: seedRate(SEED.seriesMs),
      ratio: +(SEED.beforeMs / SEED.seriesMs).toFixed(2), mergedRatio: +(SEED.beforeMs / SEED.mergedMs).toFixed(2),
    },
  };
  // Whole or not at all: a temporary file beside the target, renamed over it.
  const tmp = `${o.out}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(result, null, 2) + '\n');
    renameSync(tmp, o.out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new BenchInputError(`--out ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: cannot write the results`);
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const gib = (b: number): string => `${(b / 2 ** 30).toFixed(b % 2 ** 30 ? 2 : 0)} GiB`;
  console.log(`deferred init of one ${gib(bytes)} node: ${result.node.deferredPages} deferred pages (${result.node.zone} from pfn 0x${first.toString(16)}), ${runs.length} configurations, best of ${o.rounds}`);
  const wf = result.floors.wasmMemoryFill;
  const vf = result.floors.wasmV128Stores;
  console.log(`memmap: ${gib(memmap.allocatedBytes)} allocated and first touched in ${result.allocMs} ms (not part of init); page loops: ${result.kernel === 'wasm' ? 'WebAssembly kernel' : 'JS'}`);
  console.log(`floor: plain fill of the deferred struct pages ${result.floor.ms} ms = ${result.floor.gbPerSec} GB/s = ${(result.node.deferredPages / 1e6 / (fillMs / 1000)).toFixed(1)} Mpages/s`
    + ` (TypedArray.fill ${result.floors.typedArrayFill.ms} ms${wf && vf ? `, wasm memory.fill ${wf.ms} ms, wasm v128 stores ${vf.ms} ms` : ''}; the fastest counts)`);
  for (const f of threadFloors) {
    console.log(`floor with ${f.threads} threads: the v128 fill split over ${f.threads} workers ${f.ms} ms = ${f.gbPerSec} GB/s = ${(result.node.deferredPages / 1e6 / (f.ms / 1000)).toFixed(1)} Mpages/s`);
  }
  console.log(threadFloors.length ? 'vs floor: each configuration against the floor of its own thread count\n' : '');
  const legacy = runs.find((r) => r.strategy === 'legacy' && r.workers === 0) ?? runs.find((r) => r.strategy === 'legacy');
  console.log('strategy   workers   start ms    init ms   Mpages/s   vs legacy   vs floor');
  for (const r of runs) {
    const vs = legacy ? (legacy.initMs / r.initMs).toFixed(2) + 'x' : '-';
    console.log(`${r.strategy.padEnd(10)} ${String(r.workers || 'main').padStart(7)} ${r.startMs.toFixed(0).padStart(10)} ${r.initMs.toFixed(1).padStart(10)} ${r.mpagesPerSec.toFixed(1).padStart(10)} ${vs.padStart(11)} ${(r.initMs / floorFor(r.workers)).toFixed(1).padStart(9)}x`);
  }
  const s = result.seed;
  console.log(`\nseed series (Nov 2018), one 384 GiB node on real hardware: 4.19 ${s.legacyMs} ms (${s.legacyMpagesPerSec} Mpages/s)`
    + ` → 5.2's four patches ${s.maxorderMergedMs} ms (${s.mergedMpagesPerSec} Mpages/s, ${s.mergedRatio}x)`
    + ` → all seven ${s.seriesMs} ms (${s.seriesMpagesPerSec} Mpages/s, ${s.ratio}x)`);
  console.log(`written to ${o.out === DEFAULT_OUT ? 'bench/results.json' : o.out}`);
}

main().catch((e: unknown) => {
  if (e instanceof MemmapBudgetError || e instanceof BenchInputError) console.error(`bench: ${e.message}`);
  else console.error(e);
  process.exitCode = 2;
});
