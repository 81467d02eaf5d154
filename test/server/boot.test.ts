// The server's phase-by-phase boot is bootMachine() cut at its phases: same kernel lines,
// same machine, for every preset.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { machineJson } from '../../src/cli/replay.js';
import { machineNew } from '../../src/kernel/machine.js';
import { listPresets, loadPreset } from '../../src/machine/index.js';
import { presetRecord, runBootPhases } from '../../src/server/boot.js';

describe('phased boot', () => {
  for (const { name } of listPresets()) {
    it(`${name}: the same kernel lines and machine as bootMachine()`, async () => {
      const rec = presetRecord(name);
      await runBootPhases(rec);
      assert.equal(rec.status, 'ready', rec.error);
      const s = loadPreset(name);
      const want = bootMachine(machineNew(s.name, s.firmware));
      assert.deepEqual(rec.machine.printk.lines, want.printk.lines);
      assert.deepEqual(machineJson(rec.machine), machineJson(want));
      assert.ok(rec.view!.segs.length > 0);
    });
  }
});
