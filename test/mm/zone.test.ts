// Zone sizing, ZONE_MOVABLE placement, the deferred-init split and unavailable ranges, on small
// hand-built memblock layouts whose expected numbers are worked out in the comments.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Printk } from '../../src/kernel/printk.js';
import { memblockAdd, memblockCreate, memblockSetNode, type Memblock } from '../../src/mm/memblock.js';
import { memmapInit } from '../../src/mm/mm-init.js';
import { calcMemmapSize, freeAreaInit, x86MaxZonePfns } from '../../src/mm/zone.js';
import { noCoreParams, type CoreParams } from '../../src/mm/zone-movable.js';

const G = 1024 ** 3;
const P = 4096;

/** Memory per node: [[nid, startAddr, endAddr], …]. */
function layout(ranges: [number, number, number][]): Memblock {
  const mb = memblockCreate();
  for (const [nid, s, e] of ranges) {
    memblockAdd(mb, s, e - s);
    memblockSetNode(mb, s, e - s, mb.memory, nid);
  }
  return mb;
}

function size(mb: Memblock, maxPfn: number, nodes: number[], core: CoreParams = noCoreParams, dmaReserve = 0) {
  const printk = new Printk();
  const lay = freeAreaInit({
    mb, maxZonePfn: x86MaxZonePfns(maxPfn), possible: nodes, online: new Set(nodes), core, dmaReserve, printk,
  });
  const mm = memmapInit(mb, lay, printk);
  return { lay, mm, text: printk.lines.map((l) => l.text) };
}

describe('calc_memmap_size', () => {
  const cases: [number, number, number][] = [
    // spanned, present → pages of struct page (64 bytes each, rounded up to pages)
    [4095, 3998, 64], // no big hole: 4095 × 64 B = 63.98 pages → 64
    [1044480, 520160, 8128], // hole > present/16: present counts, 520160 × 64 B = 8127.5 → 8128
    [0, 0, 0],
    [1024, 1024, 16],
  ];
  for (const [spanned, present, want] of cases) {
    it(`spanned ${spanned}, present ${present} → ${want}`, () => assert.equal(calcMemmapSize(spanned, present), want));
  }
});

describe('free_area_init on one node', () => {
  //  pfn 0x0   0x100                                   0x40000 (1 GiB)
  //      |hole|================ node 0 =================|
  //           |DMA 0x100-0x1000|DMA32 0x1000-0x40000 ...
  const mb = layout([[0, 0x100 * P, 1 * G]]);
  const { lay, mm, text } = size(mb, 0x40000, [0]);
  const pg = lay.nodes.get(0)!;

  it('prints the zone ranges the kernel prints', () => {
    assert.deepEqual(text.slice(0, 5), [
      'Zone ranges:',
      '  DMA      [mem 0x0000000000100000-0x0000000000ffffff]',
      '  DMA32    [mem 0x0000000001000000-0x000000003fffffff]',
      '  Normal   empty',
      '  Device   empty',
    ]);
    assert.ok(text.includes('Initmem setup node 0 [mem 0x0000000000100000-0x000000003fffffff]'));
  });

  it('sizes DMA and DMA32', () => {
    assert.deepEqual(pg.zones.slice(0, 3).map((z) => [z.zoneStartPfn, z.spannedPages, z.presentPages]), [
      [0x100, 0x1000 - 0x100, 0x1000 - 0x100],
      [0x1000, 0x40000 - 0x1000, 0x40000 - 0x1000],
      [0, 0, 0],
    ]);
  });

  it('defers the last zone one section after its first 32768 pages', () => {
    // DMA32 starts at 0x1000; its 32769th page is pfn 0x9000; the next section boundary is 0x10000.
    assert.equal(pg.firstDeferredPfn, 0x10000);
    assert.equal(mm.earlyInitPages.get(0), 0xf00 + (0x10000 - 0x1000));
    assert.equal(mm.deferredPages.get(0), 0x40000 - 0x10000);
  });

  it('reports the leading hole against the zone of the first range', () => {
    // pfns 0-0xff lie before the node but in present section 0: initialised as reserved.
    assert.deepEqual(text.filter((l) => l.includes('unavailable')), ['On node 0, zone DMA: 256 pages in unavailable ranges']);
  });
});

describe('unavailable ranges', () => {
  //  pfn 1   0x9f    0x100              0x7ffe0   0x80000 (section end)
  //   |=====| hole  |=====================|  tail |
  const mb = layout([[0, P, 0x9f * P], [0, 0x100 * P, 0x7ffe0 * P]]);
  const { text } = size(mb, 0x7ffe0, [0]);

  it('counts each hole inside present sections, and the tail of the last section', () => {
    assert.deepEqual(text.filter((l) => l.includes('unavailable')), [
      'On node 0, zone DMA: 1 pages in unavailable ranges', // pfn 0
      'On node 0, zone DMA: 97 pages in unavailable ranges', // pfns 0x9f-0xff
      'On node 0, zone DMA32: 32 pages in unavailable ranges', // pfns 0x7ffe0-0x7ffff
    ]);
  });

  it('skips pageblocks of sections without memory', () => {
    // Node 0 up to 512 MiB, node 1 from 1 GiB: sections 4-7 hold nothing, so the hole
    // between the nodes counts nothing.
    const two = layout([[0, 0, 512 * 1024 * 1024], [1, G, 2 * G]]);
    const r = size(two, 0x80000, [0, 1]);
    assert.ok(!r.text.some((l) => l.includes('unavailable')), r.text.join('\n'));
  });
});

describe('ZONE_MOVABLE', () => {
  // One node with 4 GiB at [4 GiB, 8 GiB) plus 1 GiB low: totalpages = 5 GiB of pages.
  const mb = () => layout([[0, 0, G], [0, 4 * G, 8 * G]]);
  const total = (5 * G) / P;

  it('movablecore= takes the top of the node, MAX_ORDER aligned', () => {
    const core = { ...noCoreParams, requiredMovablecore: (G + 3 * P) / P }; // 1 GiB + 3 pages, rounded up to 1024 pages
    const { lay, text } = size(mb(), (8 * G) / P, [0], core);
    // kernelcore = total - 263168 pages: 1 GiB below 4 GiB (DMA/DMA32 count as kernel), the rest from 4 GiB up.
    const kernelcore = total - 263168;
    const want = (4 * G) / P + (kernelcore - G / P);
    const aligned = Math.ceil(want / 1024) * 1024;
    assert.equal(lay.zoneMovablePfn.get(0), aligned);
    assert.ok(text.includes(`  Node 0: 0x${(aligned * P).toString(16).padStart(16, '0')}`));
    const movable = lay.nodes.get(0)!.zones[3]!;
    assert.equal(movable.zoneStartPfn, aligned);
    assert.equal(movable.spannedPages, (8 * G) / P - aligned);
    assert.equal(lay.nodes.get(0)!.zones[2]!.spannedPages, aligned - (4 * G) / P);
  });

  it('kernelcore=N% keeps that share out of ZONE_MOVABLE', () => {
    const core = { ...noCoreParams, requiredKernelcorePercent: 50 };
    const { lay } = size(mb(), (8 * G) / P, [0], core);
    // 50% of 5 GiB = 2.5 GiB of kernelcore: 1 GiB low + 1.5 GiB from 4 GiB.
    assert.equal(lay.zoneMovablePfn.get(0), (4 * G + 1.5 * G) / P);
  });

  it('no ZONE_MOVABLE when kernelcore covers everything', () => {
    const core = { ...noCoreParams, requiredKernelcore: total };
    const { lay, text } = size(mb(), (8 * G) / P, [0], core);
    assert.equal(lay.zoneMovablePfn.size, 0);
    assert.ok(!text.some((l) => l.startsWith('  Node ')));
  });
});
