// The checker's ZONE_DEVICE classes: each fault injected into a freshly mapped pmem namespace is
// named by its kind and pfn (or node, for zone counts), and undoing it makes the machine clean.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { memInit } from '../../src/arch/x86/mem-init.js';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { MigrateType, PAGES_PER_SECTION, ZoneType } from '../../src/include/mmzone.js';
import { MIGRATETYPE_MASK } from '../../src/include/sparsemem.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { checkMachineReport, type ViolationKind } from '../../src/mm/check.js';
import { getDevPagemap } from '../../src/mm/memremap.js';
import { memremapPmem } from '../../src/mm/memremap-pmem.js';
import { clearPageReserved, pageWord, setPageBuddy, setPageCount, setPageLinks } from '../../src/mm/page.js';
import { setPfnblockFlagsMask } from '../../src/mm/pageblock.js';
import { pfnToSection, sectionMemmap } from '../../src/mm/sparse.js';
import { machineFile } from './deferred-fixture.js';

function mapped(): Machine {
  const spec = machineFile('pc-4g-memmap-pmem');
  const m = machineNew(spec.name, spec.firmware);
  bootMachine(m);
  memInit(m, { memmap: { trackInit: true } });
  assert.equal(memremapPmem(m, { start: 0x80000000, altmap: true }), 0);
  return m;
}

/** Apply a fault to pfn's struct page words, returning the undo. */
function onPage(m: Machine, pfn: number, f: (mm: Uint32Array, w: number) => void): () => void {
  const mm = sectionMemmap(m.memmap!, pfn);
  const w = pageWord(pfn);
  const saved = mm.slice(w, w + 16);
  f(mm, w);
  return () => mm.set(saved, w);
}

const count = (m: Machine, pfn: number): Uint8Array => pfnToSection(m.memmap!, pfn)!.initCount!;
const device = (m: Machine) => m.zones!.nodes.get(0)!.zones[ZoneType.DEVICE]!;

const FAULTS: [string, ViolationKind, number | undefined, (m: Machine) => () => void][] = [
  ['a device page initialised twice', 'device-init-count', 0x80a10, (m) => {
    count(m, 0x80a10)[0x80a10 % PAGES_PER_SECTION]!++;
    return () => void count(m, 0x80a10)[0x80a10 % PAGES_PER_SECTION]!--;
  }],
  ['an altmap memmap page never initialised (poisoned)', 'device-init-count', 0x80300, (m) => onPage(m, 0x80300, (mm, w) => mm.fill(0xffffffff, w, w + 16))],
  ['a device page without PG_reserved', 'device-reserved', 0x80a05, (m) => onPage(m, 0x80a05, clearPageReserved)],
  ['a device page in zone Normal', 'device-zone', 0x8ffff, (m) => onPage(m, 0x8ffff, (mm, w) => setPageLinks(mm, w, ZoneType.NORMAL, 0))],
  ['a device page on node 1', 'device-node', 0x90000, (m) => onPage(m, 0x90000, (mm, w) => setPageLinks(mm, w, ZoneType.DEVICE, 1))],
  ['a device page with a wrong page->pgmap', 'device-pgmap', 0x80a01, (m) => onPage(m, 0x80a01, (mm, w) => void (mm[w + 2] = mm[w + 2]! + 0x400))],
  ['a device page with zone_device_data set', 'device-pgmap', 0x80a02, (m) => onPage(m, 0x80a02, (mm, w) => void (mm[w + 4] = 1))],
  ['a device page marked PageBuddy', 'device-free', 0x9ff00, (m) => onPage(m, 0x9ff00, setPageBuddy)],
  ['a device page with refcount 2', 'device-refcount', 0x80b00, (m) => onPage(m, 0x80b00, (mm, w) => setPageCount(mm, w, 2))],
  ['a device pageblock made unmovable', 'device-migratetype', 0x80c00, (m) => {
    setPfnblockFlagsMask(m.memmap!, 0x80c00, MigrateType.UNMOVABLE, MIGRATETYPE_MASK);
    return () => setPfnblockFlagsMask(m.memmap!, 0x80c00, MigrateType.MOVABLE, MIGRATETYPE_MASK);
  }],
  ['a Device zone that no longer spans its pgmap', 'device-span', 0x80000, (m) => {
    device(m).spannedPages -= 512;
    return () => void (device(m).spannedPages += 512);
  }],
  ['present pages counted in the Device zone', 'device-accounting', undefined, (m) => {
    device(m).presentPages = 7;
    return () => void (device(m).presentPages = 0);
  }],
  ['a subsection of the range not populated', 'device-section', 0x9fe00, (m) => {
    const u = pfnToSection(m.memmap!, 0x9fe00)!.usage;
    const was = u[1]!;
    u[1] = (was & ~0x80000000) >>> 0;
    return () => void (u[1] = was);
  }],
  ['the altmap counting more pfns than its memmap blocks', 'altmap', 0x80000, (m) => {
    const a = getDevPagemap(m, 0x80000)!.altmap!;
    a.alloc += 512;
    return () => void (a.alloc -= 512);
  }],
  ['an info-block (reserve) pfn initialised', 'altmap', 0x80001, (m) => {
    count(m, 0x80001)[0x80001 % PAGES_PER_SECTION] = 1;
    return () => void (count(m, 0x80001)[0x80001 % PAGES_PER_SECTION] = 0);
  }],
];

describe('checker: ZONE_DEVICE faults are named', () => {
  const m = mapped();
  it('a freshly mapped namespace is clean', () => assert.equal(checkMachineReport(m).total, 0));
  for (const [name, kind, pfn, inject] of FAULTS) {
    it(`${name}: ${kind}${pfn === undefined ? '' : ` at 0x${pfn.toString(16)}`}`, () => {
      const undo = inject(m);
      try {
        const vs = checkMachineReport(m).violations;
        const hit = vs.find((v) => v.what === kind && (pfn === undefined || v.pfn === pfn));
        assert.ok(hit, `want ${kind}${pfn === undefined ? '' : ` at 0x${pfn.toString(16)}`}, got:\n${vs.slice(0, 5).map((v) => `${v.what}: ${v.detail}`).join('\n')}`);
        assert.match(hit.detail, pfn === undefined ? /Device zone/ : new RegExp(`0x${pfn.toString(16)}|pgmap 0`));
      } finally {
        undo();
      }
      assert.equal(checkMachineReport(m).total, 0, 'clean again after the undo');
    });
  }
});
