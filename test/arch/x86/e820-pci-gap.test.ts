// e820__setup_pci_gap(): the largest hole of 4 MiB or more below 4 GiB, searched from the top.
//
//   q35 2G:  ... 7ffe0000-80000000 | hole | b0000000-c0000000 | hole ........ | fed1c000 | fffc0000-4G
//                                   768M                        ~1 GiB: the winner
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { e820SearchGap, e820SetupPciGap, MIN_PCI_GAP } from '../../../src/arch/x86/e820-pci-gap.js';
import { E820Type, e820TableNew } from '../../../src/arch/x86/e820-types.js';
import { tailMachine } from './setup-arch-tail-fixture.js';

const { RAM, RESERVED } = E820Type;
const entry = (start: number, end: number, type: number = RESERVED) => ({ addr: start, size: end - start, type });

describe('e820__setup_pci_gap()', () => {
  it('q35 2G: [0xc0000000, 0xfed1c000)', () => {
    const table = [
      entry(0x100000, 0x7ffe0000, RAM), entry(0x7ffe0000, 0x80000000), entry(0xb0000000, 0xc0000000),
      entry(0xfed1c000, 0xfed20000), entry(0xfffc0000, 0x100000000), entry(0xfd00000000, 0x10000000000),
    ];
    assert.deepEqual(e820SearchGap(e820TableNew(table), MIN_PCI_GAP), { start: 0xc0000000, size: 0xfed1c000 - 0xc0000000 });
    const { m, trace } = tailMachine({ table });
    assert.equal(e820SetupPciGap(m), 0xc0000000);
    assert.deepEqual(trace, ['[mem 0xc0000000-0xfed1bfff] available for PCI devices']);
  });

  it('equal gaps: the lower one wins (found last, and >= replaces)', () => {
    const table = e820TableNew([entry(0, 0x1000000, RAM), entry(0x2000000, 0x3000000), entry(0x4000000, 0x100000000)]);
    assert.deepEqual(e820SearchGap(table, MIN_PCI_GAP), { start: 0x1000000, size: 0x1000000 });
  });

  it('nothing free below 4 GiB: two errors, and 1 MiB above max_pfn', () => {
    const table = [entry(0, 0x100000000, RAM)];
    const { m, trace } = tailMachine({ table, maxPfn: 0x100000 });
    assert.equal(e820SetupPciGap(m), 0x100100000);
    assert.deepEqual(trace, [
      'Cannot find an available gap in the 32-bit address range',
      'PCI devices with unassigned 32-bit BARs may not work!',
      '[mem 0x100100000-0x1004fffff] available for PCI devices',
    ]);
  });
});
