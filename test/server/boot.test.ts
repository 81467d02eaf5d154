// The server's phase-by-phase boot is bootMachine() cut at its phases: same kernel lines,
// same machine, for every preset.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { machineJson } from '../../src/cli/replay.js';
import { machineNew } from '../../src/kernel/machine.js';
import { listPresets, loadPreset } from '../../src/machine/index.js';
import { BOOT_PHASES, MEMMAP_PHASE, presetRecord, runBootPhases, SERVER_MEMMAP_BUDGET } from '../../src/server/boot.js';
import { structPageAt } from '../../src/server/machine-view.js';

describe('phased boot', () => {
  for (const { name } of listPresets()) {
    it(`${name}: the same kernel lines and machine as bootMachine()`, async () => {
      const rec = presetRecord(name);
      await runBootPhases(rec, BOOT_PHASES);
      assert.equal(rec.status, 'ready', rec.error);
      const s = loadPreset(name);
      const want = bootMachine(machineNew(s.name, s.firmware));
      assert.deepEqual(rec.machine.printk.lines, want.printk.lines);
      assert.deepEqual(machineJson(rec.machine), machineJson(want));
      assert.ok(rec.view!.segs.length > 0);
    });
  }
});

describe('the memmap phase', () => {
  it('pc-1g: struct pages after boot, decoded like `meminit page`; the map keeps the deferred split', async () => {
    const rec = presetRecord('pc-1g');
    await runBootPhases(rec);
    assert.equal(rec.status, 'ready', rec.error);
    assert.deepEqual(rec.events.filter((e) => e.type === 'phase' && e.state === 'end').map((e) => e.name), ['e820', 'memblock', 'numa', 'zones', 'resources', 'percpu', 'zonelists', 'mm_init', 'memmap']);
    assert.match(rec.events.find((e) => e.name === 'memmap' && e.state === 'end')!.detail!, /^8 sections of struct pages, \d+ pages managed$/);
    const p = structPageAt(rec.machine, 0x30000);
    assert.deepEqual([p.page?.buddyOrder, p.page?.zone, p.page?.migratetype], [10, 'DMA32', 'Movable']);
    assert.match(p.page!.text[0]!, /^page:0xffffea0000c00000 refcount:0 mapcount:buddy /);
    assert.match(structPageAt(rec.machine, 0x80000).pageError!, /pfn 0x80000 has no struct page/);
    assert.ok(rec.view!.segs.some((s) => s.state === 2 || s.state === 3), 'the map still has its states');
  });

  it('seed: a 6 GiB memmap is over the server\'s budget: no struct pages, and the phase says so', async () => {
    const rec = presetRecord('seed');
    await runBootPhases(rec);
    assert.equal(rec.status, 'ready');
    assert.equal(rec.machine.memmap, undefined);
    assert.match(rec.events.find((e) => e.name === 'memmap' && e.state === 'end')!.detail!, new RegExp(`no struct pages: a 6144 MiB memmap is over the server's ${SERVER_MEMMAP_BUDGET / 2 ** 20} MiB budget`));
    assert.match(structPageAt(rec.machine, 0x1000).pageError!, /no struct pages/);
    void MEMMAP_PHASE;
  });
});
