// Memory hotplug through the sysfs tree, as 6.1 behaves: block states and valid_zones, zone
// spans and counts after online/offline, the errnos of refused writes (and that nothing changed),
// migration on offline, remove, probe, memmap_on_memory, a hot-added node, --hotplug-reserved.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MAX_ORDER, MigrateType, ZoneType } from '../../src/include/mmzone.js';
import { PG } from '../../src/include/page-flags.js';
import type { Machine } from '../../src/kernel/machine.js';
import { checkMachineReport } from '../../src/mm/check.js';
import { sysfsList, sysfsRead, sysfsWrite } from '../../src/fs/sysfs.js';
import { EBUSY, EEXIST, EINVAL, removeMemory } from '../../src/mm/memory-hotplug.js';
import { allocTracked, freeTracked } from '../../src/mm/page-alloc-tracked.js';
import { pagePoisoned, pageReserved, pageWord, testPageFlag } from '../../src/mm/page.js';
import { PoisonedPageError } from '../../src/mm/page.js';
import { buddyZone, type Buddy } from '../../src/mm/page-alloc.js';
import { pageViewChecked, pfnToSection, sectionMemmap } from '../../src/mm/sparse.js';
import { zoneEndPfn } from '../../src/mm/zone.js';
import { acpiMemoryDeviceAdd } from '../../src/drivers/acpi/acpi-memhotplug.js';
import { blockWrite, cat, hotplugMachine, MEM, PC_2G_DIMMS } from './hotplug-fixture.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { hotAddedRanges } from '../../src/trace/replay-hotplug.js';
import { loadPreset } from '../../src/machine/index.js';
import { replayBootLog } from '../../src/trace/replay.js';
import { formatMismatch } from '../../src/trace/check.js';

const BLOCK = 32768;
const zone = (m: Machine, nid: number, zid: number) => m.zones!.nodes.get(nid)!.zones[zid]!;
const clean = (m: Machine): void => {
  const r = checkMachineReport(m, 5);
  assert.equal(r.total, 0, r.violations.map((v) => v.detail).join('\n'));
};
const freeOrder10 = (m: Machine, zid: number): number => buddyZone(m.buddy as Buddy, 0, zid).nrFree[MAX_ORDER - 1]!;

describe('memory blocks after boot', () => {
  const m = hotplugMachine();
  it('plugs the preset\'s DIMMs where QEMU put them in the corpus boot pc-2g-dimm-online', () => {
    const log = lexBootLog(readFileSync(fileURLToPath(new URL('../../../test/corpus/pc-2g-dimm-online.log', import.meta.url)), 'utf8'), 'pc-2g-dimm-online.log');
    const real = hotAddedRanges(m, log.captures.get('/proc/iomem')!.lines);
    assert.deepEqual(real, [{ start: 0x100000000, size: 0x20000000 }, { start: 0x120000000, size: 0x40000000 }]);
    assert.deepEqual(loadPreset('hotplug').dimms.map((d) => ({ start: d.start, size: d.size })), real);
  });
  it('has 128 MiB blocks: 16 online boot blocks, the DIMMs offline at 4G', () => {
    assert.equal(cat(m, `${MEM}/block_size_bytes`), '8000000');
    assert.equal(cat(m, `${MEM}/auto_online_blocks`), 'offline');
    const ids = m.hotplug!.blocks.all().map((b) => b.id);
    assert.deepEqual(ids, [...Array(16).keys(), ...Array.from({ length: 12 }, (_, i) => 32 + i)]);
    assert.equal(cat(m, `${MEM}/memory1/state`), 'online');
    assert.equal(cat(m, `${MEM}/memory32/state`), 'offline');
    assert.equal(cat(m, `${MEM}/memory32/online`), '0');
    assert.equal(cat(m, `${MEM}/memory33/phys_index`), '00000021');
  });
  it('gives boot blocks their zone ("none" across DMA/DMA32) and offline ones the zones they may join', () => {
    assert.equal(cat(m, `${MEM}/memory0/valid_zones`), 'none');
    assert.equal(cat(m, `${MEM}/memory5/valid_zones`), 'DMA32');
    assert.equal(cat(m, `${MEM}/memory40/valid_zones`), 'Normal Movable');
  });
  it('leaves hot-added struct pages poisoned until online', () => {
    assert.throws(() => pageViewChecked(m.memmap!, 0x100000), PoisonedPageError);
    clean(m);
  });
  it('answers a missing file ENOENT, a directory EISDIR, a write-only file EACCES', () => {
    assert.deepEqual(sysfsRead(m, `${MEM}/memory99/state`), { ok: false, errno: -2 });
    assert.deepEqual(sysfsRead(m, `${MEM}/memory32`), { ok: false, errno: -21 });
    assert.deepEqual(sysfsRead(m, `${MEM}/probe`), { ok: false, errno: -13 });
    assert.equal(sysfsWrite(m, `${MEM}/block_size_bytes`, '1\n'), -13);
    assert.ok((sysfsList(m, `${MEM}/memory32`) as string[]).includes('node0'));
  });
});

describe('online and offline', () => {
  it('online_movable puts the block in ZONE_MOVABLE: span, present, managed, free order-10 blocks', () => {
    const m = hotplugMachine();
    const before = m.totalramPages!;
    assert.equal(blockWrite(m, 32, 'state', 'online_movable'), 0);
    const z = zone(m, 0, ZoneType.MOVABLE);
    assert.deepEqual([z.zoneStartPfn, z.spannedPages, z.presentPages, z.managedPages], [0x100000, BLOCK, BLOCK, BLOCK]);
    assert.equal(freeOrder10(m, ZoneType.MOVABLE), BLOCK / 1024);
    assert.equal(m.totalramPages, before + BLOCK);
    assert.equal(cat(m, `${MEM}/memory32/valid_zones`), 'Movable');
    assert.equal(cat(m, `${MEM}/memory32/state`), 'online');
    assert.ok(m.hotplug!.nMemory.has(0));
    const mm = sectionMemmap(m.memmap!, 0x100000);
    assert.ok(!pageReserved(mm, pageWord(0x100000)), 'online pages are not reserved');
    clean(m);
  });

  it('follows 6.1 zone choice: "online" joins the zone whose span it is inside, else Normal', () => {
    const m = hotplugMachine();
    assert.equal(blockWrite(m, 36, 'state', 'online_movable'), 0);
    // Right above Movable is not inside it (zone_intersects() is strict): Normal by default.
    assert.equal(cat(m, `${MEM}/memory37/valid_zones`), 'Normal Movable');
    assert.equal(blockWrite(m, 38, 'state', 'online_movable'), 0);
    // Now memory37 lies inside Movable's span: it is the default, Normal still allowed.
    assert.equal(cat(m, `${MEM}/memory37/valid_zones`), 'Movable Normal');
    assert.equal(blockWrite(m, 37, 'state', 'online'), 0);
    assert.equal(cat(m, `${MEM}/memory37/valid_zones`), 'Movable');
    assert.equal(blockWrite(m, 40, 'state', 'online'), 0);
    assert.equal(cat(m, `${MEM}/memory40/valid_zones`), 'Normal');
    const n = zone(m, 0, ZoneType.NORMAL);
    assert.deepEqual([n.zoneStartPfn, zoneEndPfn(n)], [40 * BLOCK, 41 * BLOCK]);
    const mv = zone(m, 0, ZoneType.MOVABLE);
    assert.deepEqual([mv.zoneStartPfn, zoneEndPfn(mv), mv.presentPages], [36 * BLOCK, 39 * BLOCK, 3 * BLOCK]);
    clean(m);
  });

  it('refuses bad writes with EINVAL and changes nothing', () => {
    const m = hotplugMachine();
    assert.equal(blockWrite(m, 32, 'state', 'bogus'), EINVAL);
    assert.equal(blockWrite(m, 32, 'state', 'offline'), EINVAL, 'offline an offline block');
    assert.equal(blockWrite(m, 32, 'online', 'x'), EINVAL);
    assert.equal(blockWrite(m, 32, 'online', '0'), 0, 'device_offline of an offline block is fine through online');
    assert.equal(blockWrite(m, 32, 'state', 'online_kernel'), 0);
    assert.equal(blockWrite(m, 32, 'state', 'online_movable'), EINVAL, 'online an online block');
    assert.equal(blockWrite(m, 32, 'online', '1'), 0);
    assert.equal(cat(m, `${MEM}/memory32/valid_zones`), 'Normal');
    assert.equal(sysfsWrite(m, `${MEM}/auto_online_blocks`, 'sometimes\n'), EINVAL);
    clean(m);
  });

  it('offlines back to where it started: spans, counts, totalram, poisoned pages', () => {
    const m = hotplugMachine();
    const before = { total: m.totalramPages, normal: { ...zone(m, 0, ZoneType.NORMAL) } };
    assert.equal(blockWrite(m, 36, 'state', 'online_kernel'), 0);
    assert.equal(blockWrite(m, 37, 'state', 'online_kernel'), 0);
    assert.equal(zone(m, 0, ZoneType.NORMAL).presentPages, 2 * BLOCK);
    assert.equal(blockWrite(m, 36, 'state', 'offline'), 0);
    const n = zone(m, 0, ZoneType.NORMAL);
    assert.deepEqual([n.zoneStartPfn, n.spannedPages, n.presentPages], [37 * BLOCK, BLOCK, BLOCK], 'the zone shrinks from below');
    assert.equal(blockWrite(m, 37, 'online', '0'), 0);
    assert.deepEqual({ ...zone(m, 0, ZoneType.NORMAL) }, before.normal);
    assert.equal(m.totalramPages, before.total);
    assert.ok(pagePoisoned(sectionMemmap(m.memmap!, 36 * BLOCK), 0));
    assert.ok(!m.hotplug!.nNormalMemory.has(0) || zone(m, 0, ZoneType.DMA32).presentPages > 0);
    clean(m);
  });

  it('migrates movable pages off a block being offlined', () => {
    const m = hotplugMachine();
    assert.equal(blockWrite(m, 32, 'state', 'online_movable'), 0);
    const a = allocTracked(m, { pages: 300, order: 0, migratetype: MigrateType.MOVABLE, nid: 0, highestZone: ZoneType.MOVABLE })!;
    assert.ok(a.blocks.every((b) => b.pfn >= 32 * BLOCK && b.pfn < 33 * BLOCK), 'user pages come from ZONE_MOVABLE first');
    assert.equal(blockWrite(m, 32, 'state', 'offline'), 0);
    assert.ok(a.blocks.every((b) => b.pfn < 32 * BLOCK), 'every page moved out of the block');
    for (const b of a.blocks) assert.ok(testPageFlag(sectionMemmap(m.memmap!, b.pfn), pageWord(b.pfn), PG.lru));
    clean(m);
    assert.ok(freeTracked(m, a.id));
    clean(m);
  });

  it('refuses EBUSY to offline a block with kernel pages, leaving it exactly as it was', () => {
    const m = hotplugMachine();
    assert.equal(blockWrite(m, 40, 'state', 'online_kernel'), 0);
    const a = allocTracked(m, { pages: 8, order: 3, migratetype: MigrateType.UNMOVABLE, nid: 0, highestZone: ZoneType.NORMAL })!;
    assert.ok(a.blocks[0]!.pfn >= 40 * BLOCK, 'GFP_KERNEL prefers Normal');
    const bz = buddyZone(m.buddy as Buddy, 0, ZoneType.NORMAL);
    const before = { free: bz.freePages, nrFree: [...bz.nrFree], z: { ...zone(m, 0, ZoneType.NORMAL) } };
    assert.equal(blockWrite(m, 40, 'state', 'offline'), EBUSY);
    assert.equal(cat(m, `${MEM}/memory40/state`), 'online');
    assert.deepEqual({ free: bz.freePages, nrFree: [...bz.nrFree], z: { ...zone(m, 0, ZoneType.NORMAL) } }, before);
    clean(m);
    freeTracked(m, a.id);
    assert.equal(blockWrite(m, 40, 'state', 'offline'), 0);
    clean(m);
  });

  it('refuses boot memory across zones or holes (EINVAL) and with kernel pages (EBUSY)', () => {
    const m = hotplugMachine();
    assert.equal(blockWrite(m, 0, 'state', 'offline'), EINVAL, 'memory0 spans DMA and DMA32');
    assert.equal(blockWrite(m, 15, 'state', 'offline'), EINVAL, 'memory15 ends in the e820 hole below 2G');
    // 256 MiB of kernel pages reach past memory0.
    const a = allocTracked(m, { pages: 65536, order: 10, migratetype: MigrateType.UNMOVABLE, nid: 0, highestZone: ZoneType.DMA32 })!;
    const id = Math.max(...a.blocks.map((b) => Math.floor(b.pfn / BLOCK)));
    assert.ok(id >= 1 && id < 15);
    assert.equal(blockWrite(m, id, 'state', 'offline'), EBUSY);
    assert.equal(cat(m, `${MEM}/memory${id}/state`), 'online');
    clean(m);
  });
});

describe('add and remove', () => {
  it('removes only offline memory, and the range can come back', () => {
    const m = hotplugMachine();
    assert.equal(blockWrite(m, 32, 'state', 'online_movable'), 0);
    assert.equal(removeMemory(m, 0x100000000, 0x20000000), EBUSY);
    assert.equal(blockWrite(m, 32, 'state', 'offline'), 0);
    assert.equal(removeMemory(m, 0x100000000, 0x20000000), 0);
    assert.equal(m.hotplug!.blocks.get(32), undefined);
    assert.equal(pfnToSection(m.memmap!, 32 * BLOCK)?.memmap, undefined);
    assert.equal(removeMemory(m, 0x100000000, 0x20000000), EINVAL, 'nothing left to remove');
    assert.equal(acpiMemoryDeviceAdd(m, 0, 0x100000000, 0x20000000), 0);
    assert.equal(cat(m, `${MEM}/memory35/state`), 'offline');
    clean(m);
  });

  it('probes one block: aligned (EINVAL), not over RAM (EEXIST)', () => {
    const m = hotplugMachine();
    assert.equal(sysfsWrite(m, `${MEM}/probe`, '0x180001000\n'), EINVAL);
    assert.equal(sysfsWrite(m, `${MEM}/probe`, 'zzz\n'), EINVAL);
    assert.equal(sysfsWrite(m, `${MEM}/probe`, '0x40000000\n'), EEXIST);
    assert.equal(sysfsWrite(m, `${MEM}/probe`, '0x100000000\n'), EEXIST, 'the DIMM is there');
    assert.equal(sysfsWrite(m, `${MEM}/probe`, '0x200000000\n'), 0);
    assert.equal(cat(m, `${MEM}/memory64/state`), 'offline');
    assert.equal(blockWrite(m, 64, 'state', 'online'), 0);
    assert.equal(m.maxPfn, 65 * BLOCK);
    clean(m);
  });

  it('onlines what it adds when auto_online_blocks says so', () => {
    const m = hotplugMachine();
    assert.equal(sysfsWrite(m, `${MEM}/auto_online_blocks`, 'online_movable\n'), 0);
    assert.equal(sysfsWrite(m, `${MEM}/probe`, '0x200000000\n'), 0);
    assert.equal(cat(m, `${MEM}/memory64/valid_zones`), 'Movable');
    clean(m);
  });

  it('takes the memmap from a one-block DIMM with memory_hotplug.memmap_on_memory=1', () => {
    const m = hotplugMachine({ ...PC_2G_DIMMS, append: 'memory_hotplug.memmap_on_memory=1', dimms: [{ size: '128M' }, { size: '256M' }] });
    const [small, big] = [m.hotplug!.blocks.get(32)!, m.hotplug!.blocks.get(33)!];
    assert.equal(small.nrVmemmapPages, 512, '2 MiB of struct pages for 128 MiB');
    assert.equal(big.nrVmemmapPages, 0, 'only a DIMM of exactly one block');
    assert.equal(blockWrite(m, 32, 'state', 'online_movable'), 0);
    const z = zone(m, 0, ZoneType.MOVABLE);
    assert.deepEqual([z.presentPages, z.managedPages], [BLOCK, BLOCK - 512], 'the memmap pages are present, never managed');
    const mm = sectionMemmap(m.memmap!, 32 * BLOCK);
    assert.ok(pageReserved(mm, 0) && testPageFlag(mm, 0, PG.owner_priv_1), 'vmemmap pages: reserved, self-hosted');
    assert.ok(!pageReserved(mm, pageWord(32 * BLOCK + 512)));
    clean(m);
    assert.equal(blockWrite(m, 32, 'state', 'offline'), 0);
    assert.deepEqual([zone(m, 0, ZoneType.MOVABLE).presentPages, zone(m, 0, ZoneType.MOVABLE).spannedPages], [0, 0]);
    clean(m);
  });

  it('gives a DIMM on a node without memory its pgdat, zonelists and node states', () => {
    const m = hotplugMachine({
      machine: 'pc', nodes: [{ id: 0, memory: '2G', cpus: 2 }, { id: 1 }], maxmem: '8G', slots: 2, dimms: [{ size: '256M', node: 1 }],
    });
    const b = m.hotplug!.blocks.get(32)!;
    assert.equal(b.nid, 1);
    assert.equal(cat(m, '/sys/devices/system/node/has_memory'), '0');
    assert.ok(m.onlineNodes.includes(1));
    assert.equal(blockWrite(m, 32, 'state', 'online_kernel'), 0);
    assert.equal(cat(m, '/sys/devices/system/node/has_memory'), '0-1');
    assert.equal(cat(m, '/sys/devices/system/node/has_normal_memory'), '0-1');
    assert.ok((m.buddy as Buddy).zonelists.get(0)!.some((bz) => bz.nid === 1), 'node 0 falls back to node 1');
    clean(m);
  });
});

describe('--hotplug-reserved', () => {
  for (const reserved of ['keep', 'drop'] as const) {
    it(`${reserved}: online/offline round trips stay clean; memmap pages are reserved only with keep`, () => {
      const m = hotplugMachine({ ...PC_2G_DIMMS, append: 'memory_hotplug.memmap_on_memory=1', dimms: [{ size: '128M' }] }, reserved);
      assert.equal(blockWrite(m, 32, 'state', 'online_kernel'), 0);
      assert.equal(pageReserved(sectionMemmap(m.memmap!, 32 * BLOCK), 0), reserved === 'keep');
      clean(m);
      assert.equal(blockWrite(m, 32, 'state', 'offline'), 0);
      assert.equal(blockWrite(m, 32, 'state', 'online_movable'), 0);
      clean(m);
    });
  }
});

describe('the seed\'s PageReserved question, against the real kernel', () => {
  const name = 'pc-2g-dimm-memmap-on-memory.log';
  const text = readFileSync(fileURLToPath(new URL(`../../../test/corpus/${name}`, import.meta.url)), 'utf8');
  it('keep: every action of the memmap_on_memory boot replays exactly, kpageflags included', () => {
    const r = replayBootLog(lexBootLog(text, name), { hotplugReserved: 'keep' });
    assert.deepEqual(r.mismatches.map((m) => formatMismatch(name, m)), []);
  });
  it('drop: only /proc/kpageflags of the self-hosted memmap pages differs from 6.1', () => {
    const r = replayBootLog(lexBootLog(text, name), { hotplugReserved: 'drop' });
    assert.ok(r.mismatches.length > 0);
    for (const m of r.mismatches) {
      assert.equal(m.format, 'kpageflags');
      assert.match(m.kernel ?? '', /memory32: reserved also at 0x100000-0x1001ff$/);
    }
  });
});
