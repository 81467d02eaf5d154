// ZONE_DEVICE: memremap_pages()/memunmap_pages() for pmem on booted machines — spans, struct page
// words, altmap offsets, the kernel's errno for each refusal (and nothing changed after one), the
// unmap, compound pages, and the checker clean throughout.
//
// pc-4g-memmap-pmem: memmap=512M!0x80000000, pfns 0x80000..0xa0000 (sections 16..19, none early).
//
//   0x80000 0x80002        0x80200  0x80400 ...  0x80a00                              0xa0000
//   |reserve| align (510) | memmap  | memmap | ... | device pages ...                     |
//   |<-------------- altmap: reserve 2, free 2558 -->|
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { memInit } from '../../src/arch/x86/mem-init.js';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { ENXIO, MemoryType } from '../../src/include/memremap.js';
import { MigrateType, NUMA_NO_NODE, ZoneType } from '../../src/include/mmzone.js';
import { PG } from '../../src/include/page-flags.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { loadPreset, parseMachine } from '../../src/machine/index.js';
import { checkMachineReport } from '../../src/mm/check.js';
import { getDevPagemap, memremapPages, MemremapInputError, memunmapPages, pfnFirst } from '../../src/mm/memremap.js';
import { addMemory, memoryHotplugInit, removeMemory } from '../../src/mm/memory-hotplug.js';
import { memremapAllPmem, memremapPmem, memremapPmemResult, memunmapPmem, ndPfnLayout, pmemRanges } from '../../src/mm/memremap-pmem.js';
import {
  PageWord, pagePgmapHi, pagePgmapLo, pagePoisoned, pageRefcount, pageReserved, pageToNid, pageWord, pageZonenum,
  pageZoneDeviceDataNull, testPageFlag, vmemmapHi, vmemmapLo,
} from '../../src/mm/page.js';
import { getPageblockMigratetype } from '../../src/mm/pageblock.js';
import { EEXIST, EINVAL, ENOMEM, pfnValid, sectionBytes, sectionMemmap, sparseAddSection, sparseRemoveSection } from '../../src/mm/sparse.js';
import { machineFile } from './deferred-fixture.js';

const M = 2 ** 20;

function boot(spec = machineFile('pc-4g-memmap-pmem')): Machine {
  const m = machineNew(spec.name, spec.firmware);
  bootMachine(m);
  memInit(m, { memmap: { trackInit: true } });
  return m;
}

const page = (m: Machine, pfn: number) => ({ mm: sectionMemmap(m.memmap!, pfn), w: pageWord(pfn) });
const device = (m: Machine, nid = 0) => m.zones!.nodes.get(nid)!.zones[ZoneType.DEVICE]!;
const clean = (m: Machine): void => {
  const r = checkMachineReport(m);
  assert.equal(r.total, 0, r.violations.slice(0, 5).map((v) => `${v.what}: ${v.detail}`).join('\n'));
};

/** The machine state a failed or undone memremap must leave as it was. */
function snapshot(m: Machine): string {
  const secs = m.memmap!.sections.map((s, nr) => (s ? `${nr}:${s.flags}:${!!s.memmap}:${s.usage[0]}:${s.usage[1]}` : '')).filter(Boolean);
  const zones = [...m.zones!.nodes.values()].map((pg) => [pg.nodeStartPfn, pg.nodeSpannedPages, ...pg.zones.map((z) => [z.zoneStartPfn, z.spannedPages])]);
  return JSON.stringify({ secs, zones, bytes: m.memmap!.allocatedBytes, pgmaps: m.pgmaps?.pgmaps.length ?? 0 });
}

describe('memremap_pages: a pfn device with the memmap on the device (altmap)', () => {
  const m = boot();
  const start = 0x80000000;
  it('finds the machine\'s pmem range and maps it: 0', () => {
    assert.deepEqual(pmemRanges(m), [{ start, size: 512 * M, type: 12 }]);
    assert.equal(memremapPmem(m, { start, altmap: true }), 0);
  });
  it('lays the altmap out as nd_pfn_init() does: 8K info block, memmap area aligned to 2M', () => {
    const p = getDevPagemap(m, 0x80000)!;
    assert.deepEqual(p.altmap, { basePfn: 0x80000, endPfn: 0x9ffff, reserve: 2, free: 2558, alloc: 4 * 512, align: 510 });
    assert.deepEqual([...p.vmemmapPfn], [[16, 0x80200], [17, 0x80400], [18, 0x80600], [19, 0x80800]]);
    assert.equal(pfnFirst(p), 0x80a00);
    assert.equal(p.ref, 0xa0000 - 0x80a00);
    assert.equal(p.type, MemoryType.FS_DAX);
  });
  it('grows the Device zone span; present and managed stay 0; the node already spanned it', () => {
    assert.deepEqual([device(m).zoneStartPfn, device(m).spannedPages, device(m).presentPages, device(m).managedPages], [0x80000, 0x20000, 0, 0]);
    const pg = m.zones!.nodes.get(0)!;
    assert.deepEqual([pg.nodeStartPfn, pg.nodeEndPfn], [1, 0x140000]);
  });
  it('leaves the info block poisoned, initialises the memmap pages without a pgmap, device pages with one', () => {
    const r = page(m, 0x80001);
    assert.ok(pagePoisoned(r.mm, r.w) && pfnValid(m.memmap!, 0x80001));
    const a = page(m, 0x80002);
    assert.deepEqual([pageZonenum(a.mm, a.w), pageToNid(a.mm, a.w), pageReserved(a.mm, a.w)], [ZoneType.DEVICE, 0, true]);
    assert.deepEqual([pagePgmapHi(a.mm, a.w), pagePgmapLo(a.mm, a.w)], [vmemmapHi(0x80002), vmemmapLo(0x80002) + 8], 'lru self-linked');
    const d = page(m, 0x80a00);
    const p = getDevPagemap(m, 0x80a00)!;
    assert.deepEqual([pageZonenum(d.mm, d.w), pageToNid(d.mm, d.w), pageReserved(d.mm, d.w)], [ZoneType.DEVICE, 0, true]);
    assert.deepEqual([pagePgmapHi(d.mm, d.w), pagePgmapLo(d.mm, d.w)], [p.addrHi, p.addrLo]);
    assert.equal(p.addrHi, 0xffff8881);
    assert.ok(pageZoneDeviceDataNull(d.mm, d.w));
    assert.deepEqual([pageRefcount(d.mm, d.w), d.mm[d.w + PageWord.MAPCOUNT]! | 0], [1, -1]);
  });
  it('gives pageblocks starting in the altmap and device pages MIGRATE_MOVABLE', () => {
    for (const pb of [0x80200, 0x80a00, 0x9fe00]) assert.equal(getPageblockMigratetype(m.memmap!, pb), MigrateType.MOVABLE);
  });
  it('passes the checker', () => clean(m));
  it('refuses the same namespace again: the pgmap conflicts (ENOMEM), nothing changes', () => {
    const before = snapshot(m);
    assert.equal(memremapPmem(m, { start, altmap: true }), ENOMEM);
    assert.equal(snapshot(m), before);
  });
  it('unmaps: sections gone, altmap blocks returned, Device span kept (6.1 never shrinks it), checker clean', () => {
    const p = getDevPagemap(m, 0x80000)!;
    const bytes = m.memmap!.allocatedBytes;
    memunmapPmem(m, start);
    assert.equal(p.altmap!.alloc, 0);
    assert.equal(p.ref, 0);
    assert.equal(m.memmap!.allocatedBytes, bytes - 4 * sectionBytes(true));
    assert.ok(!pfnValid(m.memmap!, 0x80a00));
    assert.deepEqual([device(m).zoneStartPfn, device(m).spannedPages], [0x80000, 0x20000]);
    clean(m);
    assert.throws(() => memunmapPmem(m, start), /no ZONE_DEVICE mapping starts there/);
  });
  it('maps again after the unmap, as a raw namespace (memmap in RAM): device pages from the first pfn', () => {
    assert.equal(memremapPmem(m, { start, altmap: false }), 0);
    const d = page(m, 0x80000);
    assert.ok(pageReserved(d.mm, d.w) && pageZoneDeviceDataNull(d.mm, d.w));
    assert.equal(getDevPagemap(m, 0x80000)!.altmap, undefined);
    clean(m);
  });
});

describe('memremap_pages refusals: the kernel\'s errno, and nothing changed', () => {
  const m = boot();
  const req = (start: number, size: number, extra: object = {}) =>
    memremapPages(m, { type: MemoryType.FS_DAX, start, size, nid: NUMA_NO_NODE, ...extra }).err;
  const unchanged = (f: () => number, want: number): void => {
    const before = snapshot(m);
    assert.equal(f(), want);
    assert.equal(snapshot(m), before);
  };
  it('System RAM, all or part of the range: ENXIO', () => {
    unchanged(() => req(0x40000000, 2 * M), ENXIO);
    unchanged(() => req(0x7fe00000, 4 * M), ENXIO);
  });
  it('not whole 2 MiB subsections: EINVAL (check_pfn_span)', () => {
    unchanged(() => req(0x80001000, 2 * M), EINVAL);
    unchanged(() => req(0x80000000, 3 * M), EINVAL);
  });
  it('a pfn device at an address not 2M aligned: EINVAL (nd_pfn_init)', () => {
    unchanged(() => memremapPmem(m, { start: 0x80100000, altmap: true }), EINVAL);
  });
  it('beyond the hotpluggable range (64 TiB): EINVAL, quickly even for a petabyte', () => {
    unchanged(() => req(2 ** 46, 2 * M), EINVAL);
    unchanged(() => req(2 ** 46, 2 ** 50), EINVAL);
  });
  it('memory hot-added as System RAM (add_memory(), its resource in iomem): ENXIO; removed again, the range is free', () => {
    const h = boot();
    memoryHotplugInit(h);
    const hreq = (): number => memremapPages(h, { type: MemoryType.FS_DAX, start: 0x8fe00000, size: 4 * M, nid: NUMA_NO_NODE }).err;
    assert.equal(addMemory(h, 0, 0x90000000, 128 * M), 0);
    const before = snapshot(h);
    assert.equal(hreq(), ENXIO);
    assert.equal(snapshot(h), before);
    assert.equal(removeMemory(h, 0x90000000, 128 * M), 0);
    assert.equal(hreq(), 0);
  });
  it('an altmap too small for the memmap of every full section: ENOMEM', () => {
    unchanged(() => req(0x80000000, 256 * M, { altmap: { reserve: 2, free: 600 } }), ENOMEM);
  });
  it('an altmap that does not start at the range: EINVAL', () => {
    unchanged(() => req(0x80000000, 256 * M, { altmap: { basePfn: 0x80200, reserve: 2, free: 2000 } }), EINVAL);
  });
  it('no host memory for the memmap: ENOMEM', () => {
    const budget = m.memmap!.budgetBytes;
    m.memmap!.budgetBytes = m.memmap!.allocatedBytes + 2 * M;
    try {
      unchanged(() => req(0x80000000, 512 * M), ENOMEM);
    } finally {
      m.memmap!.budgetBytes = budget;
    }
  });
  it('overlapping a live pgmap in the middle: EEXIST from sparse_add_section(); at its ends: ENOMEM', () => {
    assert.equal(req(0x88000000, 64 * M), 0);
    unchanged(() => req(0x80000000, 512 * M), EEXIST);
    unchanged(() => req(0x88000000 + 62 * M, 4 * M), ENOMEM);
    unchanged(() => req(0x86000000, 34 * M), ENOMEM);
    clean(m);
  });
  it('bad input throws one line naming it', () => {
    assert.throws(() => req(0x80000000, 0), /size 0: not a positive multiple of 4 KiB/);
    assert.throws(() => memremapPages(m, { type: MemoryType.FS_DAX, start: 0x80000000, size: 2 * M, nid: 7 }), /node 7: not a node of/);
    assert.throws(() => memremapPmem(m, { start: 0x40000000, altmap: true }), MemremapInputError);
    assert.throws(() => memremapPmem(m, { start: 0x40000000, altmap: true }), /0x40000000: not in a persistent-memory e820 range of .* \(0x80000000\+0x20000000\)/);
    assert.throws(() => memremapPmem(m, { start: 0x80000000, size: 1024 * M, altmap: true }), /runs past the pmem range/);
  });
});

describe('a pmem range sharing an early section with RAM (memmap=64M!0x84000000)', () => {
  const m = boot(parseMachine('machine: pc\nmemory: 4G\npmem:\n  - { start: 0x84000000, size: 64M, type: memmap }\n', 'pc-4g-pmem64m.yaml'));
  it('maps the subsections into the boot memmap (no new section), checker clean', () => {
    const bytes = m.memmap!.allocatedBytes;
    assert.equal(memremapPmem(m, { start: 0x84000000, altmap: false }), 0);
    assert.equal(m.memmap!.allocatedBytes, bytes);
    const d = page(m, 0x84000);
    assert.equal(pageZonenum(d.mm, d.w), ZoneType.DEVICE);
    clean(m);
  });
  it('unmaps: the struct pages stay valid but poisoned, as 6.1 leaves an early section; checker clean', () => {
    memunmapPmem(m, 0x84000000);
    assert.ok(pfnValid(m.memmap!, 0x84000));
    const d = page(m, 0x84000);
    assert.ok(pagePoisoned(d.mm, d.w));
    assert.deepEqual(m.pgmaps!.poisonedEarly, [[0x84000, 0x88000]]);
    clean(m);
    assert.equal(memremapPmem(m, { start: 0x84000000, altmap: false }), 0);
    assert.deepEqual(m.pgmaps!.poisonedEarly, []);
    clean(m);
  });
});

describe('devdax: compound pages (vmemmap_shift 9) on a pfn device', () => {
  const m = boot();
  it('maps 2 MiB compound pages: PG_head, compound_head, order and compound_nr, tails at refcount 0', () => {
    const r = memremapPmemResult(m, { start: 0x80000000, altmap: true, mode: 'devdax' });
    assert.equal(r.err, 0);
    const p = r.pgmap!;
    assert.deepEqual([p.type, p.vmemmapShift, pfnFirst(p)], [MemoryType.GENERIC, 9, 0x80a00]);
    const h = page(m, 0x80a00);
    assert.ok(testPageFlag(h.mm, h.w, PG.head));
    assert.deepEqual([pagePgmapHi(h.mm, h.w), pagePgmapLo(h.mm, h.w), pageRefcount(h.mm, h.w)], [p.addrHi, p.addrLo, 1]);
    const t1 = page(m, 0x80a01);
    assert.deepEqual([pagePgmapHi(t1.mm, t1.w), pagePgmapLo(t1.mm, t1.w)], [vmemmapHi(0x80a00), vmemmapLo(0x80a00) + 1]);
    assert.equal(t1.mm[t1.w + 4]! & 0xffff, (9 << 8) | 1, 'dtor COMPOUND_PAGE_DTOR, order 9');
    assert.deepEqual([t1.mm[t1.w + 5]! | 0, t1.mm[t1.w + 6], t1.mm[t1.w + 7]], [-1, 0, 512]);
    const t = page(m, 0x80b17);
    assert.deepEqual([t.mm[t.w + PageWord.MAPPING], t.mm[t.w + PageWord.MAPPING + 1], pageRefcount(t.mm, t.w)], [0x400, 0xdead0000, 0]);
    assert.equal(p.ref, (0xa0000 - 0x80a00) / 512);
    clean(m);
    memunmapPages(m, p);
    clean(m);
  });
  it('refuses device pages that are not whole compound pages: EINVAL', () => {
    const err = memremapPages(m, { type: MemoryType.GENERIC, start: 0x80000000, size: 6 * M, nid: 0, vmemmapShift: 10 }).err;
    assert.equal(err, EINVAL);
    clean(m);
  });
});

describe('pfn device layout (nd_pfn_init)', () => {
  for (const [size, offset, free] of [[16 * 1024 * M, 258 * M, 66046], [512 * M, 10 * M, 2558], [64 * M, 2 * M, 510]] as const) {
    it(`${size / M}M: dataoff ${offset / M}M, altmap free ${free}`, () => {
      const lay = ndPfnLayout(0x100000000, size, 2 * M);
      assert.ok(typeof lay !== 'number');
      assert.deepEqual([lay.offset, lay.altmap.reserve, lay.altmap.free], [offset, 2, free]);
    });
  }
  it('no room left for data: ENXIO', () => assert.equal(ndPfnLayout(0x100000000, 2 * M, 2 * M), ENXIO));
});

describe('the default preset: every pmem range mapped at once, on the node that owns it', () => {
  const m = boot(loadPreset('default'));
  it('maps memmap=1G!0x240000000 into node 1\'s Device zone and grows node 1\'s span past it', () => {
    assert.deepEqual(memremapAllPmem(m, { altmap: true }), [{ start: 0x240000000, size: 1024 * M, err: 0 }]);
    const p = getDevPagemap(m, 0x240000)!;
    assert.equal(p.nid, 1);
    assert.deepEqual([device(m, 1).zoneStartPfn, device(m, 1).spannedPages], [0x240000, 0x40000]);
    assert.deepEqual([device(m, 0).zoneStartPfn, device(m, 0).spannedPages], [0, 0]);
    const pg = m.zones!.nodes.get(1)!;
    assert.deepEqual([pg.nodeStartPfn, pg.nodeEndPfn, pg.nodeSpannedPages], [0x180000, 0x280000, 0x100000]);
    const d = page(m, pfnFirst(p));
    assert.equal(pageToNid(d.mm, d.w), 1);
    clean(m);
  });
  it('keeps node 1\'s grown span after the unmap (6.1 does not shrink it)', () => {
    memunmapPmem(m, 0x240000000);
    assert.equal(m.zones!.nodes.get(1)!.nodeEndPfn, 0x280000);
    clean(m);
  });
});
