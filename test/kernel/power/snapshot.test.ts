// register_nosave_region(): a range that starts where the last region ends extends it (no
// allocation, but the line is still printed, with the range asked for).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { registerNosaveRegion } from '../../../src/kernel/power/snapshot.js';
import { requests, tailMachine } from '../../arch/x86/setup-arch-tail-fixture.js';

describe('register_nosave_region()', () => {
  it('[0,1) then [1,0x10): one region, one allocation, two lines; [0x20,0x20) ignored', () => {
    const { m, trace } = tailMachine();
    registerNosaveRegion(m, 0, 1);
    registerNosaveRegion(m, 1, 0x10);
    registerNosaveRegion(m, 0x20, 0x20);
    registerNosaveRegion(m, 0x30, 0x40);
    assert.deepEqual(m.nosaveRegions, [{ startPfn: 0, endPfn: 0x10 }, { startPfn: 0x30, endPfn: 0x40 }]);
    assert.deepEqual(requests(trace), ['32 register_nosave_region', '32 register_nosave_region']);
    assert.deepEqual(trace.filter((t) => t.startsWith('PM:')), [
      'PM: hibernation: Registered nosave memory: [mem 0x00000000-0x00000fff]',
      'PM: hibernation: Registered nosave memory: [mem 0x00001000-0x0000ffff]',
      'PM: hibernation: Registered nosave memory: [mem 0x00030000-0x0003ffff]',
    ]);
  });
});
