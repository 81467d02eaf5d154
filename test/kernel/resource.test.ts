// System RAM as kernel/resource.c's walkers see it: e820 RAM and kernel-reserved RAM (setup_data)
// are both "System RAM", hot-added memory joins them, and nothing else does.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { E820Type } from '../../src/arch/x86/e820-types.js';
import type { Machine } from '../../src/kernel/machine.js';
import { regionIntersectsSystemRam, systemRamPages, systemRamResources } from '../../src/kernel/resource.js';

const M = 2 ** 20;
// [0, 640K) RAM, [640K, 1M) reserved, [1M, 8M) RAM, [8M, 8M + 4K) setup_data (RESERVED_KERN),
// [8M + 4K, 16M + 2K) RAM ending mid-page, then ACPI data; a DIMM hot-added at 64M.
const machine = (hotAdded: { start: number; end: number; name: string }[] = []): Machine => ({
  e820: {
    table: {
      entries: [
        { addr: 8 * M + 4096, size: 8 * M - 4096 + 2048, type: E820Type.RAM },
        { addr: 0, size: 640 * 1024, type: E820Type.RAM },
        { addr: 640 * 1024, size: 384 * 1024, type: E820Type.RESERVED },
        { addr: M, size: 7 * M, type: E820Type.RAM },
        { addr: 8 * M, size: 4096, type: E820Type.RESERVED_KERN },
        { addr: 16 * M + 2048, size: M, type: E820Type.ACPI },
      ],
    },
  },
  hotplug: { resources: hotAdded },
}) as unknown as Machine;

describe('System RAM resources', () => {
  it('e820 RAM and RESERVED_KERN, then hot-added memory, by start; reserved and ACPI ranges are not', () => {
    const m = machine([{ start: 64 * M, end: 192 * M, name: 'System RAM' }]);
    assert.deepEqual(systemRamResources(m), [[0, 640 * 1024], [M, 8 * M], [8 * M, 8 * M + 4096], [8 * M + 4096, 16 * M + 2048], [64 * M, 192 * M]]);
  });

  it('walk_system_ram_range counts whole pages: the setup_data page is RAM, the half page at 16M is not', () => {
    const m = machine();
    assert.equal(systemRamPages(m, 0x800, 0x800), 0x800, 'pfns 0x800-0xfff: no hole, setup_data included');
    assert.equal(systemRamPages(m, 0x1000, 1), 0, 'pfn 0x1000 holds only 2 KiB of RAM');
    assert.equal(systemRamPages(m, 0, 0x100), 0xa0, 'the 640K of low RAM, not the legacy hole');
  });

  it('region_intersects: disjoint, all RAM, or mixed', () => {
    const m = machine([{ start: 64 * M, end: 192 * M, name: 'System RAM (kmem)' }]);
    assert.equal(regionIntersectsSystemRam(m, 32 * M, 64 * M), 'disjoint');
    assert.equal(regionIntersectsSystemRam(m, 200 * M, 300 * M), 'disjoint', 'past every resource');
    assert.equal(regionIntersectsSystemRam(m, 2 * M, 12 * M), 'intersects', 'RAM, setup_data and RAM back to back');
    assert.equal(regionIntersectsSystemRam(m, 100 * M, 101 * M), 'intersects', 'hot-added');
    assert.equal(regionIntersectsSystemRam(m, 0, 2 * M), 'mixed', 'the legacy hole');
    assert.equal(regionIntersectsSystemRam(m, 190 * M, 200 * M), 'mixed', 'the end of the DIMM');
  });
});
