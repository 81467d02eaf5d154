// SPARSEMEM_VMEMMAP sections: which sections boot populates, the budget refusal, pfn_valid and
// the subsection map under hotplug add/remove (a model-based property test), pageblock bits.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MigrateType, PAGES_PER_SECTION } from '../../src/include/mmzone.js';
import { SectionFlag, PAGES_PER_SUBSECTION, SECTION_MEMMAP_BYTES, USAGE_WORDS } from '../../src/include/sparsemem.js';
import { memblockAdd, memblockCreate, memblockSetNode } from '../../src/mm/memblock.js';
import { PAGE_WORDS, PoisonedPageError } from '../../src/mm/page.js';
import { getPageblockMigratetype, pfnToBitidx, setPageblockMigratetype } from '../../src/mm/pageblock.js';
import {
  EEXIST, EINVAL, ENOMEM, memblocksPresent, MemmapBudgetError, memmapNew, pageView, pageViewChecked, pfnValid,
  sparseAddSection, sparseInit, sparseRemoveSection,
} from '../../src/mm/sparse.js';

const M = 1024 ** 2;
const SEC = 128 * M;

//  section:   0         1         2         3         4         5
//  node 0:  |==|====|=========|                                       [0x1000, 0x9f000) [1 MiB, 300 MiB)
//  node 1:                                   |=========|====|          [512 MiB, 700 MiB)
function twoNodes() {
  const mb = memblockCreate();
  memblockAdd(mb, 0x1000, 0x9e000);
  memblockAdd(mb, M, 299 * M);
  memblockAdd(mb, 512 * M, 188 * M);
  memblockSetNode(mb, 0, 512 * M, mb.memory, 0);
  memblockSetNode(mb, 512 * M, 188 * M, mb.memory, 1);
  return mb;
}

describe('sparse_init', () => {
  const mb = twoNodes();
  const mm = sparseInit(mb);

  it('populates the sections holding memory, each with the node that first covers it', () => {
    assert.deepEqual([...memblocksPresent(mb)], [[0, 0], [1, 0], [2, 0], [4, 1], [5, 1]]);
    assert.deepEqual(mm.sections.map((s, i) => (s ? i : -1)).filter((i) => i >= 0), [0, 1, 2, 4, 5]);
    for (const ms of mm.sections) {
      if (!ms) continue;
      assert.equal(ms.memmap!.byteLength, SECTION_MEMMAP_BYTES);
      assert.ok(ms.memmap!.buffer instanceof SharedArrayBuffer);
      assert.equal(ms.flags, SectionFlag.MARKED_PRESENT | SectionFlag.HAS_MEM_MAP | SectionFlag.IS_ONLINE | SectionFlag.IS_EARLY);
    }
    assert.equal(mm.allocatedBytes, 5 * SECTION_MEMMAP_BYTES);
  });

  it('shares one usage buffer per run of a node, like sparse_init_nid()', () => {
    const [s0, s2, s4] = [mm.sections[0]!, mm.sections[2]!, mm.sections[4]!];
    assert.equal(s0.usage.buffer, s2.usage.buffer);
    assert.notEqual(s0.usage.buffer, s4.usage.buffer);
    assert.equal(s2.usage.byteOffset, 2 * USAGE_WORDS * 4);
  });

  it('poisons the memmap: reading any struct page throws, naming the pfn', () => {
    const v = pageView(mm, 0x8123);
    assert.equal(v.w, 0x123 * PAGE_WORDS);
    assert.ok(v.mm.every((x) => x === 0xffffffff));
    assert.throws(() => pageViewChecked(mm, 0x8123), (e: unknown) => e instanceof PoisonedPageError && e.pfn === 0x8123);
    assert.throws(() => pageView(mm, 3 * PAGES_PER_SECTION), /section 3 has no memmap/);
  });

  it('pfn_valid: early sections are valid throughout, holes between sections are not', () => {
    assert.equal(pfnValid(mm, 0), true); // not memory, but section 0 is early
    assert.equal(pfnValid(mm, (300 * M) / 4096 + 5), true); // tail of section 2
    assert.equal(pfnValid(mm, (3 * SEC) / 4096), false);
    // subsection_map_init(): section 2 holds memory up to 300 MiB = subsection 22 of the section.
    assert.equal(mm.sections[2]!.usage[0], (1 << 22) - 1);
  });
});

describe('the memmap budget', () => {
  it('refuses a machine whose memmap does not fit, before allocating', () => {
    const mb = memblockCreate();
    memblockAdd(mb, 0, 384 * 1024 * M); // the seed's node: 3072 sections, a 6 GiB memmap
    assert.throws(() => sparseInit(mb, { budgetBytes: 4 * 1024 * M }), (e: unknown) =>
      e instanceof MemmapBudgetError && e.neededBytes === 3072 * SECTION_MEMMAP_BYTES && e.availableBytes === 4 * 1024 * M
      && /needs 6442450944 bytes \(6\.00 GiB\), only 4294967296 bytes \(4\.00 GiB\) are available/.test(e.message));
  });
  it('counts the init counters when tracking', () => {
    const mb = memblockCreate();
    memblockAdd(mb, 0, 2 * SEC);
    assert.throws(() => sparseInit(mb, { budgetBytes: 2 * SECTION_MEMMAP_BYTES, trackInit: true }), MemmapBudgetError);
    assert.equal(sparseInit(mb, { budgetBytes: 2 * SECTION_MEMMAP_BYTES }).allocatedBytes, 2 * SECTION_MEMMAP_BYTES);
  });
  it('hot-add beyond the budget is -ENOMEM', () => {
    const mm = memmapNew({ budgetBytes: SECTION_MEMMAP_BYTES });
    assert.equal(sparseAddSection(mm, 0, 0, PAGES_PER_SECTION), 0);
    assert.equal(sparseAddSection(mm, 0, PAGES_PER_SECTION, PAGES_PER_SECTION), ENOMEM);
  });
});

describe('sparse_add_section / sparse_remove_section', () => {
  it('errors as the kernel does', () => {
    const mm = memmapNew();
    assert.equal(sparseAddSection(mm, 0, 0, PAGES_PER_SUBSECTION), 0);
    assert.equal(sparseAddSection(mm, 0, 0, PAGES_PER_SECTION), EEXIST);
    assert.equal(sparseAddSection(mm, 0, PAGES_PER_SECTION - 1, 2), EINVAL, 'crosses a section');
    assert.equal(sparseRemoveSection(mm, 0, 2 * PAGES_PER_SUBSECTION), EINVAL, 'subsection 1 was never added');
    assert.equal(sparseRemoveSection(mm, 0, PAGES_PER_SUBSECTION), 0);
    assert.equal(mm.sections[0]!.flags, 0);
    assert.equal(mm.allocatedBytes, 0);
  });

  it('a partial add into an early section reuses its memmap', () => {
    const mb = memblockCreate();
    memblockAdd(mb, 0, 64 * M);
    const mm = sparseInit(mb);
    const before = mm.sections[0]!.memmap;
    assert.equal(pfnValid(mm, (64 * M) / 4096), true);
    assert.equal(sparseAddSection(mm, 0, (64 * M) / 4096, PAGES_PER_SUBSECTION), 0);
    assert.equal(mm.sections[0]!.memmap, before);
    assert.equal(mm.allocatedBytes, SECTION_MEMMAP_BYTES);
  });

  // Model: the set of populated subsections of 3 sections; pfn_valid and the memmap bytes follow it.
  it('agrees with a model of populated subsections under random add/remove', () => {
    const SUBS = 3 * 64;
    const op = fc.record({ add: fc.boolean(), sub: fc.integer({ min: 0, max: SUBS - 1 }), n: fc.integer({ min: 1, max: 64 }) });
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      const mm = memmapNew({ poison: false });
      const model = new Set<number>();
      for (const { add, sub, n: n0 } of ops) {
        const n = Math.min(n0, 64 - (sub % 64));
        const subs = Array.from({ length: n }, (_, i) => sub + i);
        const pfn = sub * PAGES_PER_SUBSECTION;
        if (add) {
          const clash = subs.some((s) => model.has(s));
          assert.equal(sparseAddSection(mm, 0, pfn, n * PAGES_PER_SUBSECTION), clash ? EEXIST : 0);
          if (!clash) subs.forEach((s) => model.add(s));
        } else {
          const whole = subs.every((s) => model.has(s));
          assert.equal(sparseRemoveSection(mm, pfn, n * PAGES_PER_SUBSECTION), whole ? 0 : EINVAL);
          if (whole) subs.forEach((s) => model.delete(s));
        }
        for (let s = 0; s < SUBS; s++) assert.equal(pfnValid(mm, s * PAGES_PER_SUBSECTION + 7), model.has(s), `subsection ${s}`);
        const populated = new Set([...model].map((s) => Math.floor(s / 64)));
        assert.equal(mm.allocatedBytes, populated.size * SECTION_MEMMAP_BYTES);
      }
    }), { numRuns: 60 });
  });
});

describe('pageblock migratetype bits', () => {
  const mb = memblockCreate();
  memblockAdd(mb, 0, 2 * SEC);
  const mm = sparseInit(mb);
  it('start as Unmovable (the usage map is zeroed)', () => {
    assert.equal(getPageblockMigratetype(mm, 0x8600), MigrateType.UNMOVABLE);
  });
  it('pfn 0x8600 is pageblock 3 of section 1: bits 12..15', () => {
    assert.equal(pfnToBitidx(0x8600), 12);
    setPageblockMigratetype(mm, 0x8600, MigrateType.RECLAIMABLE);
    assert.equal(mm.sections[1]!.usage[2], MigrateType.RECLAIMABLE << 12);
    assert.equal(getPageblockMigratetype(mm, 0x87ff), MigrateType.RECLAIMABLE);
    assert.equal(getPageblockMigratetype(mm, 0x8800), MigrateType.UNMOVABLE);
  });
  it('the last pageblock of a section uses the top bits of the fourth u64', () => {
    setPageblockMigratetype(mm, 0xffff, MigrateType.MOVABLE);
    assert.equal(mm.sections[1]!.usage[9], (MigrateType.MOVABLE << 28) >>> 0);
  });
  it('page_group_by_mobility_disabled makes the per-cpu types Unmovable', () => {
    setPageblockMigratetype(mm, 0x200, MigrateType.MOVABLE, true);
    assert.equal(getPageblockMigratetype(mm, 0x200), MigrateType.UNMOVABLE);
    setPageblockMigratetype(mm, 0x200, MigrateType.ISOLATE, true);
    assert.equal(getPageblockMigratetype(mm, 0x200), MigrateType.ISOLATE);
  });
});
