// Model-based test of the buddy allocator on an 8 MiB zone (2048 pages, four pageblocks of
// random types, a random part of it freed at the start): random alloc(order, migratetype), free
// and split_page sequences against a model that only knows which pages are free. Because free
// buddies always merge, the free blocks are determined by the free pages: the model derives them
// and, after every step, the allocator must hold exactly those counts per order, well-formed
// lists (checkFreeAreas: aligned, non-overlapping, PageBuddy only on heads, prev/next agree),
// and the free and allocated page counts.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_ORDER, ZoneType } from '../../src/include/mmzone.js';
import { checkFreeAreas } from '../../src/mm/free-area-check.js';
import type { BuddyZone } from '../../src/mm/free-area.js';
import { freePagesMemory } from '../../src/mm/memblock-free-all.js';
import { buddyCreate, freePages, splitPage, type Buddy } from '../../src/mm/page-alloc.js';
import { allocPages } from '../../src/mm/page-alloc-rmqueue.js';
import { initSinglePageRange } from '../../src/mm/page-init.js';
import { setPageblockMigratetype } from '../../src/mm/pageblock.js';
import { Fpi } from '../../src/mm/page-free-core.js';
import { dmaMachine, giveBack, zoneOf } from './page-alloc-fixture.js';

const PAGES = 0x800;

interface Model {
  free: Uint8Array;
  /** Blocks we hold: pfn → order. */
  held: Map<number, number>;
}

interface Real {
  b: Buddy;
  bz: BuddyZone;
}

/** The free blocks the pages imply: an aligned block is one when it is all free and its parent is not (or it is order 10). */
function impliedNrFree(free: Uint8Array): number[] {
  const nr = new Array<number>(MAX_ORDER).fill(0);
  const allFree = (pfn: number, order: number): boolean => free.subarray(pfn, pfn + (1 << order)).every((x) => x === 1);
  const walk = (pfn: number, order: number): void => {
    if (allFree(pfn, order)) nr[order]!++;
    else if (order > 0) {
      walk(pfn, order - 1);
      walk(pfn + (1 << (order - 1)), order - 1);
    }
  };
  for (let pfn = 0; pfn < PAGES; pfn += 1 << (MAX_ORDER - 1)) walk(pfn, MAX_ORDER - 1);
  return nr;
}

function compare(m: Model, r: Real): void {
  const nr = impliedNrFree(m.free);
  assert.deepEqual([...r.bz.nrFree], nr, 'nr_free per order');
  assert.equal(r.bz.freePages, m.free.reduce((a, x) => a + x, 0), 'NR_FREE_PAGES');
  assert.equal(r.bz.allocatedPages, [...m.held.values()].reduce((a, o) => a + (1 << o), 0), 'allocated pages');
  assert.deepEqual(checkFreeAreas(r.b, [r.bz]), []);
}

class Alloc implements fc.Command<Model, Real> {
  constructor(readonly order: number, readonly mt: number) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const nr = impliedNrFree(m.free);
    const fits = nr.some((n, o) => n > 0 && o >= this.order);
    const pfn = allocPages(r.b, this.order, this.mt, 0, ZoneType.NORMAL);
    assert.equal(pfn >= 0, fits, `alloc order ${this.order}: got ${pfn}, model ${fits ? 'has' : 'has no'} room`);
    if (pfn >= 0) {
      assert.equal(pfn % (1 << this.order), 0, 'aligned to its order');
      for (let p = pfn; p < pfn + (1 << this.order); p++) {
        assert.equal(m.free[p], 1, `pfn 0x${p.toString(16)} handed out but not free`);
        m.free[p] = 0;
      }
      m.held.set(pfn, this.order);
    }
    compare(m, r);
  }
  toString = (): string => `alloc(${this.order}, ${this.mt})`;
}

class Free implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.held.size > 0;
  run(m: Model, r: Real): void {
    const [pfn, order] = [...m.held][this.pick % m.held.size]!;
    freePages(r.b, pfn, order);
    m.held.delete(pfn);
    m.free.fill(1, pfn, pfn + (1 << order));
    compare(m, r);
  }
  toString = (): string => `free(#${this.pick})`;
}

class Split implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => [...m.held.values()].some((o) => o > 0);
  run(m: Model, r: Real): void {
    const big = [...m.held].filter(([, o]) => o > 0);
    const [pfn, order] = big[this.pick % big.length]!;
    splitPage(r.b, pfn, order);
    for (let p = pfn; p < pfn + (1 << order); p++) m.held.set(p, 0);
    compare(m, r);
  }
  toString = (): string => `split(#${this.pick})`;
}

describe('buddy allocator against a free-page model (fast-check)', () => {
  const machine = dmaMachine();
  const range = fc.tuple(fc.integer({ min: 0, max: PAGES - 1 }), fc.integer({ min: 1, max: 700 }));
  const commands = fc.commands([
    fc.tuple(fc.integer({ min: 0, max: MAX_ORDER - 1 }), fc.integer({ min: 0, max: 2 })).map(([o, mt]) => new Alloc(o, mt)),
    fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 })).map(([o, mt]) => new Alloc(o, mt)),
    fc.nat().map((n) => new Free(n)),
    fc.nat().map((n) => new Free(n)),
    fc.nat().map((n) => new Split(n)),
  ], { maxCommands: 60 });

  it('free counts, lists and blocks agree with the model after every step', () => {
    fc.assert(fc.property(
      fc.array(range, { maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }), commands,
      (ranges, types, cmds) => {
        // A fresh zone: every struct page allocated (refcount 1), random pageblock types.
        initSinglePageRange(machine.memmap, 0, PAGES, ZoneType.DMA, 0);
        types.forEach((mt, i) => setPageblockMigratetype(machine.memmap, i * 512, mt));
        machine.zones.nodes.get(0)!.zones[ZoneType.DMA]!.managedPages = 0;
        const b = buddyCreate(machine.memmap, machine.zones);
        const model: Model = { free: new Uint8Array(PAGES), held: new Map() };
        for (const [s, n] of ranges) model.free.fill(1, s, Math.min(s + n, PAGES));
        for (let p = 0; p < PAGES;) {
          if (!model.free[p]) { p++; continue; }
          const s = p;
          while (p < PAGES && model.free[p]) p++;
          freePagesMemory(s, p, (pfn, order) => giveBack(b, pfn, order, { fpi: Fpi.TO_TAIL }));
        }
        const real: Real = { b, bz: zoneOf(b, 0, ZoneType.DMA) };
        compare(model, real);
        fc.modelRun(() => ({ model, real }), cmds);
      },
    ), { numRuns: 60 });
  });
});
