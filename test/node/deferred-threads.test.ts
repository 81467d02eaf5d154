// Deferred init on worker threads: a pgdatinit worker per node, padata helpers beside it; the
// result equals the inline run's whatever the worker count, and a worker that throws, dies or
// hangs fails the run with a message naming node, chunk and cause, without leaving workers behind.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { memInit } from '../../src/arch/x86/mem-init.js';
import type { Machine } from '../../src/kernel/machine.js';
import type { DeferredStrategy } from '../../src/mm/deferred-work.js';
import type { Buddy } from '../../src/mm/page-alloc.js';
import { forEachValidSection } from '../../src/mm/sparse.js';
import { deferredInitialised } from '../../src/trace/formats/deferred.js';
import { DeferredInitError, memInitThreads } from '../../src/node/deferred-threads.js';
import { booted, freeBlocks, managed, memmapDiff, twoNodes } from '../mm/deferred-fixture.js';
import type { Fault } from './faulty-deferred-worker.js';

const spec = twoNodes();
const FAULTY = new URL('./faulty-deferred-worker.js', import.meta.url);

/** A threaded memInit; `warmUp` has the workers compile their loops first (it only matters for timing). */
async function threads(strategy: DeferredStrategy, workers: number, fault?: Fault, timeoutMs?: number, warmUp = false): Promise<Machine> {
  const m = booted(spec);
  await memInitThreads(m, {
    strategy, maxThreads: workers, warmUp, ...(fault ? { workerUrl: FAULTY, extra: { fault } } : {}), ...(timeoutMs ? { timeoutMs } : {}),
  });
  return m;
}

describe('deferred init on worker threads', () => {
  const inline = booted(spec);
  memInit(inline, { strategy: 'legacy', maxThreads: 1 });

  const runs = new Map<string, Machine>();
  for (const [strategy, workers] of [['legacy', 1], ['maxorder', 1], ['parallel', 2], ['parallel', 3]] as const) {
    it(`${strategy}, ${workers} worker(s) per node: the inline legacy result`, async () => {
      const m = await threads(strategy, workers, undefined, undefined, strategy === 'maxorder');
      runs.set(`${strategy}/${workers}`, m);
      assert.equal(memmapDiff(inline.memmap!, m.memmap!), undefined);
      assert.deepEqual(freeBlocks(m.buddy as Buddy), freeBlocks(inline.buddy as Buddy));
      assert.deepEqual(managed(m), managed(inline));
      assert.ok(inline.watermarks);
      assert.deepEqual(m.watermarks, inline.watermarks, 'the initcalls after deferred init ran too');
      const nids = m.printk.lines.map((l) => deferredInitialised.parse(l.text)?.nid).filter((n) => n !== undefined);
      assert.deepEqual(nids.sort(), [0, 1], 'each node prints its line when done');
    });
  }

  it('reports each node\'s chunks as they finish, ending at the node\'s total', async () => {
    const seen = new Map<number, [done: number, total: number][]>();
    const m = booted(spec);
    await memInitThreads(m, {
      strategy: 'parallel', maxThreads: 2, warmUp: false,
      progress: (step, nid, done, total) => { if (step === 'deferred') seen.set(nid, [...(seen.get(nid) ?? []), [done, total]]); },
    });
    assert.deepEqual([...seen.keys()].sort(), [0, 1]);
    for (const [nid, reports] of seen) {
      const [done, total] = reports[reports.length - 1]!;
      assert.ok(total > 0 && done === total, `node ${nid}: ended at ${done}/${total}`);
      reports.forEach(([d], i) => assert.ok(i === 0 || d >= reports[i - 1]![0], `node ${nid}: went back`));
    }
    // Node 1's deferred part is seven sections: seven one-section chunks.
    assert.equal(seen.get(1)!.at(-1)![1], 7);
  });

  it('two threaded runs give identical bytes', async () => {
    const a = runs.get('parallel/2')!;
    const b = await threads('parallel', 2);
    for (const ms of forEachValidSection(a.memmap!)) {
      const other = b.memmap!.sections[ms.nr]!.memmap!;
        assert.ok(Buffer.from(ms.memmap.buffer, ms.memmap.byteOffset, ms.memmap.byteLength).equals(Buffer.from(other.buffer, other.byteOffset, other.byteLength)), `section ${ms.nr}`);
    }
  });
});

describe('a failing worker fails the run', () => {
  // Node 1 is deferred from 0x28000 to 0x60000: seven sections, two works, chunks of a section,
  // so the fault at pfn 0x50000 hits the chunk [0x50000-0x58000) on one of pgdatinit1's workers.
  const cases: [Fault['kind'], RegExp][] = [
    ['throw', /task threw: injected fault/],
    ['exit', /worker exited with code 7/],
    ['uncaught', /worker threw: Error: injected uncaught fault/],
    ['hang', /timed out after 1000 ms/],
  ];
  for (const [kind, cause] of cases) {
    it(`when it ${kind === 'hang' ? 'hangs' : kind === 'uncaught' ? 'throws outside a task' : `${kind}s`}: the error names node, chunk, worker and cause`, async () => {
      const t = Date.now();
      await assert.rejects(threads('parallel', 2, { kind, nid: 1, pfn: 0x50000 }, 1000), (e: unknown) => {
        assert.ok(e instanceof DeferredInitError, String(e));
        assert.match(e.message, /^deferred page init failed: node 1 chunk \[0x50000-0x58000\) on pgdatinit1(\/helper1)?: /);
        assert.match(e.message, cause);
        return true;
      });
      assert.ok(Date.now() - t < 10_000);
    });
  }

  it('legacy: the one task of the node is the chunk named', async () => {
    await assert.rejects(threads('legacy', 1, { kind: 'throw', nid: 0, pfn: 0x18000 }),
      /deferred page init failed: node 0 chunk \[0x10000-0x20000\) on pgdatinit0: task threw: injected fault/);
  });

  it('a worker that cannot start names itself', async () => {
    const m = booted(spec);
    await assert.rejects(memInitThreads(m, { strategy: 'parallel', maxThreads: 1, warmUp: false, workerUrl: new URL('./no-such-worker.js', import.meta.url) }),
      /deferred page init failed: start-up on pgdatinit0: worker threw: .*no-such-worker/);
  });
});
