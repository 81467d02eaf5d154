// The 6.1 buddy allocator, freeing side: __find_buddy_pfn, __free_one_page's merging (each case
// drawn over the pfns it touches), head-or-tail placement, the list links as real addresses,
// __free_pages and split_page.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MigrateType, ZoneType } from '../../src/include/mmzone.js';
import { LIST_POISON1_LO, LIST_POISON2_LO, POISON_POINTER_DELTA_HI } from '../../src/include/poison.js';
import { checkFreeAreas } from '../../src/mm/free-area-check.js';
import { FREE_LIST_HEAD_HI, freeListHeadHex, freeListPfns, headWord } from '../../src/mm/free-area.js';
import { findBuddyPfn, freePages, splitPage } from '../../src/mm/page-alloc.js';
import { allocPages } from '../../src/mm/page-alloc-rmqueue.js';
import { buddyOrder, pageBuddy, pagePrivate, pageRefcount, PageWord, pageWord, vmemmapHi, vmemmapLo } from '../../src/mm/page.js';
import { Fpi } from '../../src/mm/page-free-core.js';
import { setPageblockMigratetype } from '../../src/mm/pageblock.js';
import { sectionMemmap } from '../../src/mm/sparse.js';
import { buddyMachine, dmaMachine, freeBlocks, giveBack, M, zoneOf } from './page-alloc-fixture.js';

const MOV = MigrateType.MOVABLE;

describe('__find_buddy_pfn: flip bit `order`', () => {
  const cases: [number, number, number][] = [
    [8, 1, 10], [10, 1, 8], [5, 0, 4], [4, 0, 5], [0x400, 10, 0], [0, 10, 0x400], [0x3ff, 0, 0x3fe],
    [0x1200, 9, 0x1000], [2 ** 33 + 2, 1, 2 ** 33], [2 ** 33 + 0x400, 10, 2 ** 33],
  ];
  for (const [pfn, order, want] of cases) it(`order-${order} buddy of 0x${pfn.toString(16)} is 0x${want.toString(16)}`, () => assert.equal(findBuddyPfn(pfn, order), want));
});

describe('__free_one_page merging', () => {
  it('two order-0 buddies merge to order 1', () => {
    //  0x100 0x101           0x100 0x101
    //  | A  |  B  |    →     |  order 1  |
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x101, 0);
    giveBack(b, 0x100, 0);
    assert.deepEqual(freeBlocks(b, dma), [[0x100, 1, MOV]]);
    assert.deepEqual([dma.nrFree[0], dma.nrFree[1], dma.freePages], [0, 1, 2]);
    const mm = sectionMemmap(b.memmap, 0x100);
    const w = pageWord(0x101);
    assert.ok(!pageBuddy(mm, w), 'the absorbed buddy is no longer PageBuddy');
    assert.equal(pagePrivate(mm, w), 0);
    assert.deepEqual([...mm.subarray(w + PageWord.LRU_NEXT, w + PageWord.LRU_NEXT + 4)],
      [LIST_POISON1_LO, POISON_POINTER_DELTA_HI, LIST_POISON2_LO, POISON_POINTER_DELTA_HI], 'list_del() poisons its links');
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('a non-buddy neighbour stops merging, and the cascade goes on once it is free', () => {
    //  0x100 0x101 0x102 0x103
    //  | o0 | used | used | o0 |   0x103's buddy 0x102 is in use: two order-0 blocks
    //  | o0 | used |   order 1  |   0x102 frees: merges with 0x103; its order-1 buddy 0x100 is order 0, stop
    //  |          order 2       |   0x101 frees: 0x100/1, then with 0x102/1 → 0x100/2
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x100, 0);
    giveBack(b, 0x103, 0);
    assert.deepEqual(freeBlocks(b, dma), [[0x100, 0, MOV], [0x103, 0, MOV]]);
    giveBack(b, 0x102, 0);
    assert.deepEqual(freeBlocks(b, dma), [[0x100, 0, MOV], [0x102, 1, MOV]]);
    giveBack(b, 0x101, 0);
    assert.deepEqual(freeBlocks(b, dma), [[0x100, 2, MOV]]);
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('merging across a zone boundary is refused (node 0 ends at pfn 0x2101)', () => {
    //          node 0 DMA32 ┆ node 1 DMA32
    //  0x2100 |     o0      ┆     o0      | 0x2101   buddies by pfn, different zones: no merge
    const { b } = buddyMachine([[0, 0, 0x2101000], [1, 0x2101000, 64 * M]]);
    giveBack(b, 0x2100, 0);
    giveBack(b, 0x2101, 0);
    assert.deepEqual(freeBlocks(b, zoneOf(b, 0, ZoneType.DMA32)), [[0x2100, 0, MOV]]);
    assert.deepEqual(freeBlocks(b, zoneOf(b, 1, ZoneType.DMA32)), [[0x2101, 0, MOV]]);
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('merging stops at MAX_ORDER - 1', () => {
    //  0x000              0x400              0x800
    //  |     order 10     |     order 10     |      two buddies of order 10 stay apart
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0, 10);
    giveBack(b, 0x400, 10);
    assert.deepEqual(freeBlocks(b, dma), [[0, 10, MOV], [0x400, 10, MOV]]);
    assert.equal(dma.nrFree[10], 2);
  });

  it('from pageblock_order up, only mergeable pageblock types merge', () => {
    //  0x000       0x200       0x400       0x600
    //  | Movable/9 | HighAtomic/9 |             a HighAtomic buddy does not merge
    //                          | Unmovable/9 | Movable/9 |   per-cpu types do: one order-10 block
    const { b, memmap } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x200, 9, { mt: MigrateType.HIGHATOMIC });
    giveBack(b, 0, 9);
    giveBack(b, 0x400, 9, { mt: MigrateType.UNMOVABLE });
    giveBack(b, 0x600, 9);
    assert.deepEqual(freeBlocks(b, dma), [[0, 9, MOV], [0x200, 9, MigrateType.HIGHATOMIC], [0x400, 10, MOV]]);
    setPageblockMigratetype(memmap, 0x400, MOV);
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('frees with an Isolate migratetype are not counted in NR_FREE_PAGES', () => {
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x600, 9, { mt: MigrateType.ISOLATE });
    assert.deepEqual([dma.freePages, dma.nrFree[9]], [0, 1]);
  });
});

describe('head or tail: FPI_TO_TAIL, else buddy_merge_likely()', () => {
  it('a block whose order+1 neighbour is free waits at the tail; others go to the head', () => {
    //  0x100 0x101 0x102 0x103 0x104 0x105 0x106 0x107 0x108 0x109 0x10a 0x10b
    //  | o0 | used      used  | o0 | used |  order 1   | o0 | used      used  |
    //  0x104's pair 0x104-0x105 has a free order-1 buddy (0x106): tail. 0x100 and 0x108: head.
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x100, 0);
    giveBack(b, 0x106, 1);
    giveBack(b, 0x104, 0);
    giveBack(b, 0x108, 0);
    assert.deepEqual(freeListPfns(b, dma, 0, MOV), [0x108, 0x100, 0x104]);
    giveBack(b, 0x10a, 0, { fpi: Fpi.TO_TAIL });
    assert.deepEqual(freeListPfns(b, dma, 0, MOV), [0x108, 0x100, 0x104, 0x10a]);
  });

  it('links are vmemmap addresses of &page->lru and the list head address; prev mirrors next', () => {
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x100, 0);
    giveBack(b, 0x108, 0);
    // list: head ⇄ 0x108 ⇄ 0x100 ⇄ head; head of DMA order 0 Movable is 0xffffffff00000010
    assert.equal(freeListHeadHex(0, 0, MOV), '0xffffffff00000010');
    assert.equal(freeListHeadHex(1, 2, MOV), '0xffffffff000004c0');
    const lru = (pfn: number): [number, number] => [vmemmapLo(pfn) + 8, vmemmapHi(pfn)];
    const head: [number, number] = [0x10, FREE_LIST_HEAD_HI];
    const mm = sectionMemmap(b.memmap, 0x100);
    const links = (pfn: number): number[] => [...mm.subarray(pageWord(pfn) + PageWord.LRU_NEXT, pageWord(pfn) + PageWord.LRU_NEXT + 4)];
    const h = headWord(0, MOV);
    assert.deepEqual([...dma.heads.subarray(h, h + 4)], [...lru(0x108), ...lru(0x100)]);
    assert.deepEqual(links(0x108), [...lru(0x100), ...head]);
    assert.deepEqual(links(0x100), [...head, ...lru(0x108)]);
    assert.deepEqual(lru(0x100), [0x4008, 0xffffea00], 'pfn 0x100: 0xffffea0000004000 + 8');
  });
});

describe('__free_pages and split_page', () => {
  it('an allocated block freed whole merges back', () => {
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x100, 3);
    const pfn = allocPages(b, 2, MOV, 0, ZoneType.NORMAL);
    assert.equal(pfn, 0x100);
    assert.deepEqual([dma.freePages, dma.allocatedPages, dma.zone.managedPages], [4, 4, 8]);
    freePages(b, pfn, 2);
    assert.deepEqual(freeBlocks(b, dma), [[0x100, 3, MOV]]);
    assert.deepEqual([dma.freePages, dma.allocatedPages], [8, 0]);
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('split_page gives every page a reference; freed one by one they merge again', () => {
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x100, 2);
    const pfn = allocPages(b, 2, MOV, 0, ZoneType.NORMAL);
    splitPage(b, pfn, 2);
    const mm = sectionMemmap(b.memmap, pfn);
    assert.deepEqual([0, 1, 2, 3].map((i) => pageRefcount(mm, pageWord(pfn + i))), [1, 1, 1, 1]);
    assert.throws(() => freePages(b, pfn, 2), /Bad page state: pfn 0x101 freed with refcount 1/);
    setPageCountsBack(b, pfn);
    for (const p of [0x103, 0x100, 0x102, 0x101]) freePages(b, p, 0);
    assert.deepEqual(freeBlocks(b, dma), [[0x100, 2, MOV]]);
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('freeing a page nobody holds throws, naming it', () => {
    const { b } = dmaMachine();
    giveBack(b, 0x100, 0);
    assert.throws(() => freePages(b, 0x100, 0), /__free_pages: pfn 0x100 has refcount 0: not allocated/);
  });

  it('with another reference on the head, __free_pages frees the other halves now', () => {
    //  0x100 0x101 0x102 0x103: head kept (refcount 2 → 1); 0x102/1 and 0x101/0 go back
    const { b } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x100, 2);
    const pfn = allocPages(b, 2, MOV, 0, ZoneType.NORMAL);
    const mm = sectionMemmap(b.memmap, pfn);
    mm[pageWord(pfn) + PageWord.REFCOUNT] = 2;
    freePages(b, pfn, 2);
    assert.deepEqual(freeBlocks(b, dma), [[0x101, 0, MOV], [0x102, 1, MOV]]);
    assert.equal(dma.allocatedPages, 1);
    freePages(b, pfn, 0);
    assert.deepEqual(freeBlocks(b, dma), [[0x100, 2, MOV]]);
    assert.equal(buddyOrder(mm, pageWord(0x100)), 2);
  });
});

/** The split pages freed after a refused whole free still hold their references. */
function setPageCountsBack(b: ReturnType<typeof dmaMachine>['b'], pfn: number): void {
  const mm = sectionMemmap(b.memmap, pfn);
  assert.equal(pageRefcount(mm, pageWord(pfn)), 0, 'the refused __free_pages dropped the head reference');
  mm[pageWord(pfn) + PageWord.REFCOUNT] = 1;
}
