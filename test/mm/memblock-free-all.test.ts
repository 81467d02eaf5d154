// memblock_free_all: the order splitting of __free_pages_memory, reserve_bootmem_region, and the
// handover of a small machine's free memory to (a stand-in for) the buddy allocator.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MigrateType, ZoneType } from '../../src/include/mmzone.js';
import { memblockMarkHotplug, memblockMarkNomap } from '../../src/mm/memblock.js';
import { freeMemoryCore, freePagesMemory, memblockFreeAll } from '../../src/mm/memblock-free-all.js';
import {
  pageInitPoison, pagePoisoned, pageRefcount, pageReserved, pageToNid, pageWord, pageZonenum, PoisonedPageError,
} from '../../src/mm/page.js';
import { reserveBootmemRegion } from '../../src/mm/page-init.js';
import { pfnValid, sectionMemmap } from '../../src/mm/sparse.js';
import { M, RecordingBuddy, smallMachine } from './meminit-fixture.js';

const split = (s: number, e: number): [number, number][] => {
  const out: [number, number][] = [];
  freePagesMemory(s, e, (pfn, order) => out.push([pfn, order]));
  return out;
};

describe('__free_pages_memory: largest aligned orders, at most MAX_ORDER - 1', () => {
  //  0x9f 0xa0      0xc0            0x100                          0x200
  //   |o0 |   o5    |      o6       |              o8              |
  const cases: [string, number, number, [number, number][]][] = [
    ['odd start climbs through the orders', 0x9f, 0x200, [[0x9f, 0], [0xa0, 5], [0xc0, 6], [0x100, 8]]],
    ['pfn 0 counts as aligned to everything', 0, 0x1000, [[0, 10], [0x400, 10], [0x800, 10], [0xc00, 10]]],
    ['an end that cuts a block shrinks it', 0x3ff, 0x801, [[0x3ff, 0], [0x400, 10], [0x800, 0]]],
    ['order falls as the end nears', 0x1000, 0x1007, [[0x1000, 2], [0x1004, 1], [0x1006, 0]]],
    ['empty', 0x100, 0x100, []],
    ['beyond 32 bits (pfn 2^33)', 2 ** 33 + 1, 2 ** 33 + 4, [[2 ** 33 + 1, 0], [2 ** 33 + 2, 1]]],
  ];
  for (const [what, s, e, want] of cases) it(what, () => assert.deepEqual(split(s, e), want));

  it('covers the range exactly with maximal aligned blocks (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 5000 }), (s, n) => {
      let at = s;
      for (const [pfn, order] of split(s, s + n)) {
        assert.equal(pfn, at);
        assert.ok(order >= 0 && order <= 10);
        assert.equal(pfn % 2 ** order, 0);
        const bigger = order + 1;
        assert.ok(order === 10 || pfn % 2 ** bigger !== 0 || pfn + 2 ** bigger > s + n, `0x${pfn.toString(16)}/${order} not maximal`);
        at += 2 ** order;
      }
      assert.equal(at, s + n);
    }));
  });

  it('__free_memory_core: whole pages only, below max_low_pfn', () => {
    const got: [number, number][] = [];
    assert.equal(freeMemoryCore(0x1800, 0x9800, 0x8, (p, o) => got.push([p, o])), 6);
    assert.deepEqual(got, [[2, 1], [4, 2]]);
    assert.equal(freeMemoryCore(0x1800, 0x2000, 0x100, () => assert.fail()), 0);
  });
});

//  pfn 0  0x1 0x9f 0x100  0x1000   0x2800        0x10000 (256 MiB)           0x3fe00  0x3ffe0 0x40000
//      |r | mem  |  hole |  DMA   |kernel|  DMA32     ‖ deferred: DMA32 ...   |  resv  | hole  |
//      └──── reserved [0, 1 MiB) ───┘              first_deferred_pfn
const memory: [number, number, number][] = [[0, 0x1000, 0x9f000], [0, M, 0x3ffe0000]];
const reserved: [number, number][] = [[0, M], [16 * M, 40 * M], [0x20000000, 0x20001800], [0x3fe00000, 0x3ffe0000]];

describe('memblock_free_all on a 1 GiB machine with a deferred part', () => {
  const m = smallMachine(memory, reserved);
  const pg = m.zones.nodes.get(0)!;
  const buddy = new RecordingBuddy();
  const total = memblockFreeAll(m.ctx, buddy, m.maxPfn);
  const isMemory = (p: number): boolean => (p >= 1 && p < 0x9f) || (p >= 0x100 && p < 0x3ffe0);
  const isReserved = (p: number): boolean => p < 0x100 || (p >= 0x1000 && p < 0x2800) || p === 0x20000 || p === 0x20001 || (p >= 0x3fe00 && p < 0x3ffe0);

  it('defers from the first section boundary past one section of DMA32', () => {
    assert.equal(pg.firstDeferredPfn, 0x10000);
  });

  it('returns every free page, deferred ones included (totalram_pages)', () => {
    let want = 0;
    for (let p = 0; p < 0x40000; p++) if (isMemory(p) && !isReserved(p)) want++;
    assert.equal(total, want);
  });

  it('hands over exactly the free pfns below first_deferred_pfn', () => {
    const freed = new Uint8Array(0x40000);
    for (const b of buddy.blocks) for (let p = b.pfn; p < b.pfn + 2 ** b.order; p++) freed[p]!++;
    for (let p = 0; p < 0x40000; p++) {
      const want = isMemory(p) && !isReserved(p) && p < 0x10000 ? 1 : 0;
      if (freed[p] !== want) assert.fail(`pfn 0x${p.toString(16)}: freed ${freed[p]} times, want ${want}`);
    }
  });

  it('counts managed pages per zone from zero', () => {
    assert.deepEqual(pg.zones.map((z) => z.managedPages), [0x1000 - 0x100, 0x10000 - 0x2800, 0, 0, 0]);
  });

  it('frees into the pageblock migratetype: block 0 was never set (no aligned pfn initialised it)', () => {
    assert.deepEqual(buddy.blocks.slice(0, 2), [
      { pfn: 0x100, order: 8, nid: 0, zid: ZoneType.DMA, mt: MigrateType.UNMOVABLE },
      { pfn: 0x200, order: 9, nid: 0, zid: ZoneType.DMA, mt: MigrateType.MOVABLE },
    ]);
  });

  it('leaves freed struct pages with refcount 0, no flags, untyped', () => {
    for (const b of buddy.blocks) {
      const mm = sectionMemmap(m.memmap, b.pfn);
      for (let p = b.pfn; p < b.pfn + 2 ** b.order; p++) {
        const w = pageWord(p);
        assert.equal(mm[w], 0xc0000000);
        assert.equal(pageRefcount(mm, w), 0);
        assert.equal(mm[w + 12], 0xffffffff);
      }
    }
  });

  it('marks reserved pfns PG_reserved, initialising deferred ones in their zone', () => {
    for (const p of [0, 0x9f, 0xff, 0x1000, 0x27ff, 0x20000, 0x20001, 0x3fe00, 0x3ffdf, 0x3ffe0, 0x3ffff]) {
      const mm = sectionMemmap(m.memmap, p);
      assert.ok(pageReserved(mm, pageWord(p)), `pfn 0x${p.toString(16)}`);
      assert.equal(pageRefcount(mm, pageWord(p)), 1);
    }
    const mm = sectionMemmap(m.memmap, 0x3fe00);
    assert.equal(pageZonenum(mm, pageWord(0x3fe00)), ZoneType.DMA32);
    assert.equal(pageToNid(mm, pageWord(0x3fe00)), 0);
  });

  it('initialised every struct page once, except deferred free ones (still poisoned)', () => {
    for (let p = 0; p < 0x40000; p++) {
      const ms = m.memmap.sections[p >> 15]!;
      const want = p >= 0x10000 && isMemory(p) && !isReserved(p) ? 0 : 1;
      if (ms.initCount![p & 0x7fff] !== want) assert.fail(`pfn 0x${p.toString(16)} initialised ${ms.initCount![p & 0x7fff]} times`);
      if (pagePoisoned(ms.memmap!, pageWord(p)) !== (want === 0)) assert.fail(`pfn 0x${p.toString(16)} poison`);
    }
  });
});

describe('memblock_free_all corner cases', () => {
  it('frees hotplug-flagged memory (memblock_clear_hotplug) and keeps NOMAP memory reserved', () => {
    const m = smallMachine(memory, [[0, M]]);
    m.mb.movableNode = true;
    memblockMarkHotplug(m.mb, 32 * M, 8 * M);
    memblockMarkNomap(m.mb, 64 * M, 2 * M);
    const buddy = new RecordingBuddy();
    memblockFreeAll(m.ctx, buddy, m.maxPfn);
    assert.ok(buddy.blocks.some((b) => b.pfn === (32 * M) / 4096));
    assert.ok(!buddy.blocks.some((b) => b.pfn === (64 * M) / 4096));
    assert.ok(pageReserved(sectionMemmap(m.memmap, (65 * M) / 4096), pageWord((65 * M) / 4096)));
  });

  it('a deferred reservation no zone spans gets zone MAX_NR_ZONES and a second init, as in 6.1', () => {
    // pfn 0x3fff0 is in the section tail after DMA32 ends: init_unavailable_range() set it up as
    // DMA32, then init_reserved_page() finds no zone spanning it and leaves zid = 5.
    const m = smallMachine(memory, [[0, M], [0x3fff0000, 0x3fff1000]]);
    memblockFreeAll(m.ctx, new RecordingBuddy(), m.maxPfn);
    const mm = sectionMemmap(m.memmap, 0x3fff0);
    assert.equal(pageZonenum(mm, pageWord(0x3fff0)), 5);
    assert.equal(m.memmap.sections[7]!.initCount![0x7ff0], 2);
  });

  it('a deferred page several reservations touch is initialised once per reservation, as in 6.1', () => {
    // Three small allocations at 64-byte alignment share pfn 0x3f000, above the deferred split:
    // init_reserved_page() re-initialises the page for each region memmap_init_reserved_pages() walks.
    const page = 0x3f000 * 4096;
    const m = smallMachine(memory, [[0, M], [page, page + 8], [page + 64, page + 72], [page + 128, page + 4096 + 16]]);
    memblockFreeAll(m.ctx, new RecordingBuddy(), m.maxPfn);
    assert.equal(m.memmap.sections[7]!.initCount![0x7000], 3);
    assert.equal(m.memmap.sections[7]!.initCount![0x7001], 1, 'the next page: one region');
  });

  it('reserve_bootmem_region on a struct page nothing initialised throws, naming the pfn', () => {
    const m = smallMachine(memory, [[0, M]]);
    pageInitPoison(sectionMemmap(m.memmap, 0x5000), pageWord(0x5000), 1);
    assert.ok(pfnValid(m.memmap, 0x5000));
    assert.throws(() => reserveBootmemRegion(m.ctx, 0x5000 * 4096, 0x5001 * 4096),
      (e: unknown) => e instanceof PoisonedPageError && e.pfn === 0x5000 && /reserve_bootmem_region/.test(e.message));
  });

  it('is stable over random reservations (property): freed ∪ reserved ∪ deferred = memory', () => {
    const range = fc.tuple(fc.integer({ min: 0, max: 0x20000 - 1 }), fc.integer({ min: 1, max: 0x3000 }));
    fc.assert(fc.property(fc.array(range, { maxLength: 6 }), (rs) => {
      const resv: [number, number][] = rs.map(([s, n]) => [s * 2048, Math.min(s * 2048 + n * 4096, 0x20000000)]);
      const m = smallMachine([[0, M, 512 * M]], resv);
      const buddy = new RecordingBuddy();
      memblockFreeAll(m.ctx, buddy, m.maxPfn);
      const state = new Uint8Array(0x20000);
      for (const b of buddy.blocks) {
        assert.equal(b.pfn % 2 ** b.order, 0);
        for (let p = b.pfn; p < b.pfn + 2 ** b.order; p++) state[p]! += 1;
      }
      const first = m.zones.nodes.get(0)!.firstDeferredPfn;
      for (let p = 0x100; p < 0x20000; p++) {
        const mm = sectionMemmap(m.memmap, p);
        const rsv = !pagePoisoned(mm, pageWord(p)) && pageReserved(mm, pageWord(p));
        const ok = state[p] === 1 ? !rsv && p < first : rsv || (state[p] === 0 && p >= first && pagePoisoned(mm, pageWord(p)));
        if (!ok) assert.fail(`pfn 0x${p.toString(16)}: freed ${state[p]}, reserved ${rsv}, first_deferred 0x${first.toString(16)}`);
      }
    }), { numRuns: 15 });
  });
});
