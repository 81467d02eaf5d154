// The sizes sparse_init() asks memblock for, from the section geometry of Debian's 6.1 build,
// each checked against a request line of the corpus.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { pgdIndex, vmemmapBase } from '../../src/arch/x86/pgtable.js';
import {
  MEM_SECTION_PTR_SIZE, MEM_SECTION_SIZE, MEM_SECTION_USAGE_SIZE, SECTIONS_PER_ROOT, USEMAP_SIZE,
  maxPhysmemBits, nrSectionRoots, sectionNrToRoot,
} from '../../src/include/sparsemem.js';

describe('mem_section roots', () => {
  it('a root is one page of 32-byte mem_sections: 128 sections, 16 GiB', () => {
    assert.equal(MEM_SECTION_SIZE * SECTIONS_PER_ROOT, 4096); // "sparse_index_alloc: 4096 bytes"
    // pc-20g: RAM up to section 167 (21 GiB) takes two roots, two "sparse_index_alloc" lines.
    assert.deepEqual([0, 127, 128, 167].map(sectionNrToRoot), [0, 0, 1, 1]);
  });
  // memory_present()'s root array: "memblock_alloc_try_nid: 32768 bytes … sparse_init" (pc-4g),
  // "2097152 bytes" with 5-level paging (pc-4g-la57).
  const cases: [string, boolean, number, number][] = [['4-level', false, 46, 32768], ['5-level', true, 52, 2097152]];
  for (const [name, l5, bits, bytes] of cases) {
    it(`${name}: MAX_PHYSMEM_BITS ${bits}, ${bytes} bytes of root pointers`, () => {
      assert.equal(maxPhysmemBits(l5), bits);
      assert.equal(MEM_SECTION_PTR_SIZE * nrSectionRoots(l5), bytes);
    });
  }
});

describe('mem_section_usage_size()', () => {
  it('rcu_head 16 + subsection_map 8 + usemap 32 = 56 bytes', () => {
    assert.equal(USEMAP_SIZE, 32);
    assert.equal(MEM_SECTION_USAGE_SIZE, 56);
  });
  // sparse_init_nid()'s usemap block is 56 bytes a section: 32 sections (4 GiB) → 1792
  // (pc-4g), 8 → 448 (a 1 GiB node), 5 → 280 (q35-4g-numa2-fake512m), 1 → 56 (numa-fake200).
  for (const [n, bytes] of [[32, 1792], [8, 448], [5, 280], [1, 56]] as const) {
    it(`${n} sections → ${bytes} bytes`, () => assert.equal(n * MEM_SECTION_USAGE_SIZE, bytes));
  }
});

describe('vmemmap base', () => {
  it('both depths start the vmemmap at pgd slot 468', () => {
    assert.equal(pgdIndex(vmemmapBase(false), false), 468);
    assert.equal(pgdIndex(vmemmapBase(true), true), 468);
  });
});
