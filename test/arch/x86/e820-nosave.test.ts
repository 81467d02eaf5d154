// e820__register_nosave_regions(): the non-RAM gaps of e820_table up to max_pfn, in pages.
//
//   0      1000        9fc00  100000            7ffe0000 = max_pfn
//   |resvd | RAM ...... |hole | RAM ............ |
//   [0,1)               [9f,100)                 [7ffe0,7ffe0) empty: not registered
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { e820NosaveRanges, e820RegisterNosaveRegions } from '../../../src/arch/x86/e820-nosave.js';
import { E820Type, e820TableNew } from '../../../src/arch/x86/e820-types.js';
import { requests, tailMachine } from './setup-arch-tail-fixture.js';

const { RAM, RESERVED, RESERVED_KERN, NVS } = E820Type;
const Q35_2G = [
  { addr: 0, size: 0x1000, type: RESERVED },
  { addr: 0x1000, size: 0x9ec00, type: RAM },
  { addr: 0x9fc00, size: 0x400, type: RESERVED },
  { addr: 0x100000, size: 0x7fee0000, type: RAM },
  { addr: 0x7ffe0000, size: 0x20000, type: RESERVED },
];

describe('e820__register_nosave_regions()', () => {
  it('q35 2G: page 0 and the BIOS window; the empty tail is skipped', () => {
    assert.deepEqual(e820NosaveRanges(e820TableNew(Q35_2G), 0x7ffe0), [[0, 1], [0x9f, 0x100], [0x7ffe0, 0x7ffe0]]);
    const { m, trace } = tailMachine({ table: Q35_2G });
    e820RegisterNosaveRegions(m, 0x7ffe0);
    assert.deepEqual(trace.filter((t) => t.startsWith('PM:')), [
      'PM: hibernation: Registered nosave memory: [mem 0x00000000-0x00000fff]',
      'PM: hibernation: Registered nosave memory: [mem 0x0009f000-0x000fffff]',
    ]);
    assert.deepEqual(requests(trace), ['32 register_nosave_region', '32 register_nosave_region']);
  });

  it('kernel-reserved RAM counts as RAM; a tail below max_pfn is registered', () => {
    const table = e820TableNew([
      { addr: 0x1000, size: 0x1000, type: RAM },
      { addr: 0x2000, size: 0x1000, type: RESERVED_KERN },
      { addr: 0x3000, size: 0x1000, type: NVS },
      { addr: 0x4000, size: 0x1000, type: RAM },
    ]);
    assert.deepEqual(e820NosaveRanges(table, 0x10), [[0, 1], [3, 4], [5, 0x10]]);
  });

  it('a RAM entry ending mid-page: the gap is widened to whole pages on both sides', () => {
    const table = e820TableNew([
      { addr: 0, size: 0x1800, type: RAM },
      { addr: 0x2800, size: 0x800, type: RAM },
    ]);
    assert.deepEqual(e820NosaveRanges(table, 3), [[1, 3], [3, 3]]);
  });
});
