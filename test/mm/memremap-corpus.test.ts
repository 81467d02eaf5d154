// ZONE_DEVICE against the real kernel: the corpus boot pc-3g-pmem-legacy-zone-device
// (memmap=256M!0x80000000 memmap=256M!0x98000000, nd_e820 + nd_pmem loaded by its actions) has
// both raw namespaces mapped with their memmap in RAM once the probes finish (capture @5). The
// replayed machine with both ranges mapped the same way must show the same Device zone.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ZoneType } from '../../src/include/mmzone.js';
import { checkMachineReport } from '../../src/mm/check.js';
import { memremapAllPmem, pmemRanges } from '../../src/mm/memremap-pmem.js';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { parseZoneinfo } from '../../src/trace/formats/zoneinfo.js';
import { replayBootLog } from '../../src/trace/replay.js';

const name = 'pc-3g-pmem-legacy-zone-device.log';
const text = readFileSync(fileURLToPath(new URL(`../../../test/corpus/${name}`, import.meta.url)), 'utf8');

describe('ZONE_DEVICE on a real boot', () => {
  it('spans the Device zone as 6.1 did after nd_pmem mapped both legacy pmem namespaces', () => {
    const log = lexBootLog(text, name);
    const before = parseZoneinfo(log.captures.get('/proc/zoneinfo@4')!.lines).find((z) => z.zone === 'Device')!;
    const after = parseZoneinfo(log.captures.get('/proc/zoneinfo@5')!.lines).find((z) => z.zone === 'Device')!;
    // Replay the boot alone (not its actions: the replay runs those itself) with its struct pages.
    const boot = lexBootLog(text, name);
    boot.actions = [];
    const r = replayBootLog(boot, { script: true });
    const m = r.machine;
    const dev = m.zones!.nodes.get(0)!.zones[ZoneType.DEVICE]!;
    assert.equal(dev.spannedPages, before.counters.spanned);
    assert.deepEqual(pmemRanges(m).map((p) => [p.start, p.size]), [[0x80000000, 0x10000000], [0x98000000, 0x10000000]]);
    assert.deepEqual(memremapAllPmem(m, { altmap: false }).map((x) => x.err), [0, 0]);
    assert.equal(dev.spannedPages, after.counters.spanned);
    assert.equal(dev.presentPages, after.counters.present);
    assert.equal(dev.managedPages, after.counters.managed);
    const c = checkMachineReport(m, 3);
    assert.equal(c.total, 0, c.violations.map((v) => v.detail).join('\n'));
  });
});
