// After a boot with struct pages, the machine is the same whichever deferred-init strategy and
// thread cap ran: the memmap byte for byte (bar the lru links of free block heads), the buddy
// allocator's free blocks, every zone's managed pages. Runs are deterministic.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { memInit, vmallocPreallocPages } from '../../src/arch/x86/mem-init.js';
import type { Machine } from '../../src/kernel/machine.js';
import type { MachineSpec } from '../../src/machine/index.js';
import type { DeferredStrategy } from '../../src/mm/deferred-work.js';
import { pagePoisoned, PAGE_WORDS } from '../../src/mm/page.js';
import type { Buddy } from '../../src/mm/page-alloc.js';
import { forEachValidSection } from '../../src/mm/sparse.js';
import { deferredInitialised } from '../../src/trace/formats/deferred.js';
import { booted, freeBlocks, machineFile, managed, memmapDiff, twoNodes } from './deferred-fixture.js';

const RUNS: [DeferredStrategy, number][] = [['maxorder', 1], ['parallel', 1], ['parallel', 2], ['parallel', 3]];

function run(spec: MachineSpec, strategy: DeferredStrategy, maxThreads: number): Machine {
  const m = booted(spec);
  memInit(m, { strategy, maxThreads, memmap: { trackInit: true } });
  return m;
}

for (const [what, spec] of [['pc-1g (one node)', machineFile('pc-1g')], ['two nodes of 512M and 1G', twoNodes()]] as const) {
  describe(`deferred init on ${what}`, () => {
    const base = run(spec, 'legacy', 1);

    it('leaves no struct page of a present section poisoned', () => {
      for (const ms of forEachValidSection(base.memmap!)) {
        for (let w = 0; w < ms.memmap.length; w += PAGE_WORDS) {
          if (pagePoisoned(ms.memmap, w)) assert.fail(`pfn 0x${(ms.nr * 32768 + w / PAGE_WORDS).toString(16)} still poisoned`);
        }
      }
    });

    it('prints one line per node that deferred; managed pages are free but for mem_init()\'s vmalloc page tables', () => {
      const plan = base.memmapPlan!.firstDeferredPfn;
      const lines = base.printk.lines.map((l) => deferredInitialised.parse(l.text)).filter((v) => v !== undefined);
      assert.deepEqual(lines.map((v) => v.nid), [...plan].filter(([, f]) => Number.isFinite(f)).map(([nid]) => nid));
      let allocated = 0;
      for (const bz of (base.buddy as Buddy).zones) {
        if (!bz) continue;
        assert.equal(bz.freePages + bz.allocatedPages, bz.zone.managedPages, `${bz.nid}/${bz.zid}`);
        allocated += bz.allocatedPages;
      }
      // preallocate_vmalloc_pages(): one PUD page per 512 GiB of the 32 TiB area, one more for KASLR's offset
      assert.equal(allocated, vmallocPreallocPages(false, !base.params.nokaslr));
    });

    for (const [strategy, t] of RUNS) {
      it(`${strategy} with max_threads ${t}: same memmap, free blocks and managed pages as legacy`, () => {
        const m = run(spec, strategy, t);
        assert.equal(memmapDiff(base.memmap!, m.memmap!), undefined);
        assert.deepEqual(freeBlocks(m.buddy as Buddy), freeBlocks(base.buddy as Buddy));
        assert.deepEqual(managed(m), managed(base));
        assert.equal(m.totalramPages, base.totalramPages);
      });
    }

    it('two runs of one strategy and thread cap give identical bytes, lru links included', () => {
      const a = run(spec, 'parallel', 3);
      const b = run(spec, 'parallel', 3);
      for (const ms of forEachValidSection(a.memmap!)) {
        const other = b.memmap!.sections[ms.nr]!.memmap!;
        assert.ok(Buffer.from(ms.memmap.buffer, ms.memmap.byteOffset, ms.memmap.byteLength).equals(Buffer.from(other.buffer, other.byteOffset, other.byteLength)), `section ${ms.nr}`);
      }
    });
  });
}
