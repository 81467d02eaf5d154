// The software IO TLB at boot: swiotlb= parsing, area and slab sizing, the memblock requests
// and the halving retry; then x86's decision to set it up at all (pci_swiotlb_detect()).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { maxPossiblePfn, pciIommuAlloc, pciSwiotlbDetect } from '../../../src/arch/x86/pci-dma.js';
import type { Srat } from '../../../src/arch/x86/firmware.js';
import { parseArgs } from '../../../src/kernel/cmdline.js';
import {
  limitNareas, roundUpDefaultNslabs, swiotlbDefaults, swiotlbInitRemap, type SwiotlbDefaults,
} from '../../../src/kernel/dma/swiotlb.js';
import { parseKernelParams } from '../../../src/kernel/params.js';
import { memblockAddNode } from '../../../src/mm/memblock.js';
import { GiB, MiB, requests, tinyMachine } from '../start-kernel-fixture.js';

const defaults = (cmdline: string) => swiotlbDefaults(parseArgs(cmdline).args);

describe('swiotlb sizing helpers', () => {
  const d = (nslabs: number, nareas: number): SwiotlbDefaults => ({ nslabs, nareas, forceBounce: false, forceDisable: false });
  const rounds: [number, number, number][] = [[32768, 2, 32768], [1000, 4, 1024], [128, 4, 512], [32768, 0, 32768]];
  for (const [nslabs, nareas, want] of rounds) {
    it(`round_up_default_nslabs(${nslabs} slabs, ${nareas} areas) → ${want}`, () => {
      const x = d(nslabs, nareas);
      roundUpDefaultNslabs(x);
      assert.equal(x.nslabs, want);
    });
  }
  const limits: [number, number, number][] = [[2, 32768, 2], [2, 128, 1], [8, 512, 4]];
  for (const [nareas, nslots, want] of limits) it(`limit_nareas(${nareas}, ${nslots}) = ${want}`, () => assert.equal(limitNareas(nareas, nslots), want));
});

describe('swiotlb=', () => {
  const cases: [string, Partial<SwiotlbDefaults>][] = [
    ['', { nslabs: 32768, nareas: 0 }],
    // whole segments of 128 slabs, areas a power of two (and then slabs too)
    ['swiotlb=1000', { nslabs: 1024 }],
    ['swiotlb=1000,3', { nslabs: 1024, nareas: 4 }],
    ['swiotlb=65536,force', { nslabs: 65536, forceBounce: true }],
    ['swiotlb=noforce', { forceDisable: true }],
    ['swiotlb=,,force', { nslabs: 32768, forceBounce: true }],
  ];
  for (const [cmdline, want] of cases) {
    it(cmdline || '(none)', () => {
      const got = defaults(cmdline);
      for (const [k, v] of Object.entries(want)) assert.equal(got[k as keyof SwiotlbDefaults], v, k);
    });
  }
});

describe('swiotlb_init_remap', () => {
  it('pc-4g: area num 2, 64 MiB below 4 GiB, 768 KiB of slots, 32 bytes of areas', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 3 * GiB], [4 * GiB, 5 * GiB]] });
    const mem = swiotlbInitRemap(m, true, 0, defaults(''), 2)!;
    assert.deepEqual(trace.filter((t) => !t.startsWith('memblock_reserve')), [
      'software IO TLB: area num 2.',
      'memblock_alloc_try_nid: 67108864 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x00000000ffffffff swiotlb_init_remap',
      'memblock_alloc_try_nid: 786432 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 swiotlb_init_remap',
      'memblock_alloc_try_nid: 32 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 swiotlb_init_remap',
    ]);
    assert.equal(mem.start, 3 * GiB - 64 * MiB);
  });

  it('3 possible CPUs: area num 4', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 3 * GiB]] });
    swiotlbInitRemap(m, true, 0, defaults(''), 3);
    assert.equal(trace[0], 'software IO TLB: area num 4.');
    assert.equal(requests(trace).at(-1), '64 0x40 swiotlb_init_remap');
  });

  it('no room for 64 MiB below 4 GiB: 32 MiB, and the slots follow the new size', () => {
    // two 40 MiB regions: memblock never hands out a range across regions
    const { m, trace } = tinyMachine({ ram: [[MiB, 41 * MiB]] });
    memblockAddNode(m.memblock!, 41 * MiB, 40 * MiB, 1, 0); // a second node: never merged with the first
    swiotlbInitRemap(m, true, 0, defaults(''), 2);
    assert.deepEqual(trace.filter((t) => !t.startsWith('memblock_')), [
      'software IO TLB: area num 2.',
      'software IO TLB: swiotlb_memblock_alloc: Failed to allocate 67108864 bytes tlb structure',
      'software IO TLB: SWIOTLB bounce buffer size adjusted 32768 -> 16384 slabs',
    ]);
    assert.deepEqual(requests(trace), [
      '67108864 0x1000 max=ffffffff swiotlb_init_remap', '33554432 0x1000 max=ffffffff swiotlb_init_remap',
      '393216 0x1000 swiotlb_init_remap', '32 0x40 swiotlb_init_remap',
    ]);
  });

  it('gives up below 1 MiB', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, MiB + 512 * 1024]] });
    assert.equal(swiotlbInitRemap(m, true, 0, defaults(''), 2), undefined);
    assert.deepEqual(requests(trace).map((r) => r.split(' ')[0]), ['67108864', '33554432', '16777216', '8388608', '4194304', '2097152', '1048576']);
  });

  it('not needed, or swiotlb=noforce: nothing at all; swiotlb=force: set up anyway', () => {
    for (const [need, cmdline, n] of [[false, '', 0], [true, 'swiotlb=noforce', 0], [false, 'swiotlb=force', 4]] as const) {
      const { m, trace } = tinyMachine({ ram: [[MiB, 3 * GiB]] });
      swiotlbInitRemap(m, need, 0, defaults(cmdline), 2);
      assert.equal(trace.filter((t) => !t.startsWith('memblock_reserve')).length, n, cmdline);
    }
  });
});

describe('pci_swiotlb_detect', () => {
  const srat: Srat = {
    memory: [
      { nid: 0, pxm: 0, start: 0, end: 2 * GiB, hotplug: false, nonVolatile: false },
      { nid: 0, pxm: 0, start: 4 * GiB, end: 14 * GiB, hotplug: true, nonVolatile: false },
    ],
    cpus: [],
  };
  const machine = (ram: number, cmdline: string, withSrat: boolean) => {
    const { m } = tinyMachine({ ram: [[MiB, ram]], cmdline });
    if (withSrat) m.firmware = { ...m.firmware, srat };
    m.params = parseKernelParams(cmdline);
    return m;
  };
  const cases: [string, number, string, boolean, boolean][] = [
    ['2 GiB', 2 * GiB, '', false, false],
    ['5 GiB', 5 * GiB, '', false, true],
    // pc-2g-dimm-*: a hotplug window in the SRAT raises max_possible_pfn
    ['2 GiB + hotplug window', 2 * GiB, '', true, true],
    ['… with numa=off (SRAT not parsed)', 2 * GiB, 'numa=off', true, false],
    ['… with numa=noacpi', 2 * GiB, 'numa=noacpi', true, false],
    ['5 GiB, iommu=off', 5 * GiB, 'iommu=off', false, false],
    ['2 GiB, iommu=soft', 2 * GiB, 'iommu=soft', false, true],
    ['2 GiB, iommu=usedac,soft (usedac ends the parse)', 2 * GiB, 'iommu=usedac,soft', false, false],
  ];
  for (const [name, ram, cmdline, withSrat, want] of cases) {
    it(name, () => assert.equal(pciSwiotlbDetect(machine(ram, cmdline, withSrat)), want));
  }

  it('max_possible_pfn: PFN_UP of each SRAT end - 1', () => {
    assert.equal(maxPossiblePfn(machine(2 * GiB, '', true)), (14 * GiB) / 4096);
  });

  it('pci_iommu_alloc on a 2 GiB machine allocates nothing', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 2 * GiB]] });
    assert.equal(pciIommuAlloc(m), undefined);
    assert.deepEqual(trace, []);
  });
});
