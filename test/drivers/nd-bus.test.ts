// The libnvdimm / device-dax sysfs meminit emulates for legacy pmem: the raw namespaces mapped
// once the probes finish, pfn and dax devices set up and bound, kmem's hot-add, and the
// kernel's refusals (mode "mem", a bind before uuid, an unknown module).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ZoneType } from '../../src/include/mmzone.js';
import { sysfsRead, sysfsWrite } from '../../src/fs/sysfs.js';
import { checkMachineReport } from '../../src/mm/check.js';
import { getDevPagemap } from '../../src/mm/memremap.js';
import { parseScript, runScript } from '../../src/shell/script.js';
import { hotplugMachine } from '../mm/hotplug-fixture.js';

const PMEM = { machine: 'pc', memory: '3G', append: 'memmap=256M!0x80000000' };
const ND = '/sys/bus/nd';
const w = (m: ReturnType<typeof hotplugMachine>, p: string, v: string): number => sysfsWrite(m, p, `${v}\n`);
const clean = (m: ReturnType<typeof hotplugMachine>): void => {
  const c = checkMachineReport(m, 3);
  assert.equal(c.total, 0, c.violations.map((v) => v.detail).join('\n'));
};

describe('legacy pmem through libnvdimm', () => {
  it('maps the raw namespace once the probes are waited for, then a pfn device in pmem mode', () => {
    const m = hotplugMachine(PMEM);
    const results = runScript(m, parseScript('insmod libnvdimm\ninsmod nd_pmem\ninsmod nd_e820\n', 't'));
    assert.ok(results.every((r) => r.error === undefined));
    assert.equal(getDevPagemap(m, 0x80000), undefined, 'nd_pmem probes asynchronously');
    assert.deepEqual(sysfsRead(m, `${ND}/devices/ndbus0/wait_probe`), { ok: true, text: '0\n' });
    assert.equal(getDevPagemap(m, 0x80000)?.altmap, undefined, 'raw: the memmap in RAM');
    assert.equal(m.zones!.nodes.get(0)!.zones[ZoneType.DEVICE]!.spannedPages, 65536);
    assert.equal(w(m, `${ND}/drivers/nd_pmem/unbind`, 'namespace0.0'), 0);
    assert.equal(getDevPagemap(m, 0x80000), undefined);
    assert.equal(w(m, `${ND}/devices/pfn0.0/namespace`, 'namespace0.0'), 0);
    assert.equal(w(m, `${ND}/devices/pfn0.0/mode`, 'mem'), -22, 'the modes are ram and pmem');
    assert.equal(w(m, `${ND}/devices/pfn0.0/mode`, 'pmem'), 0);
    assert.equal(w(m, `${ND}/drivers/nd_pmem/bind`, 'pfn0.0'), -19, 'no uuid yet: no such device');
    assert.equal(w(m, `${ND}/devices/pfn0.0/uuid`, '6d656d69-6e69-7400-0000-000000000001'), 0);
    assert.equal(w(m, `${ND}/drivers/nd_pmem/bind`, 'pfn0.0'), 0);
    assert.ok(getDevPagemap(m, 0x80000 + 2048)?.altmap, 'pmem mode: the memmap on the device');
    clean(m);
  });

  it('hands a devdax device to kmem: one memory block of System RAM (kmem), onlined like any other', () => {
    const m = hotplugMachine(PMEM);
    const lines = [
      'insmod libnvdimm', 'insmod nd_pmem', 'insmod nd_e820', 'cat /sys/bus/nd/devices/ndbus0/wait_probe', 'insmod device_dax', 'insmod dax_pmem',
      `echo namespace0.0 > ${ND}/drivers/nd_pmem/unbind`, `echo namespace0.0 > ${ND}/devices/dax0.0/namespace`, `echo pmem > ${ND}/devices/dax0.0/mode`,
      `echo 6d656d69-6e69-7400-0000-000000000003 > ${ND}/devices/dax0.0/uuid`, `echo dax0.0 > ${ND}/drivers/dax_pmem/bind`,
      'insmod kmem', 'echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind', 'echo dax0.0 > /sys/bus/dax/drivers/kmem/new_id',
      'cat /sys/devices/system/memory/memory17/valid_zones', 'echo online_kernel > /sys/devices/system/memory/memory17/state',
    ];
    const results = runScript(m, parseScript(lines.join('\n'), 't'));
    assert.deepEqual(results.filter((r) => r.error !== undefined).map((r) => r.error), []);
    assert.deepEqual(results[14]!.out, ['DMA32 Movable']);
    assert.deepEqual(m.hotplug!.resources.map((r) => [r.start, r.end, r.name]), [[0x88000000, 0x90000000, 'System RAM (kmem)']]);
    assert.equal(m.hotplug!.blocks.get(17)!.zid, ZoneType.DMA32);
    clean(m);
  });

  it('refuses a module it does not know', () => {
    const m = hotplugMachine(PMEM);
    const [r] = runScript(m, parseScript('insmod btrfs', 't'));
    assert.equal(r!.error, "insmod: can't insert 'btrfs': No such file or directory");
  });
});
