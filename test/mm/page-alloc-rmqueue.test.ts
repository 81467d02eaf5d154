// The 6.1 buddy allocator, allocation side: expand's split, the fallbacks[] order and stealing,
// zonelists (node order as build_zonelists() prints it), ALLOC_NOFRAGMENT, deferred growth.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MigrateType, ZoneType } from '../../src/include/mmzone.js';
import { checkFreeAreas } from '../../src/mm/free-area-check.js';
import { FALLBACKS } from '../../src/mm/page-alloc-fallback.js';
import { allocPages, rmqueue } from '../../src/mm/page-alloc-rmqueue.js';
import { getPageblockMigratetype } from '../../src/mm/pageblock.js';
import { buildNodeOrder, defaultNodeDistance } from '../../src/mm/zonelist.js';
import { buddyMachine, dmaMachine, freeBlocks, giveBack, M, zoneOf } from './page-alloc-fixture.js';

const { UNMOVABLE: U, MOVABLE: MOV, RECLAIMABLE: R, HIGHATOMIC: H } = MigrateType;
const NAMES = ['U', 'M', 'R', 'H', 'I'];

describe('expand: split to the requested order', () => {
  it('order 0 from an order-3 block leaves one block each of orders 2, 1, 0', () => {
    //  0x108                                         0x110
    //  |                   order 3                   |
    //  |a | o0 |  order 1  |        order 2          |     a = the allocated page
    const { b, memmap } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x108, 3);
    const pfn = allocPages(b, 0, MOV, 0, ZoneType.NORMAL);
    assert.equal(pfn, 0x108);
    assert.deepEqual(freeBlocks(b, dma), [[0x109, 0, MOV], [0x10a, 1, MOV], [0x10c, 2, MOV]]);
    assert.deepEqual([dma.freePages, dma.allocatedPages], [7, 1]);
    const mm = memmap.sections[0]!.memmap!;
    assert.equal(mm[0x108 * 16 + 8], MOV, 'set_pcppage_migratetype() leaves the type in page->index');
    assert.equal(mm[0x108 * 16 + 13], 1, 'refcount 1 after prep_new_page()');
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('__rmqueue_smallest takes the first block of the smallest order that has one', () => {
    const { b } = dmaMachine();
    giveBack(b, 0x100, 2);
    giveBack(b, 0x200, 1);
    giveBack(b, 0x300, 1);
    assert.equal(allocPages(b, 1, MOV, 0, ZoneType.NORMAL), 0x300, 'head of the order-1 list: the last freed');
    assert.equal(allocPages(b, 1, MOV, 0, ZoneType.NORMAL), 0x200);
    assert.equal(allocPages(b, 1, MOV, 0, ZoneType.NORMAL), 0x100, 'then the order-2 block is split');
    assert.equal(allocPages(b, 1, MOV, 0, ZoneType.NORMAL), 0x102);
    assert.equal(allocPages(b, 1, MOV, 0, ZoneType.NORMAL), -1);
    assert.equal(allocPages(b, 11, MOV, 0, ZoneType.NORMAL), -1, 'order ≥ MAX_ORDER');
  });
});

describe('__rmqueue_fallback: the 6.1 fallbacks[] table', () => {
  it('lists the fallbacks of each per-cpu type', () => {
    assert.deepEqual(FALLBACKS.map((row) => row.slice(0, 2).map((t) => NAMES[t])), [['R', 'M'], ['R', 'U'], ['U', 'M']]);
  });

  // Order-9 blocks of the listed types in pageblocks 1..3; the request takes the first fallback.
  const cases: [number, number[], number][] = [
    [U, [MOV, R], R], [U, [MOV], MOV],
    [MOV, [U, R], R], [MOV, [U], U],
    [R, [MOV, U], U], [R, [MOV], MOV],
  ];
  for (const [want, avail, from] of cases) {
    it(`${NAMES[want]} request with ${avail.map((t) => NAMES[t]).join('+')} free falls back to ${NAMES[from]}`, () => {
      const { b, memmap } = dmaMachine();
      avail.forEach((mt, i) => giveBack(b, 0x200 * (i + 1), 9, { mt }));
      const pfn = allocPages(b, 0, want, 0, ZoneType.NORMAL);
      assert.equal(pfn, 0x200 * (avail.indexOf(from) + 1));
      assert.equal(getPageblockMigratetype(memmap, pfn), want, 'a whole pageblock changes type');
      assert.deepEqual(checkFreeAreas(b), []);
    });
  }

  it('HighAtomic and Isolate lists are nobody\'s fallback', () => {
    const { b } = dmaMachine();
    giveBack(b, 0x200, 9, { mt: H });
    giveBack(b, 0x600, 9, { mt: MigrateType.ISOLATE });
    for (const mt of [U, MOV, R]) assert.equal(allocPages(b, 0, mt, 0, ZoneType.NORMAL), -1);
  });

  it('a Movable request that may not steal the pageblock takes the smallest fallback block', () => {
    //  Unmovable pageblock 0x200: free 0x200/1 and 0x208/3. Largest fallback: order 3, under
    //  pageblock_order / 2, so no whole-block steal: the order-1 block moves to Movable instead.
    const { b, memmap } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x200, 1, { mt: U });
    giveBack(b, 0x208, 3, { mt: U });
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.NORMAL), 0x200);
    assert.deepEqual(freeBlocks(b, dma), [[0x201, 0, MOV], [0x208, 3, U]]);
    assert.equal(getPageblockMigratetype(memmap, 0x200), U);
  });

  it('an Unmovable request claims a Movable pageblock whose free pages it moves (steal_suitable_fallback)', () => {
    //  Movable pageblock 0x000: free 0x000/3 and 0x010/4. The Unmovable order-0 request finds the
    //  order-4 block, moves all 24 free pages of the pageblock; 24 free + 488 alike ≥ 256, so the
    //  pageblock becomes Unmovable. The retry then takes the smallest block: 0x000/3, not 0x010/4.
    const { b, memmap } = dmaMachine();
    const dma = zoneOf(b, 0, ZoneType.DMA);
    giveBack(b, 0x000, 3);
    giveBack(b, 0x010, 4);
    assert.equal(allocPages(b, 0, U, 0, ZoneType.NORMAL), 0x000);
    assert.equal(getPageblockMigratetype(memmap, 0), U);
    assert.deepEqual(freeBlocks(b, dma), [[1, 0, U], [2, 1, U], [4, 2, U], [0x10, 4, U]]);
    assert.deepEqual(checkFreeAreas(b), []);
  });

  it('a Movable request moves the free pages but keeps the pageblock type when too little is free or movable', () => {
    //  Unmovable pageblock 0x000: order 4 = pageblock_order / 2 may steal; 24 free + 0 movable < 256.
    const { b, memmap } = dmaMachine();
    giveBack(b, 0x000, 3, { mt: U });
    giveBack(b, 0x010, 4, { mt: U });
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.NORMAL), 0x000);
    assert.equal(getPageblockMigratetype(memmap, 0), U);
    assert.deepEqual(freeBlocks(b, zoneOf(b, 0, ZoneType.DMA)), [[1, 0, MOV], [2, 1, MOV], [4, 2, MOV], [0x10, 4, MOV]]);
  });
});

describe('zonelists and __alloc_pages', () => {
  // node 0: DMA [0x100, 0x1000), DMA32 [0x1000, 0x4000); node 1: DMA32 [0x4000, 0x8000)
  const twoNodes = (): ReturnType<typeof buddyMachine> => buddyMachine([[0, M, 64 * M], [1, 64 * M, 128 * M]]);

  it('local node first, zones from the highest populated one down', () => {
    const { b } = twoNodes();
    assert.deepEqual(b.nodeOrder.get(0), [0, 1]);
    assert.deepEqual(b.nodeOrder.get(1), [1, 0]);
    assert.deepEqual(b.zonelists.get(0)!.map((z) => `${z.nid}:${z.zone.name}`), ['0:DMA32', '0:DMA', '1:DMA32']);
    assert.deepEqual(b.zonelists.get(1)!.map((z) => `${z.nid}:${z.zone.name}`), ['1:DMA32', '0:DMA32', '0:DMA']);
  });

  it('walks the zonelist: local DMA32, local DMA, then the remote node; never above highest_zoneidx', () => {
    const { b } = twoNodes();
    giveBack(b, 0x800, 0);
    giveBack(b, 0x2000, 0);
    giveBack(b, 0x5000, 0);
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.DMA), 0x800, 'GFP_DMA: only ZONE_DMA');
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.DMA), -1);
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.NORMAL), 0x2000);
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.NORMAL), 0x5000, 'remote node last');
  });

  it('ALLOC_NOFRAGMENT: a Normal-preferring Movable page comes from DMA before a Normal Unmovable block is split', () => {
    // node 0: DMA [0x100, 0x1000), Normal [4 GiB, 4 GiB + 8 MiB); no watermarks, so no lowmem_reserve
    const { b } = buddyMachine([[0, M, 16 * M], [0, 4096 * M, 4104 * M]]);
    giveBack(b, 0x100000, 3, { mt: U });
    giveBack(b, 0x800, 0);
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.NORMAL), 0x800);
    assert.equal(allocPages(b, 0, MOV, 0, ZoneType.NORMAL), 0x100000, 'second pass: fragmenting fallback allowed');
  });

  it('asks deferred init to grow a zone that has nothing, then retries there', () => {
    const calls: string[] = [];
    const m = dmaMachine({
      deferredGrowZone: (nid, zid, order) => {
        calls.push(`${nid}/${zid}/${order}`);
        if (calls.length > 1) return false;
        giveBack(m.b, 0x400, 10);
        return true;
      },
    });
    assert.equal(allocPages(m.b, 2, MOV, 0, ZoneType.NORMAL), 0x400);
    assert.deepEqual(calls, ['0/0/2']);
    assert.equal(rmqueue(m.b, zoneOf(m.b, 0, 0), 10, MOV, 0), -1);
  });
});

describe('find_next_best_node: fallback order as real boots printed it', () => {
  const order = (n: number, dist: number[][], cpus = (_: number) => true): number[][] => {
    const r = { memoryNodes: [...Array(n).keys()], distance: (a: number, c: number) => dist[a]![c]!, hasCpus: cpus, nodeLoad: new Map() };
    return [...Array(n).keys()].map((nid) => buildNodeOrder(nid, r));
  };
  it('pc-8g-numa4 (SLIT 10/20/30): "1 0 3 2", node_load spreading the 30s', () => {
    const d = [[10, 20, 30, 30], [20, 10, 30, 30], [30, 30, 10, 20], [30, 30, 20, 10]];
    assert.deepEqual(order(4, d), [[0, 1, 2, 3], [1, 0, 3, 2], [2, 3, 0, 1], [3, 2, 1, 0]]);
  });
  it('no SLIT: nodes above the local one first ("Fallback order for Node 1: 1 2 0")', () => {
    const d = [0, 1, 2].map((a) => [0, 1, 2].map((c) => defaultNodeDistance(a, c)));
    assert.deepEqual(order(3, d), [[0, 1, 2], [1, 2, 0], [2, 0, 1]]);
  });
});
