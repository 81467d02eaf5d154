// Every preset builds, and its firmware map is one a kernel can boot: sorted, non-overlapping,
// with the legacy BIOS entries, and the early reservations inside usable RAM.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Firmware } from '../../src/arch/x86/firmware.js';
import { listPresets, loadPreset } from '../../src/machine/index.js';
import { e820Lines, G, sratLines } from './fixture.js';

const usable = (fw: Firmware) => fw.e820.filter((e) => e.type === 1);

describe('presets', () => {
  it('list the seven documented presets, default first', () => {
    assert.deepEqual(listPresets().map((p) => p.name), ['default', 'seed', 'pc-1g', 'q35-4g', 'numa4-memoryless', 'movable', 'hotplug']);
  });

  for (const { name, description } of listPresets()) {
    it(`${name} builds a bootable firmware map`, () => {
      assert.match(description, /^[^\n]{10,120}$/);
      const spec = loadPreset(name);
      assert.equal(spec.name, name);
      assert.equal(spec.description, description);
      const fw = spec.firmware;
      for (let i = 1; i < fw.e820.length; i++) {
        const [a, b] = [fw.e820[i - 1]!, fw.e820[i]!];
        assert.ok(a.addr + a.size <= b.addr, `e820 sorted and apart: ${e820Lines(fw).join(' | ')}`);
      }
      const lines = e820Lines(fw);
      for (const legacy of [
        '[mem 0x0000000000000000-0x000000000009fbff] usable',
        '[mem 0x000000000009fc00-0x000000000009ffff] reserved',
        '[mem 0x00000000000f0000-0x00000000000fffff] reserved',
        '[mem 0x00000000fffc0000-0x00000000ffffffff] reserved',
      ]) assert.ok(lines.includes(legacy), legacy);
      for (const r of fw.earlyReserved) {
        if (r.what !== 'kernel image' && r.what !== 'initrd') continue;
        assert.ok(usable(fw).some((e) => e.addr <= r.base && r.base + r.size <= e.addr + e.size), r.what);
      }
      assert.match(fw.cmdline, /memblock=debug/);
    });
  }

  it('default: q35, two 4G nodes with 2 cpus each, 1G of node 1 as memmap pmem', () => {
    const spec = loadPreset('default');
    assert.equal(spec.firmware.nrCpus, 4);
    assert.equal(spec.firmware.cmdline, 'console=ttyS0 memblock=debug ignore_loglevel nokaslr memmap=1G!0x240000000');
    assert.deepEqual(sratLines(spec.firmware), [
      'Node 0 PXM 0 [mem 0x00000000-0x0009ffff]',
      'Node 0 PXM 0 [mem 0x00100000-0x7fffffff]',
      'Node 0 PXM 0 [mem 0x100000000-0x17fffffff]',
      'Node 1 PXM 1 [mem 0x180000000-0x27fffffff]',
    ]);
    assert.deepEqual(spec.pmem, [{ start: 9 * G, size: G, type: 'memmap', pxm: undefined, nid: undefined }]);
  });

  it('seed: 384G in one node, no SRAT', () => {
    const fw = loadPreset('seed').firmware;
    assert.equal(fw.srat, undefined);
    // 384G less what the BIOS keeps: 1K EBDA, 640K-1M, SeaBIOS's 128K below 3G.
    assert.equal(usable(fw).reduce((t, e) => t + e.size, 0), 384 * G - 0x400 - 0x60000 - 0x20000);
  });

  it('numa4-memoryless: node 1 has a cpu and no memory', () => {
    const srat = loadPreset('numa4-memoryless').firmware.srat!;
    assert.deepEqual([...new Set(srat.memory.map((m) => m.nid))], [0, 2, 3]);
    assert.deepEqual(srat.cpus.map((c) => c.nid), [0, 1, 2, 3]);
  });

  it('movable: movablecore=1G on the command line', () => {
    assert.match(loadPreset('movable').firmware.cmdline, / movablecore=1G$/);
  });
});
