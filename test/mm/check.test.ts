// The memmap invariant checker: clean on booted machines (every strategy), and each class of
// fault injected into a freshly booted pc-1g is named by kind and pfn (or zone, for counts).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { memInit } from '../../src/arch/x86/mem-init.js';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { MAX_ORDER, MIGRATE_TYPES, MigrateType, PAGEBLOCK_NR_PAGES, ZoneType } from '../../src/include/mmzone.js';
import { pfnDown, pfnUp } from '../../src/include/pfn.js';
import { MIGRATETYPE_MASK } from '../../src/include/sparsemem.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { loadPreset } from '../../src/machine/index.js';
import { checkMachine, checkMachineReport, type Violation, type ViolationKind } from '../../src/mm/check.js';
import type { DeferredStrategy } from '../../src/mm/deferred-work.js';
import { addToFreeList, delPageFromFreeList, freeListPfns, type BuddyZone } from '../../src/mm/free-area.js';
import { forEachReservedMemRange, memblockReserve, memblockSearchPfnNid } from '../../src/mm/memblock.js';
import { clearPageReserved, pageInitPoison, pageWord, pageZonenum, setBuddyOrder, setPageLinks } from '../../src/mm/page.js';
import { buddyZone, type Buddy } from '../../src/mm/page-alloc.js';
import { setPfnblockFlagsMask } from '../../src/mm/pageblock.js';
import { pfnToSection, sectionMemmap } from '../../src/mm/sparse.js';
import { twoNodes, booted } from './deferred-fixture.js';

/** pc-1g booted with struct pages and init counters: a fresh copy per test. */
function pc1g(strategy: DeferredStrategy = 'parallel', trackInit = true): Machine {
  const spec = loadPreset('pc-1g');
  const m = machineNew(spec.name, spec.firmware);
  bootMachine(m);
  memInit(m, { strategy, memmap: { trackInit } });
  return m;
}

const buddy = (m: Machine): Buddy => m.buddy as Buddy;
const dma32 = (m: Machine): BuddyZone => buddyZone(buddy(m), 0, ZoneType.DMA32);
const page = (m: Machine, pfn: number) => ({ mm: sectionMemmap(m.memmap!, pfn), w: pageWord(pfn) });
const show = (vs: Violation[]): string => vs.slice(0, 5).map((v) => `${v.what}: ${v.detail}`).join('\n');

/** A free block of DMA32 whose pfn is not aligned to the next order up. */
function freeBlockNotAlignedAbove(m: Machine): { pfn: number; order: number; mt: number } {
  for (let order = 0; order < MAX_ORDER - 1; order++) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const pfn = freeListPfns(buddy(m), dma32(m), order, mt).find((p) => p % 2 ** (order + 1) !== 0);
      if (pfn !== undefined) return { pfn, order, mt };
    }
  }
  throw new Error('no free block below MAX_ORDER - 1');
}

/** A tail page of an order-10 free block in DMA32: nothing but the memmap refers to it. */
function freeTailPfn(m: Machine): number {
  return freeListPfns(buddy(m), dma32(m), MAX_ORDER - 1, MigrateType.MOVABLE)[0]! + 5;
}

/** A memblock-reserved pfn of memory that has a struct page. */
function reservedPfn(m: Machine): number {
  for (const r of forEachReservedMemRange(m.memblock!)) {
    for (let pfn = pfnDown(r.start); pfn < pfnUp(r.end); pfn++) {
      if (pfn > 0x100 && memblockSearchPfnNid(m.memblock!, pfn) && pfnToSection(m.memmap!, pfn)?.memmap) return pfn;
    }
  }
  throw new Error('no reserved memory');
}

describe('checkMachine on booted machines', () => {
  for (const strategy of ['legacy', 'maxorder', 'parallel'] as const) {
    it(`pc-1g (deferred from 0x10000), ${strategy}: no violations, every pfn covered`, () => {
      const r = checkMachineReport(pc1g(strategy));
      assert.deepEqual(r.violations, [], show(r.violations));
      assert.equal(r.pfns, 8 * 32768);
      assert.ok(r.freeBlocks > 200);
    });
  }

  it('two nodes of 512M and 1G (both deferred): no violations', () => {
    const m = booted(twoNodes());
    memInit(m, { strategy: 'parallel', maxThreads: 2, memmap: { trackInit: true } });
    assert.deepEqual(checkMachine(m), []);
  });

  it('allows a deferred page initialised once per reservation touching it, and only that often', () => {
    // Three 8-byte allocations in one page above pc-1g's split (0x10000): init_reserved_page() runs per region.
    const spec = loadPreset('pc-1g');
    const m = machineNew(spec.name, spec.firmware);
    bootMachine(m);
    const base = 0x30000 * 4096;
    for (const off of [0, 64, 128]) memblockReserve(m.memblock!, base + off, 8);
    memInit(m, { memmap: { trackInit: true } });
    const count = pfnToSection(m.memmap!, 0x30000)!.initCount!;
    assert.equal(count[0x30000 % 32768], 3);
    assert.deepEqual(checkMachine(m), []);
    count[0x30000 % 32768] = 4;
    assert.deepEqual(checkMachine(m).map((v) => [v.what, v.pfn]), [['init-count', 0x30000]]);
  });

  it('allows the 6.1 double init of a reserved section tail in a deferred node (zone MAX_NR_ZONES)', () => {
    // pc-1g's memory ends at 0x3ffe0; 0x3fff0 is in section 7's tail, past DMA32, in node 0's
    // deferred part: init_unavailable_range() and then init_reserved_page() both initialise it.
    const spec = loadPreset('pc-1g');
    const m = machineNew(spec.name, spec.firmware);
    bootMachine(m);
    memblockReserve(m.memblock!, 0x3fff0000, 0x1000);
    memInit(m, { memmap: { trackInit: true } });
    assert.equal(pfnToSection(m.memmap!, 0x3fff0)!.initCount![0x7ff0], 2);
    assert.equal(pageZonenum(page(m, 0x3fff0).mm, page(m, 0x3fff0).w), 5);
    assert.deepEqual(checkMachine(m), []);
    pfnToSection(m.memmap!, 0x3fff1)!.initCount![0x7ff1] = 2;
    assert.deepEqual(checkMachine(m).map((v) => [v.what, v.pfn]), [['init-count', 0x3fff1]], 'not reserved: no exception');
  });

  it('without init counters it falls back to the poison check', () => {
    const m = pc1g('parallel', false);
    assert.deepEqual(checkMachine(m), []);
    const pfn = freeTailPfn(m);
    const { mm, w } = page(m, pfn);
    pageInitPoison(mm, w, 1);
    assert.deepEqual(checkMachine(m).map((v) => [v.what, v.pfn]), [['poisoned', pfn]]);
  });

  it('throws on a machine booted without its memmap', () => {
    const spec = loadPreset('pc-1g');
    const m = machineNew(spec.name, spec.firmware);
    bootMachine(m);
    assert.throws(() => checkMachine(m), /no memmap/);
  });
});

/** Each fault: what to do to a fresh pc-1g, and the violation that must name it. */
const FAULTS: [string, (m: Machine) => { what: ViolationKind; pfn?: number; zone?: string }][] = [
  ['a pfn initialised twice', (m) => {
    const pfn = freeTailPfn(m);
    pfnToSection(m.memmap!, pfn)!.initCount![pfn % 32768]!++;
    return { what: 'init-count', pfn };
  }],
  ['a pfn never initialised (poisoned, count 0)', (m) => {
    const pfn = freeTailPfn(m) + 1;
    pfnToSection(m.memmap!, pfn)!.initCount![pfn % 32768] = 0;
    const { mm, w } = page(m, pfn);
    pageInitPoison(mm, w, 1);
    return { what: 'poisoned', pfn };
  }],
  ['a wrong zone link', (m) => {
    const pfn = freeTailPfn(m) + 2;
    const { mm, w } = page(m, pfn);
    setPageLinks(mm, w, ZoneType.NORMAL, 0);
    return { what: 'zone-link', pfn };
  }],
  ['PG_reserved cleared on a reserved page', (m) => {
    const pfn = reservedPfn(m);
    const { mm, w } = page(m, pfn);
    clearPageReserved(mm, w);
    return { what: 'reserved-flag', pfn };
  }],
  ['a page made PageBuddy inside a reserved range', (m) => {
    const pfn = reservedPfn(m);
    const { mm, w } = page(m, pfn);
    setBuddyOrder(mm, w, 0);
    return { what: 'reserved-free', pfn };
  }],
  ['a block unlinked from its list but still PageBuddy', (m) => {
    const { pfn, order } = freeBlockNotAlignedAbove(m);
    delPageFromFreeList(buddy(m), dma32(m), pfn, order);
    const { mm, w } = page(m, pfn);
    setBuddyOrder(mm, w, order);
    return { what: 'buddy-not-listed', pfn };
  }],
  ['a block on the list of an order it is not aligned to', (m) => {
    const { pfn, order, mt } = freeBlockNotAlignedAbove(m);
    delPageFromFreeList(buddy(m), dma32(m), pfn, order);
    setBuddyOrder(page(m, pfn).mm, page(m, pfn).w, order + 1);
    addToFreeList(buddy(m), dma32(m), pfn, order + 1, mt);
    return { what: 'free-misaligned', pfn };
  }],
  ['a zone free count off by one', (m) => {
    dma32(m).freePages++;
    return { what: 'free-count', zone: 'DMA32' };
  }],
  ['managed pages off by one', (m) => {
    dma32(m).zone.managedPages--;
    return { what: 'managed', zone: 'DMA32' };
  }],
  ['a pageblock with migratetype 7', (m) => {
    const pfn = dma32(m).zone.zoneStartPfn + 3 * PAGEBLOCK_NR_PAGES;
    setPfnblockFlagsMask(m.memmap!, pfn, 7, MIGRATETYPE_MASK);
    return { what: 'migratetype', pfn };
  }],
];

describe('checkMachine names each injected fault', () => {
  for (const [what, inject] of FAULTS) {
    it(what, () => {
      const m = pc1g();
      const want = inject(m);
      const vs = checkMachine(m);
      const hit = vs.find((v) => v.what === want.what && (want.pfn === undefined || v.pfn === want.pfn) && (want.zone === undefined || v.zone === want.zone));
      assert.ok(hit, `expected ${want.what}${want.pfn === undefined ? '' : ` at pfn 0x${want.pfn.toString(16)}`}, got:\n${show(vs)}`);
      if (want.pfn !== undefined) assert.match(hit.detail, new RegExp(`0x${want.pfn.toString(16)}\\b`));
    });
  }
});
