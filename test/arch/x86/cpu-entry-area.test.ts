// setup_cpu_entry_areas(): the page-table pages set_pte_vaddr() takes from memblock.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CPU_ENTRY_AREA_BASE, cpuEntryAreaPages, setupCpuEntryAreas } from '../../../src/arch/x86/cpu-entry-area.js';
import { kernelTablesNew, setPteVaddr } from '../../../src/arch/x86/set-pte-vaddr.js';
import { MiB, requests, tinyMachine } from '../../kernel/start-kernel-fixture.js';

describe('set_pte_vaddr', () => {
  it('an empty p4d slot needs a PUD, a PMD and a PTE page; its neighbours reuse them', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]] });
    const t = kernelTablesNew();
    setPteVaddr(m.memblock!, t, CPU_ENTRY_AREA_BASE);
    setPteVaddr(m.memblock!, t, CPU_ENTRY_AREA_BASE + 511 * 4096); // same PTE page
    assert.equal(requests(trace).length, 3);
    setPteVaddr(m.memblock!, t, CPU_ENTRY_AREA_BASE + 2 * MiB); // next PTE page
    setPteVaddr(m.memblock!, t, CPU_ENTRY_AREA_BASE + 2 ** 30); // next PMD page, and its PTE page
    assert.deepEqual(requests(trace), Array(6).fill('4096 0x1000 spp_getpage'));
  });

  it('no memblock page: the kernel panics', () => {
    const { m } = tinyMachine({ ram: [[MiB, MiB + 4096]], reserved: [[MiB, MiB + 4096]] });
    assert.throws(() => setPteVaddr(m.memblock!, kernelTablesNew(), CPU_ENTRY_AREA_BASE), /cannot allocate page data/);
  });
});

describe('setup_cpu_entry_areas', () => {
  it('CPU 1 starts 59 pages after CPU 0, which follows the read-only IDT page', () => {
    assert.deepEqual(cpuEntryAreaPages(0, false).slice(0, 3), [1, 2, 3]);
    assert.equal(cpuEntryAreaPages(1, false)[0], 60);
    // AMD: the last page mapped is the #MC stack's, 18 pages in; Intel adds the debug store and buffers
    assert.equal(cpuEntryAreaPages(0, false).at(-1), 19);
    assert.equal(cpuEntryAreaPages(0, true).at(-1), 59);
  });

  // One PTE page covers 512 pages: CPU 8's area (AMD) ends at page 1 + 8 × 59 + 18 = 491, CPU 9's starts at 532.
  const cases: [number, boolean, number][] = [[1, false, 3], [2, false, 3], [8, false, 3], [9, false, 3], [10, false, 4], [8, true, 3], [9, true, 4], [64, false, 10]];
  for (const [cpus, intel, pages] of cases) {
    it(`${cpus} CPUs${intel ? ', Intel' : ''}: ${pages} spp_getpage() pages`, () => {
      const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]], nrCpus: cpus });
      setupCpuEntryAreas(m, intel);
      assert.deepEqual(requests(trace), Array(pages).fill('4096 0x1000 spp_getpage'));
    });
  }
});
