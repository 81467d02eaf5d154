// Zone watermarks and lowmem reserves: the kernel's formulas on small numbers worked by hand,
// hugepage_init()'s cases, a machine's marks moving with hotplug, and the replay noticing a
// watermark the kernel did not print. (Every corpus boot's min/low/high/protection is checked
// by the corpus replay tests.)
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ZoneType } from '../../src/include/mmzone.js';
import { parseKernelParams } from '../../src/kernel/params.js';
import { procFile } from '../../src/fs/proc/index.js';
import { blockWrite, hotplugMachine } from './hotplug-fixture.js';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { replayBootLog } from '../../src/trace/replay.js';
import {
  calculateMinFreeKbytes, hugepageInit, initPerZoneWmarkMin, intSqrt, setupPerZoneLowmemReserve, setupPerZoneWmarks,
  watermarkStateNew, wmarkKey, type WmarkZone,
} from '../../src/mm/watermark.js';

const zone = (nid: number, zid: number, managed: number, present = managed): WmarkZone => ({ nid, zid, managed, present });

describe('the formulas', () => {
  it('int_sqrt: the floor, exact around squares and near 2^53', () => {
    assert.deepEqual([0, 1, 3, 4, 15, 16, 17].map(intSqrt), [0, 1, 1, 2, 3, 4, 4]);
    const r = 94906265; // r² < 2^53
    assert.equal(intSqrt(r * r), r);
    assert.equal(intSqrt(r * r - 1), r - 1);
  });

  it('calculate_min_free_kbytes: the table in the kernel comment, clamped to [128, 262144]', () => {
    const kb = (pages: number): number => {
      const st = watermarkStateNew();
      calculateMinFreeKbytes(st, [zone(0, ZoneType.NORMAL, pages)]);
      return st.minFreeKbytes;
    };
    assert.equal(kb(4096), 512, '16 MB');
    assert.equal(kb(1024 * 256), 4096, '1024 MB');
    assert.equal(kb(4096 * 256), 8192, '4096 MB');
    assert.equal(kb(16), 128, 'tiny: the floor');
    assert.equal(kb(2 ** 40 / 4), 262144, 'a petabyte of RAM: the ceiling');
  });

  it('nr_free_buffer_pages: Movable and Device memory and the pages under the high mark do not count', () => {
    const st = watermarkStateNew();
    calculateMinFreeKbytes(st, [zone(0, ZoneType.MOVABLE, 2 ** 20), zone(0, ZoneType.DEVICE, 2 ** 20)]);
    assert.equal(st.minFreeKbytes, 128);
  });

  it('__setup_per_zone_wmarks: min by share of managed pages, then steps of max(min/4, 0.1%)', () => {
    const st = watermarkStateNew();
    st.minFreeKbytes = 4000; // 1000 pages
    setupPerZoneWmarks(st, [zone(0, ZoneType.DMA32, 1000), zone(0, ZoneType.NORMAL, 3000), zone(1, ZoneType.NORMAL, 0)]);
    const w = (nid: number, zid: number) => st.zones.get(wmarkKey(nid, zid))!;
    assert.deepEqual([w(0, ZoneType.DMA32).min, w(0, ZoneType.DMA32).low, w(0, ZoneType.DMA32).high], [250, 312, 374]);
    assert.deepEqual([w(0, ZoneType.NORMAL).min, w(0, ZoneType.NORMAL).low, w(0, ZoneType.NORMAL).high, w(0, ZoneType.NORMAL).promo], [750, 937, 1124, 1311]);
    assert.deepEqual([w(1, ZoneType.NORMAL).min, w(1, ZoneType.NORMAL).high], [0, 0]);
    // A big zone with a small share: the 0.1% step wins (mult_frac(2000000, 10, 10000) = 2000).
    st.minFreeKbytes = 400;
    setupPerZoneWmarks(st, [zone(0, ZoneType.NORMAL, 2000000)]);
    assert.deepEqual([w(0, ZoneType.NORMAL).min, w(0, ZoneType.NORMAL).low, w(0, ZoneType.NORMAL).high], [100, 2100, 4100]);
  });

  it('setup_per_zone_lowmem_reserve: the managed pages above over the ratio (256, 256, 32, 0), per node; nothing for an empty zone', () => {
    const st = watermarkStateNew();
    setupPerZoneLowmemReserve(st, [
      zone(0, ZoneType.DMA, 3000), zone(0, ZoneType.DMA32, 100000), zone(0, ZoneType.NORMAL, 200000), zone(0, ZoneType.MOVABLE, 50000), zone(0, ZoneType.DEVICE, 0),
      zone(1, ZoneType.DMA, 0), zone(1, ZoneType.DMA32, 0), zone(1, ZoneType.NORMAL, 64000), zone(1, ZoneType.MOVABLE, 0), zone(1, ZoneType.DEVICE, 0),
    ]);
    const p = (nid: number, zid: number): number[] => st.zones.get(wmarkKey(nid, zid))!.lowmemReserve;
    assert.deepEqual(p(0, ZoneType.DMA), [0, 390, 1171, 1367, 1367]);
    assert.deepEqual(p(0, ZoneType.DMA32), [0, 0, 781, 976, 976]);
    assert.deepEqual(p(0, ZoneType.NORMAL), [0, 0, 0, 1562, 1562]);
    assert.deepEqual(p(0, ZoneType.MOVABLE), [0, 0, 0, 0, 0]);
    assert.deepEqual(p(1, ZoneType.DMA), [0, 0, 0, 0, 0], 'node 0\'s zones are not node 1\'s');
    assert.deepEqual(p(1, ZoneType.NORMAL), [0, 0, 0, 0, 0]);
  });

  it('hugepage_init: nothing below 512 MiB; THP never recalculates; THP on raises min_free_kbytes to 11 pageblocks a zone', () => {
    const small = watermarkStateNew();
    initPerZoneWmarkMin(small, [zone(0, ZoneType.DMA32, 100000)]);
    const before = small.minFreeKbytes;
    hugepageInit(small, [zone(0, ZoneType.DMA32, 100000)], true);
    assert.equal(small.minFreeKbytes, before);
    assert.equal(small.khugepaged, false);

    const zones = [zone(0, ZoneType.DMA, 3900), zone(0, ZoneType.DMA32, 480000), zone(0, ZoneType.NORMAL, 500000), zone(0, ZoneType.MOVABLE, 0, 0)];
    const never = watermarkStateNew();
    initPerZoneWmarkMin(never, zones);
    hugepageInit(never, zones, false);
    assert.equal(never.khugepaged, false);
    assert.ok(never.minFreeKbytes < 11 * 512 * 3 * 4, `sqrt-based: ${never.minFreeKbytes}`);

    const always = watermarkStateNew();
    initPerZoneWmarkMin(always, zones);
    hugepageInit(always, zones, true);
    assert.equal(always.khugepaged, true);
    assert.equal(always.minFreeKbytes, 11 * 512 * 3 * 4, 'three populated zones up to Normal: 16896 pages');
  });

  it('transparent_hugepage=: always by default (Debian), never/madvise taken, anything else ignored with the kernel\'s warning', () => {
    assert.equal(parseKernelParams('').transparentHugepage, 'always');
    assert.equal(parseKernelParams('transparent_hugepage=never').transparentHugepage, 'never');
    const bad = parseKernelParams('transparent_hugepage=sometimes');
    assert.equal(bad.transparentHugepage, 'always');
    assert.match(bad.errors[0]!.kernel, /cannot parse, ignored/);
  });
});

describe('a machine\'s watermarks', () => {
  it('are set at boot, and every online and offline recomputes them over the managed pages of then', () => {
    const m = hotplugMachine();
    const st = m.watermarks!;
    const normal = (): number => st.zones.get(wmarkKey(0, ZoneType.NORMAL))!.min;
    const movable = (): number => st.zones.get(wmarkKey(0, ZoneType.MOVABLE))!.min;
    const kb = st.minFreeKbytes;
    const boot = { min: st.zones.get(wmarkKey(0, ZoneType.DMA32))!.min, normal: normal() };
    assert.equal(st.khugepaged, true, '2 GiB with THP always: khugepaged runs');
    assert.equal(movable(), 0);
    assert.equal(blockWrite(m, 32, 'state', 'online_movable'), 0);
    assert.ok(movable() > 0, 'the onlined Movable zone gets its share');
    assert.ok(st.zones.get(wmarkKey(0, ZoneType.DMA32))!.min < boot.min, 'which the others give up');
    assert.equal(st.zones.get(wmarkKey(0, ZoneType.DMA32))!.lowmemReserve[ZoneType.MOVABLE], Math.floor((0 + 32768) / 256), 'DMA32 now keeps back from Movable allocations');
    assert.equal(st.minFreeKbytes, kb, 'khugepaged\'s recommendation still rules');
    assert.equal(blockWrite(m, 32, 'state', 'offline'), 0);
    assert.equal(movable(), 0);
    // Not quite the boot's share: boot computed it before the initrd and the kernel image were
    // freed, the recompute counts those pages in DMA32 too.
    const offline = st.zones.get(wmarkKey(0, ZoneType.DMA32))!.min;
    assert.ok(offline >= boot.min && offline - boot.min <= 2, `DMA32 min ${offline} back to about the boot's ${boot.min}`);
    assert.equal(blockWrite(m, 32, 'state', 'online_movable'), 0);
    assert.equal(blockWrite(m, 32, 'state', 'offline'), 0);
    assert.equal(st.zones.get(wmarkKey(0, ZoneType.DMA32))!.min, offline, 'the same state, the same watermarks');
  });

  it('/proc/zoneinfo prints min, low, high and protection in the kernel\'s layout', () => {
    const m = hotplugMachine();
    const { lines } = procFile(m, 'zoneinfo');
    const at = lines.indexOf('Node 0, zone    DMA32');
    assert.ok(at >= 0, lines.join('\n'));
    const w = m.watermarks!.zones.get(wmarkKey(0, ZoneType.DMA32))!;
    assert.deepEqual(lines.slice(at + 1, at + 4), [`        min      ${w.min}`, `        low      ${w.low}`, `        high     ${w.high}`]);
    assert.ok(lines.includes(`        protection: (${w.lowmemReserve.join(', ')})`));
  });
});

describe('the replay', () => {
  it('names a watermark the kernel printed otherwise', () => {
    const file = fileURLToPath(new URL('../../../test/corpus/pc-4g.log', import.meta.url));
    const text = readFileSync(file, 'utf8');
    const ok = replayBootLog(lexBootLog(text, 'pc-4g.log'));
    assert.deepEqual(ok.mismatches, []);
    const doctored = text.replace('        low      5150', '        low      5151');
    assert.notEqual(doctored, text);
    const bad = replayBootLog(lexBootLog(doctored, 'pc-4g.log'));
    assert.deepEqual(bad.mismatches.map((x) => [x.format, x.kernel, x.predicted]), [['zoneinfo', 'Node 0, zone Normal: low 5151', 'low 5150']]);
  });

  it('names a zonelist rebuild at boot whose Total pages (managed above the high marks of then) differ', () => {
    // memhp_default_state=online: the ACPI driver onlines the DIMMs in a subsys initcall.
    const file = fileURLToPath(new URL('../../../test/corpus/pc-2g-dimm-auto-online.log', import.meta.url));
    const text = readFileSync(file, 'utf8');
    const line = 'Built 1 zonelists, mobility grouping on.  Total pages: 500434';
    assert.ok(text.includes(line));
    const bad = replayBootLog(lexBootLog(text.replace(line, line.replace('500434', '500435')), 'auto-online.log'));
    assert.deepEqual(bad.mismatches.map((x) => [x.format, x.kernel, x.predicted]), [['zone.zonelists', line.replace('500434', '500435'), line]]);
  });
});
