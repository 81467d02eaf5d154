// Persistent memory and hot-pluggable DIMMs: where they go, what they add to the firmware.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MachineError, parseMachine } from '../../src/machine/index.js';
import { e820Lines, G, M, sratLines } from './fixture.js';

const HOTPLUG = 'machine: pc\nnodes: [{memory: 4G, cpus: 2}, {}]\nmaxmem: 8G\nslots: 2\n';
const build = (yaml: string) => parseMachine(yaml, 'm.yaml');
const fails = (yaml: string, message: RegExp) => assert.throws(() => build(yaml), (e) => e instanceof MachineError && message.test(e.message));

describe('persistent memory', () => {
  it('memmap: a memmap=nn!ss argument; the firmware map stays as it was', () => {
    const spec = build('machine: pc\nmemory: 4G\npmem: [{start: 0x80000000, size: 512M}]\n');
    assert.equal(spec.firmware.cmdline, 'console=ttyS0 memblock=debug ignore_loglevel nokaslr memmap=512M!0x80000000');
    assert.deepEqual(e820Lines(spec.firmware), e820Lines(build('machine: pc\nmemory: 4G\n').firmware));
  });

  it('pram: an e820 type-12 entry placed 1G-aligned above RAM, with a non-volatile SRAT entry', () => {
    const spec = build('machine: pc\nnodes: [{memory: 4G}]\npmem: [{size: 2G, type: pram, node: 0}, {size: 1G, type: pmem}]\n');
    const lines = e820Lines(spec.firmware);
    assert.deepEqual(lines.slice(-3), [
      '[mem 0x0000000140000000-0x00000001bfffffff] persistent (type 12)',
      '[mem 0x00000001c0000000-0x00000001ffffffff] persistent (type 7)',
      '[mem 0x000000fd00000000-0x000000ffffffffff] reserved',
    ]);
    assert.equal(sratLines(spec.firmware).at(-1), 'Node 0 PXM 0 [mem 0x140000000-0x1bfffffff] non-volatile');
    assert.deepEqual(spec.pmem.map((p) => [p.type, p.nid]), [['pram', 0], ['pmem', undefined]]);
  });

  it('pram at an explicit address must miss the firmware map', () => {
    fails('memory: 4G\npmem: [{start: 0xc0000000, size: 1G, type: pram}]\n', /pmem\[0\]: \[mem 0xc0000000-0xffffffff\] overlaps the e820 entry \[mem 0xfffc0000-0xffffffff\] \(type 2\)$/);
  });

  it('two pmem ranges must not overlap', () => {
    fails('memory: 4G\npmem: [{start: 1G, size: 1G}, {start: 1.5G, size: 1G}]\n', /pmem\[1\]: \[mem 0x60000000-0x9fffffff\] overlaps pmem\[0\]/);
  });
});

describe('hot-pluggable DIMMs', () => {
  it('the hotplug region follows RAM, 1G-aligned: maxmem - memory + 1G per slot', () => {
    const spec = build(HOTPLUG);
    assert.deepEqual(spec.deviceMemory, { start: 5 * G, size: 6 * G, pxm: 1, nid: 1 });
    assert.deepEqual(spec.dimms, []);
  });

  it('DIMMs go first-fit in list order, node 0 unless told', () => {
    const spec = build(`${HOTPLUG}dimms: [{size: 1G, node: 1}, {size: 512M}]\n`);
    assert.deepEqual(spec.dimms, [
      { start: 5 * G, size: G, pxm: 1, nid: 1 },
      { start: 6 * G, size: 512 * M, pxm: 0, nid: 0 },
    ]);
  });

  it('an explicit start is kept and later DIMMs go around it', () => {
    const spec = build(`${HOTPLUG.replace('slots: 2', 'slots: 3')}dimms: [{start: 0x140200000, size: 1G}, {size: 2M}, {size: 4M}]\n`);
    assert.deepEqual(spec.dimms.map((d) => d.start), [0x140200000, 0x140000000, 5 * G + 2 * M + G]);
  });

  it('DIMMs are not in the boot firmware map', () => {
    assert.deepEqual(build(`${HOTPLUG}dimms: [{size: 1G}]\n`).firmware, build(HOTPLUG).firmware);
  });

  it('a DIMM must fit the region, its alignment and its node', () => {
    fails(`${HOTPLUG}dimms: [{start: 4G, size: 1G}]\n`, /dimms\[0\]: \[mem 0x100000000-0x13fffffff\] is outside the hotplug region \[mem 0x140000000-0x2bfffffff\]$/);
    fails(`${HOTPLUG}dimms: [{size: 3M}]\n`, /dimms\[0\]\.size: 0x300000 is not a multiple of 2 MiB/);
    fails(`${HOTPLUG}dimms: [{start: 0x140001000, size: 2M}]\n`, /dimms\[0\]\.start: 0x140001000 is not 2 MiB aligned/);
    fails(`${HOTPLUG}dimms: [{size: 2M, node: 5}]\n`, /dimms\[0\]\.node: node 5 is not one of the machine's nodes \(0, 1\)$/);
    fails(`${HOTPLUG}dimms: [{size: 4G}, {size: 4G}]\n`, /dimms\[1\]: no room for 4G in the hotplug region/);
  });

  it('an e820 machine places DIMMs only where told', () => {
    const e820 = 'e820: [{start: 0, end: 0x9fc00, type: usable}, {start: 1M, end: 1G, type: usable}]\n';
    assert.deepEqual(build(`${e820}dimms: [{start: 4G, size: 1G}]\n`).dimms, [{ start: 4 * G, size: G, pxm: 0, nid: 0 }]);
    fails(`${e820}dimms: [{size: 1G}]\n`, /dimms\[0\]\.start: missing: an e820 machine has no hotplug region/);
    fails(`${e820}dimms: [{start: 512M, size: 1G}]\n`, /dimms\[0\]: \[mem 0x20000000-0x5fffffff\] overlaps the e820 entry/);
  });
});
