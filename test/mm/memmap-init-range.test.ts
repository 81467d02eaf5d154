// memmap_init_range(), the one memmap init core: early context (defer_init's split, the
// mirror overlap skip), hotplug context (reserved pages), ZONE_DEVICE's altmap, and
// init_unavailable_range(); each against struct pages and pageblock bits.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MigrateType, ZoneType } from '../../src/include/mmzone.js';
import { Printk } from '../../src/kernel/printk.js';
import { memblockAdd, memblockCreate, memblockMarkMirror, memblockSetNode, type Memblock } from '../../src/mm/memblock.js';
import {
  earlyInitState, initUnavailableRange, memmapInitRange, type MemmapInitContext,
} from '../../src/mm/memmap-init-range.js';
import { presentSections } from '../../src/mm/mm-init.js';
import { pagePoisoned, pageRefcount, pageReserved, pageToNid, pageWord, pageZonenum } from '../../src/mm/page.js';
import { getPageblockMigratetype } from '../../src/mm/pageblock.js';
import { sectionMemmap, sparseInit } from '../../src/mm/sparse.js';
import { freeAreaInit, x86MaxZonePfns } from '../../src/mm/zone.js';
import { noCoreParams } from '../../src/mm/zone-movable.js';

const M = 1024 ** 2;

/** A machine sized but not initialised: [nid, start, end) memory; the memmap poisoned. */
function machine(memory: [number, number, number][], plan = false, mirror?: (mb: Memblock) => void): MemmapInitContext {
  const mb = memblockCreate({ mirroredKernelcore: !!mirror });
  for (const [nid, s, e] of memory) {
    memblockAdd(mb, s, e - s);
    memblockSetNode(mb, s, e - s, mb.memory, nid);
  }
  mirror?.(mb);
  const nodes = [...new Set(memory.map((r) => r[0]))];
  const zones = freeAreaInit({
    mb, maxZonePfn: x86MaxZonePfns(Math.max(...memory.map((r) => r[2])) / 4096), possible: nodes, online: new Set(nodes),
    core: noCoreParams, dmaReserve: 0, printk: new Printk(),
  });
  for (const pg of zones.nodes.values()) pg.firstDeferredPfn = Infinity;
  return {
    mb, zones, memmap: plan ? undefined : sparseInit(mb, { trackInit: true }), presentSections: presentSections(mb),
    groupByMobilityDisabled: false, early: earlyInitState(),
  };
}

const page = (c: MemmapInitContext, pfn: number): [Uint32Array, number] => [sectionMemmap(c.memmap!, pfn), pageWord(pfn)];
const initCount = (c: MemmapInitContext, pfn: number): number => c.memmap!.sections[pfn >> 15]!.initCount![pfn & 0x7fff]!;

describe('memmap_init_range, early context', () => {
  //  pfn 0x100        0x1000                     0x9000   0x10000                    0x20000
  //      |    DMA     |  DMA32: one section counted  ...  ‖ deferred ...               | node end
  //                                     first pfn past 32768 ┘ └ next section boundary: first_deferred_pfn
  const c = machine([[0, M, 512 * M]]);
  const pg = c.zones.nodes.get(0)!;

  it('initialises a low zone in full (it ends below the node end)', () => {
    assert.equal(memmapInitRange(c, 0x1000 - 0x100, 0, ZoneType.DMA, 0x100, 0x1000, 'early', undefined, MigrateType.MOVABLE), 0x1000);
    assert.equal(pg.firstDeferredPfn, Infinity);
    const [mm, w] = page(c, 0xfff);
    assert.equal(pageZonenum(mm, w), ZoneType.DMA);
    assert.equal(pageRefcount(mm, w), 1);
    assert.ok(!pageReserved(mm, w));
  });

  it('defers the node\'s last zone from the first section boundary past one section of pages', () => {
    assert.equal(memmapInitRange(c, 0x20000 - 0x1000, 0, ZoneType.DMA32, 0x1000, 0x20000, 'early', undefined, MigrateType.MOVABLE), 0x10000);
    assert.equal(pg.firstDeferredPfn, 0x10000);
    assert.equal(initCount(c, 0xffff), 1);
    assert.equal(initCount(c, 0x10000), 0);
    assert.ok(pagePoisoned(...page(c, 0x10000)));
  });

  it('sets Movable at every pageblock start it initialised, and only there', () => {
    assert.equal(getPageblockMigratetype(c.memmap!, 0x200), MigrateType.MOVABLE);
    assert.equal(getPageblockMigratetype(c.memmap!, 0xfe00), MigrateType.MOVABLE);
    assert.equal(getPageblockMigratetype(c.memmap!, 0), MigrateType.UNMOVABLE, 'pfn 0 was not initialised: pageblock 0 keeps 0');
    assert.equal(getPageblockMigratetype(c.memmap!, 0x10000), MigrateType.UNMOVABLE);
  });

  it('once deferred, a later range of the node defers at once', () => {
    assert.equal(memmapInitRange(c, 0x100, 0, ZoneType.DMA32, 0x18000, 0x20000, 'early', undefined, MigrateType.MOVABLE), 0x18000);
  });

  it('counts one zone across calls: ranges [0x1000,0x5000) and [0x6000,…) split at 0x10000', () => {
    const d = machine([[0, M, 0x5000000], [0, 0x6000000, 512 * M]]);
    memmapInitRange(d, 0x4000, 0, ZoneType.DMA32, 0x1000, 0x20000, 'early', undefined, MigrateType.MOVABLE);
    assert.equal(memmapInitRange(d, 0x1a000, 0, ZoneType.DMA32, 0x6000, 0x20000, 'early', undefined, MigrateType.MOVABLE), 0x10000);
    // 0x4000 counted in the first call; the second passes 0x8000 at 0xa000, then rounds up.
    assert.equal(d.early.nrInitialised, 0x4000 + (0x10000 - 0x6000) + 1);
  });

  it('plans without a memmap: the same split, nothing written', () => {
    const d = machine([[0, M, 512 * M]], true);
    assert.equal(memmapInitRange(d, 0x1f000, 0, ZoneType.DMA32, 0x1000, 0x20000, 'early', undefined, MigrateType.MOVABLE), 0x10000);
    assert.equal(d.zones.nodes.get(0)!.firstDeferredPfn, 0x10000);
  });

  it('kernelcore=mirror: ZONE_MOVABLE skips mirrored memory, which the kernel zones own', () => {
    //  0x20000        0x28000        0x30000 = node end
    //  |  mirror      |  plain: one section, counted from 0x28000, so nothing is deferred
    const c = machine([[0, M, 0x30000000]], false, (mb) => memblockMarkMirror(mb, 0x20000000, 0x8000000));
    assert.equal(memmapInitRange(c, 0x10000, 0, ZoneType.MOVABLE, 0x20000, 0x30000, 'early', undefined, MigrateType.MOVABLE), 0x30000);
    assert.equal(initCount(c, 0x27fff), 0, 'mirrored: skipped');
    assert.equal(initCount(c, 0x28000), 1, 'plain: initialised');
    assert.equal(pageZonenum(...page(c, 0x2ffff)), ZoneType.MOVABLE);
    assert.equal(c.early.nrInitialised, 0x8000, 'skipped pfns are not counted');
    const h = machine([[0, M, 0x30000000]], false, (mb) => memblockMarkMirror(mb, 0x20000000, 0x8000000));
    memmapInitRange(h, 0x10000, 0, ZoneType.MOVABLE, 0x20000, 0x30000, 'hotplug', undefined, MigrateType.MOVABLE);
    assert.equal(initCount(h, 0x20000), 1, 'hotplug has no overlap check');
  });
});

describe('memmap_init_range, hotplug context', () => {
  it('marks every page reserved, never defers, and sets the given migratetype', () => {
    const c = machine([[0, M, 512 * M], [1, 512 * M, 1024 * M]]);
    assert.equal(memmapInitRange(c, 0x10000, 1, ZoneType.MOVABLE, 0x20000, 0x40000, 'hotplug', undefined, MigrateType.ISOLATE), 0x30000);
    for (const pfn of [0x20000, 0x28001, 0x2ffff]) {
      const [mm, w] = page(c, pfn);
      assert.ok(pageReserved(mm, w));
      assert.equal(pageToNid(mm, w), 1);
      assert.equal(pageZonenum(mm, w), ZoneType.MOVABLE);
    }
    assert.equal(getPageblockMigratetype(c.memmap!, 0x2fe00), MigrateType.ISOLATE);
    assert.equal(c.zones.nodes.get(1)!.firstDeferredPfn, Infinity);
  });

  it('ZONE_DEVICE: nothing without an altmap; with one, only the pages after the driver\'s reserve that hold the memmap', () => {
    const c = machine([[0, M, 512 * M]]);
    assert.equal(memmapInitRange(c, 0x8000, 0, ZoneType.DEVICE, 0x8000, 0x10000, 'hotplug', undefined, MigrateType.MOVABLE), 0x8000);
    assert.equal(initCount(c, 0x8000), 0);
    memmapInitRange(c, 0x8000, 0, ZoneType.DEVICE, 0x8000, 0x10000, 'hotplug', { basePfn: 0x8000, reserve: 0x10, free: 0x200 }, MigrateType.MOVABLE);
    assert.deepEqual([0x800f, 0x8010, 0x820f, 0x8210].map((p) => initCount(c, p)), [0, 1, 1, 0]);
  });
});

describe('init_unavailable_range', () => {
  it('initialises holes in present sections as reserved, skipping pageblocks of absent sections', () => {
    //  0x9f     0x100   ...  0x8000 (section 1, absent) 0x10000
    //  | hole   |               |   no memmap             |
    const c = machine([[0, M, 128 * M], [0, 256 * M, 512 * M]]);
    assert.equal(initUnavailableRange(c, 0x9f, 0x100, ZoneType.DMA, 0), 0x100 - 0x9f);
    const [mm, w] = page(c, 0x9f);
    assert.ok(pageReserved(mm, w));
    assert.equal(pageZonenum(mm, w), ZoneType.DMA);
    assert.equal(initUnavailableRange(c, 0x7f00, 0x10100, ZoneType.DMA32, 0), 0x100 + 0x100);
    assert.equal(initCount(c, 0x10000), 1);
  });
});
