// Deferred struct page init, piece by piece, on a 1 GiB node whose deferred part holds two
// reservations: the zone iterator, deferred_free_pages()'s pageblock pieces, the MAX_ORDER step,
// 6.1's padata jobs, deferred_grow_zone(), and the three strategies against each other.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MAX_ORDER, MIGRATE_TYPES, MigrateType, ZoneType } from '../../src/include/mmzone.js';
import { elapsedJiffiesMsecs } from '../../src/kernel/jiffies.js';
import { Printk } from '../../src/kernel/printk.js';
import {
  deferredFreePages, deferredGrowZone, deferredInitMaxorder, deferredInitMaxorderBlocks, deferredInitMemPfnRangeInZone, deferredInitPages,
  deferredPfnValid, deferredZone, type DeferredContext, type ZoneRangeCursor,
} from '../../src/mm/deferred.js';
import { pageAllocInitLate } from '../../src/mm/deferred-run.js';
import { deferredNodeWork, type DeferredStrategy } from '../../src/mm/deferred-work.js';
import { memblockFreeAll } from '../../src/mm/memblock-free-all.js';
import { freeListPfns } from '../../src/mm/free-area.js';
import { buddyCreate, buddyZone, type Buddy } from '../../src/mm/page-alloc.js';
import { pagePoisoned, pageReserved, pageWord, PoisonedPageError } from '../../src/mm/page.js';
import { getPageblockMigratetype } from '../../src/mm/pageblock.js';
import { sectionMemmap } from '../../src/mm/sparse.js';
import { deferredInitialised } from '../../src/trace/formats/deferred.js';
import { freeBlocks, memmapDiff } from './deferred-fixture.js';
import { M, RecordingBuddy, smallMachine, type SmallMachine } from './meminit-fixture.js';

//  pfn 0x100   0x1000        0x10000       0x11000 0x11001   0x14100 0x14300              0x40000
//      | DMA   | DMA32 early  ‖ deferred    | resv  |  free   | resv  |  free ...           | node end
//                  first_deferred_pfn ┘      (1 page)           (2 pageblocks, unaligned)
const memory: [number, number, number][] = [[0, M, 1024 * M]];
const reserved: [number, number][] = [[0, M], [0x11000000, 0x11001000], [0x14100000, 0x14300000]];
const DEFERRED_FREE = 0x40000 - 0x10000 - 1 - 0x200;

function booted(wasm = true): { m: SmallMachine; early: RecordingBuddy } {
  const m = smallMachine(memory, reserved, wasm);
  const early = new RecordingBuddy();
  memblockFreeAll(m.ctx, early, m.maxPfn);
  return { m, early };
}
const ctxOf = (m: SmallMachine, buddy: RecordingBuddy): DeferredContext => ({ memmap: m.memmap, zones: m.zones, buddy, groupByMobilityDisabled: false });
const blocks = (b: RecordingBuddy): string[] => b.blocks.map((x) => `${x.pfn.toString(16)}/${x.order}/${x.mt}`);
/** Every non-empty free list of node 0's DMA32, head to tail: "order mt pfn pfn …". */
const freeListsInOrder = (b: Buddy): string[] => {
  const bz = buddyZone(b, 0, ZoneType.DMA32);
  const out: string[] = [];
  for (let order = 0; order < MAX_ORDER; order++) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const pfns = freeListPfns(b, bz, order, mt);
      if (pfns.length) out.push(`${order} ${mt} ${pfns.map((p) => p.toString(16)).join(' ')}`);
    }
  }
  return out;
};
const initCount = (m: SmallMachine, pfn: number): number => m.memmap.sections[pfn >> 15]!.initCount![pfn & 0x7fff]!;

describe('the deferred zone and its iterator', () => {
  const { m } = booted();
  const z = deferredZone(m.mb, m.zones.nodes.get(0)!, ZoneType.DMA32);

  it('walks the free ranges of the node clipped to the zone', () => {
    assert.deepEqual(z.ranges.map((r) => [r.startPfn, r.endPfn]), [[0x1000, 0x11000], [0x11001, 0x14100], [0x14300, 0x40000]]);
  });

  it('deferred_init_mem_pfn_range_in_zone: the first range ending past first_init_pfn, its start raised to it', () => {
    const cur: ZoneRangeCursor = { i: 0, spfn: 0, epfn: 0 };
    assert.ok(deferredInitMemPfnRangeInZone(z, cur, 0x10000));
    assert.deepEqual(cur, { i: 0, spfn: 0x10000, epfn: 0x11000 });
    assert.ok(deferredInitMemPfnRangeInZone(z, cur, 0x14200));
    assert.deepEqual(cur, { i: 2, spfn: 0x14300, epfn: 0x40000 });
    assert.ok(!deferredInitMemPfnRangeInZone(z, cur, 0x40000));
    assert.deepEqual(cur, { i: 3, spfn: Infinity, epfn: 0 });
  });

  it('deferred_pfn_valid looks only at pageblock starts', () => {
    assert.deepEqual([0x10000, 0x10001, 0x40000, 0x40001].map((p) => deferredPfnValid(m.memmap, p)), [true, true, false, true]);
  });
});

describe('deferred_init_pages and deferred_free_pages', () => {
  it('frees pageblock pieces: whole aligned blocks at order 9, the rest page by page, each freed block start Movable', () => {
    const { m } = booted();
    const b = new RecordingBuddy();
    const ctx = ctxOf(m, b);
    //  0x11001          0x11200          0x11400   0x11500
    //  | 511 × order 0  | one order 9    | 256 × order 0 |
    assert.equal(deferredInitPages(ctx, deferredZone(m.mb, m.zones.nodes.get(0)!, ZoneType.DMA32), 0x11001, 0x11500), 0x4ff);
    deferredFreePages(ctx, 0x11001, 0x11500);
    const got = blocks(b);
    assert.equal(got.length, 511 + 1 + 256);
    // Block 0x11000 starts with the reserved page: init_reserved_page() gave it a struct page but
    // nothing set the block's migratetype, so its 511 free pages go to the Unmovable lists.
    assert.deepEqual([got[0], got[510], got[511], got[512], got[767]], ['11001/0/0', '111ff/0/0', '11200/9/1', '11400/0/1', '114ff/0/1']);
    assert.equal(getPageblockMigratetype(m.memmap, 0x11000), MigrateType.UNMOVABLE);
    assert.equal(getPageblockMigratetype(m.memmap, 0x11400), MigrateType.MOVABLE);
  });

  it('freeing a struct page nobody initialised throws, naming the pfn', () => {
    const { m } = booted();
    assert.throws(() => deferredFreePages(ctxOf(m, new RecordingBuddy()), 0x20000, 0x20200),
      (e: unknown) => e instanceof PoisonedPageError && e.pfn === 0x20000);
  });
});

describe('deferred_init_maxorder', () => {
  it('initialises then frees up to the next MAX_ORDER boundary and leaves the cursor there', () => {
    const { m } = booted();
    const b = new RecordingBuddy();
    const z = deferredZone(m.mb, m.zones.nodes.get(0)!, ZoneType.DMA32);
    const cur: ZoneRangeCursor = { i: 0, spfn: 0, epfn: 0 };
    deferredInitMemPfnRangeInZone(z, cur, 0x10000);
    assert.equal(deferredInitMaxorder(ctxOf(m, b), z, cur), 0x400);
    assert.deepEqual(cur, { i: 0, spfn: 0x10400, epfn: 0x11000 });
    assert.deepEqual(blocks(b), ['10000/9/1', '10200/9/1']);
    assert.ok(pagePoisoned(sectionMemmap(m.memmap, 0x10400), pageWord(0x10400)), 'nothing past the boundary yet');
  });

  for (const wasm of [true, false]) {
    it(`a run of whole blocks gives the bytes and free lists of one step per block (${wasm ? 'wasm kernel' : 'JS loops'})`, () => {
      // Both machines put block 0x10000 on the MAX_ORDER list with one step; then the blocks up
      // to the range end at 0x11000 go one step each, or as one run spliced behind it.
      const step = (run: boolean): { m: SmallMachine; b: Buddy; cur: ZoneRangeCursor; nr: number } => {
        const { m } = booted(wasm);
        const b = buddyCreate(m.memmap, m.zones);
        const ctx = { memmap: m.memmap, zones: m.zones, buddy: b, groupByMobilityDisabled: false };
        const z = deferredZone(m.mb, m.zones.nodes.get(0)!, ZoneType.DMA32);
        const cur: ZoneRangeCursor = { i: 0, spfn: 0, epfn: 0 };
        deferredInitMemPfnRangeInZone(z, cur, 0x10000);
        let nr = deferredInitMaxorder(ctx, z, cur);
        if (run) nr += deferredInitMaxorderBlocks(ctx, z, cur);
        else while (cur.i === 0) nr += deferredInitMaxorder(ctx, z, cur);
        return { m, b, cur, nr };
      };
      const one = step(false);
      const runs = step(true);
      assert.equal(runs.m.memmap.wasm, wasm);
      assert.equal(runs.nr, 0x1000);
      assert.deepEqual(runs.cur, one.cur);
      assert.deepEqual(runs.cur, { i: 1, spfn: 0x11001, epfn: 0x14100 });
      const bytes = (m: SmallMachine): Buffer => Buffer.from(m.memmap.sections[2]!.memmap!.slice().buffer);
      assert.ok(bytes(runs.m).equals(bytes(one.m)), 'every word of section 2, lru links included');
      assert.deepEqual(freeListsInOrder(runs.b), ['10 1 10000 10400 10800 10c00']);
      assert.deepEqual(freeListsInOrder(runs.b), freeListsInOrder(one.b));
      const [x, y] = [buddyZone(runs.b, 0, ZoneType.DMA32), buddyZone(one.b, 0, ZoneType.DMA32)];
      assert.deepEqual([x.heads, x.nrFree, x.freePages], [y.heads, y.nrFree, y.freePages]);
      assert.equal(runs.m.zones.nodes.get(0)!.zones[ZoneType.DMA32]!.managedPages, one.m.zones.nodes.get(0)!.zones[ZoneType.DMA32]!.managedPages);
    });
  }

  it('a run needs a MAX_ORDER boundary and a whole block before the range or section ends', () => {
    const { m } = booted();
    const ctx = ctxOf(m, new RecordingBuddy());
    const z = deferredZone(m.mb, m.zones.nodes.get(0)!, ZoneType.DMA32);
    for (const c of [{ i: 0, spfn: 0x10001, epfn: 0x11000 }, { i: 1, spfn: 0x11001, epfn: 0x14100 }, { i: 1, spfn: 0x14000, epfn: 0x14100 }]) {
      const cur = { ...c };
      assert.equal(deferredInitMaxorderBlocks(ctx, z, cur), 0);
      assert.deepEqual(cur, c, 'cursor untouched');
    }
    // From 0x14400 the range runs to the node end; the run stops at the end of section 2 (0x18000).
    const b = new RecordingBuddy();
    const cur = { i: 2, spfn: 0x14400, epfn: 0x40000 };
    assert.equal(deferredInitMaxorderBlocks(ctxOf(m, b), z, cur), 0x18000 - 0x14400);
    assert.deepEqual(cur, { i: 2, spfn: 0x18000, epfn: 0x40000 });
    assert.equal(b.blocks.length, 15);
    assert.deepEqual(blocks(b).slice(0, 2), ['14400/10/1', '14800/10/1']);
  });

  it('a step ending exactly at a range end moves the cursor onto the next range', () => {
    const { m } = booted();
    const z = deferredZone(m.mb, m.zones.nodes.get(0)!, ZoneType.DMA32);
    const cur: ZoneRangeCursor = { i: 0, spfn: 0x10c00, epfn: 0x11000 };
    deferredInitMaxorder(ctxOf(m, new RecordingBuddy()), z, cur);
    assert.deepEqual(cur, { i: 1, spfn: 0x11001, epfn: 0x14100 });
  });
});

describe("6.1's padata jobs", () => {
  it('one job per free range, from its start to its end rounded up to a section; chunks of a section', () => {
    const { m } = booted();
    const w = deferredNodeWork(m.mb, m.zones.nodes.get(0)!, 'parallel', 2)!;
    assert.equal(m.zones.nodes.get(0)!.firstDeferredPfn, Infinity, 'taken');
    // Range [0x10000, 0x11000) ends in section 2: the job runs to 0x18000 and so covers the next
    // two ranges' parts below it; the following job starts at 0x18000.
    assert.deepEqual(w.jobs.map((j) => [j.job.start, j.job.start + j.job.size, j.plan.nworks, j.tasks.length]), [
      [0x10000, 0x18000, 1, 1], [0x18000, 0x40000, 2, 5],
    ]);
    assert.deepEqual(w.jobs[1]!.tasks.map((t) => t.start), [0x18000, 0x20000, 0x28000, 0x30000, 0x38000]);
  });

  it('legacy and maxorder are one pgdatinit call over the whole zone', () => {
    for (const s of ['legacy', 'maxorder'] as const) {
      const { m } = booted();
      const w = deferredNodeWork(m.mb, m.zones.nodes.get(0)!, s, 8)!;
      assert.deepEqual(w.jobs.map((j) => [j.plan.nworks, j.tasks.map((t) => [t.start, t.end])]), [[1, [[0x10000, 0x40000]]]]);
    }
  });

  it('a node that deferred nothing has no work', () => {
    const m = smallMachine([[0, M, 64 * M]], [[0, M]]);
    assert.equal(deferredNodeWork(m.mb, m.zones.nodes.get(0)!, 'parallel', 2), undefined);
  });
});

describe('the strategies agree', () => {
  // The real buddy allocator: a run of MAX_ORDER blocks reaches it as one splice where legacy
  // freed pageblock by pageblock, and the lists must come out the same, in the same order.
  const run = (strategy: DeferredStrategy, maxThreads: number): { m: SmallMachine; b: Buddy; printk: Printk; pages: number } => {
    const { m } = booted();
    const b = buddyCreate(m.memmap, m.zones);
    const printk = new Printk();
    const r = pageAllocInitLate({ mb: m.mb, zones: m.zones, memmap: m.memmap, buddy: b, groupByMobilityDisabled: false, strategy, maxThreads, printk });
    return { m, b, printk, pages: r[0]!.pages };
  };
  const base = run('legacy', 1);

  it('legacy initialises every deferred free page once and frees it; reserved ones stay reserved', () => {
    assert.equal(base.pages, DEFERRED_FREE);
    assert.equal(buddyZone(base.b, 0, ZoneType.DMA32).freePages, DEFERRED_FREE);
    for (const pfn of [0x10000, 0x11001, 0x14300, 0x3ffff]) assert.equal(initCount(base.m, pfn), 1);
    assert.ok(pageReserved(sectionMemmap(base.m.memmap, 0x11000), pageWord(0x11000)));
    assert.equal(initCount(base.m, 0x11000), 1, 'init_reserved_page() did it at boot; deferred init skips it');
    assert.equal(base.m.zones.nodes.get(0)!.zones[ZoneType.DMA32]!.managedPages, 0x10000 - 0x1000 + DEFERRED_FREE);
  });

  it('prints the kernel line for the node', () => {
    assert.equal(base.printk.lines.length, 1);
    assert.ok(deferredInitialised.parse(base.printk.lines[0]!.text)?.nid === 0);
  });

  for (const [s, t] of [['maxorder', 1], ['parallel', 1], ['parallel', 2], ['parallel', 5]] as const) {
    it(`${s} with ${t} thread(s): the same free lists in the same order, the same struct pages`, () => {
      const r = run(s, t);
      assert.deepEqual(freeListsInOrder(r.b), freeListsInOrder(base.b));
      assert.ok(freeListsInOrder(base.b).some((l) => l.startsWith('10 1 ')), 'MAX_ORDER blocks on the Movable list');
      for (let nr = 0; nr < 8; nr++) {
        const a = base.m.memmap.sections[nr]!;
        const b = r.m.memmap.sections[nr]!;
        assert.deepEqual(b.memmap, a.memmap, `section ${nr}`);
        assert.deepEqual(b.usage, a.usage, `pageblock bits of section ${nr}`);
        assert.deepEqual(b.initCount, a.initCount);
      }
    });
  }
});

describe('deferred_grow_zone', () => {
  it('grows whole sections until the order is covered, moving first_deferred_pfn', () => {
    const { m } = booted();
    const pg = m.zones.nodes.get(0)!;
    const b = new RecordingBuddy();
    // Section 2 has 32255 free pages (< 32768 needed), so section 3 is added too.
    assert.ok(deferredGrowZone(ctxOf(m, b), m.mb, pg, ZoneType.DMA32, 0));
    assert.equal(pg.firstDeferredPfn, 0x20000);
    assert.equal(b.pages, 0x10000 - 1 - 0x200);
    assert.ok(deferredGrowZone(ctxOf(m, b), m.mb, pg, ZoneType.DMA32, 10));
    assert.equal(pg.firstDeferredPfn, 0x28000);
  });

  it('then deferred init does the rest: together, the frees of a run without growing', () => {
    const { m } = booted();
    const pg = m.zones.nodes.get(0)!;
    const b = buddyCreate(m.memmap, m.zones);
    deferredGrowZone({ memmap: m.memmap, zones: m.zones, buddy: b, groupByMobilityDisabled: false }, m.mb, pg, ZoneType.DMA32, 3);
    pageAllocInitLate({ mb: m.mb, zones: m.zones, memmap: m.memmap, buddy: b, groupByMobilityDisabled: false, strategy: 'parallel', maxThreads: 2 });
    const { m: m2 } = booted();
    const whole = buddyCreate(m2.memmap, m2.zones);
    pageAllocInitLate({ mb: m2.mb, zones: m2.zones, memmap: m2.memmap, buddy: whole, groupByMobilityDisabled: false, strategy: 'legacy', maxThreads: 1 });
    assert.deepEqual(freeBlocks(b), freeBlocks(whole));
    assert.equal(memmapDiff(m.memmap, m2.memmap), undefined);
    assert.equal(pg.zones[ZoneType.DMA32]!.managedPages, m2.zones.nodes.get(0)!.zones[ZoneType.DMA32]!.managedPages);
  });

  it('only the last zone grows; an exhausted zone says so once', () => {
    const { m } = booted();
    const pg = m.zones.nodes.get(0)!;
    const ctx = ctxOf(m, new RecordingBuddy());
    assert.ok(!deferredGrowZone(ctx, m.mb, pg, ZoneType.DMA, 0));
    pg.firstDeferredPfn = 0x40000;
    assert.ok(deferredGrowZone(ctx, m.mb, pg, ZoneType.DMA32, 0), 'nothing left: first_deferred_pfn was set, so retry');
    assert.equal(pg.firstDeferredPfn, Infinity);
    assert.ok(!deferredGrowZone(ctx, m.mb, pg, ZoneType.DMA32, 0));
  });
});

describe('the line and its clock', () => {
  it('parse(emit(x)) = x', () => {
    const v = { nid: 3, ms: 136 };
    assert.deepEqual(deferredInitialised.parse(deferredInitialised.emit(v)), v);
    assert.equal(deferredInitialised.emit(v), 'node 3 deferred pages initialised in 136ms');
  });

  it('prints elapsed jiffies at HZ=250, as the kernel does', () => {
    const cases: [number, number, number][] = [[10.5, 13.9, 4], [0, 3.99, 0], [3.99, 4, 4], [100, 236.1, 136]];
    for (const [a, b, want] of cases) assert.equal(elapsedJiffiesMsecs(a, b), want, `${a}..${b}`);
  });
});
