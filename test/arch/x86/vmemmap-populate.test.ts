// x86 vmemmap_populate() at boot: which page-table pages the vmemmap of a section needs from
// memblock, and where the 2 MiB of struct pages come from.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { PMD_SIZE, vmemmapBase } from '../../../src/arch/x86/pgtable.js';
import { vmemmapPopulate } from '../../../src/arch/x86/vmemmap-populate.js';
import { PAGES_PER_SECTION, STRUCT_PAGE_SIZE } from '../../../src/include/mmzone.js';
import { memblockAddNode, memblockCreate, memblockReserve } from '../../../src/mm/memblock.js';
import { sparseBufferInit } from '../../../src/mm/sparse-buffer.js';
import { vmemmapPgtNew, type VmemmapPopulateState } from '../../../src/mm/sparse-vmemmap-populate.js';

const M = 2 ** 20;
const G = 2 ** 30;
const SECTION_MAP = PAGES_PER_SECTION * STRUCT_PAGE_SIZE;

/** 4 GiB of RAM on node 0 and the vmemmap tables of one paging depth; `sections` of buffer. */
function setup(l5: boolean, sections: number) {
  const mb = memblockCreate();
  memblockAddNode(mb, M, 4 * G - M, 0, 0);
  const buf = sections ? sparseBufferInit(mb, sections * SECTION_MAP, 0) : undefined;
  const trace: string[] = [];
  mb.debug = (l) => trace.push(l);
  const st: VmemmapPopulateState = { mb, buf, pgt: vmemmapPgtNew(l5) };
  const populate = (nr: number, nrPages = PAGES_PER_SECTION) => {
    const start = vmemmapBase(l5) + nr * SECTION_MAP;
    return vmemmapPopulate(st, start, start + nrPages * STRUCT_PAGE_SIZE, 0);
  };
  const callers = () => trace.filter((t) => !t.startsWith('memblock_reserve')).map((t) => t.replace(/^(\w+): (\d+) bytes .* (\S+)$/, '$1 $2 $3'));
  return { st, trace, populate, callers };
}

const ZERO = 'memblock_alloc_try_nid_raw 4096 vmemmap_alloc_block_zero.constprop.0';

describe('vmemmap_populate at boot', () => {
  it('4-level: the first section needs a PUD and a PMD page; its neighbours nothing', () => {
    const x = setup(false, 3);
    assert.ok(x.populate(0) && x.populate(1) && x.populate(2));
    assert.deepEqual(x.callers(), [ZERO, ZERO]);
    assert.equal(x.st.buf!.buf, x.st.buf!.end, 'the three PMD blocks came from the buffer');
  });

  it('5-level: a P4D page first (pgd_none() is real)', () => {
    const x = setup(true, 1);
    assert.ok(x.populate(0));
    assert.deepEqual(x.callers(), [ZERO, ZERO, ZERO]);
  });

  it('a PMD page maps 1 GiB of vmemmap, 512 sections (64 GiB of RAM); a PUD page 512 GiB', () => {
    // section:    0 ... 511 | 512 ...          | 2^18
    // PMD page:   #1        | #2               | #3, under a new PUD page
    const x = setup(false, 4);
    for (const nr of [0, 511, 512, 2 ** 18]) assert.ok(x.populate(nr));
    assert.deepEqual(x.callers(), [ZERO, ZERO, ZERO, ZERO, ZERO]);
    assert.equal(x.st.pgt.pud.size, 3);
    assert.equal(x.st.pgt.p4d.size, 2);
  });

  it('no buffer: each 2 MiB block from memblock, aligned to itself', () => {
    const x = setup(false, 0);
    assert.ok(x.populate(0));
    assert.deepEqual(x.callers(), [ZERO, ZERO, 'memblock_alloc_try_nid_raw 2097152 vmemmap_alloc_block_buf']);
    assert.match(x.trace[4]!, /align=0x200000 nid=0 from=0x0000000001000000 max_addr=0x0000000000000000/);
  });

  it('no 2 MiB block anywhere: that 2 MiB falls back to a PTE page and 512 base pages', () => {
    // Free: three 1 MiB windows across 2 MiB boundaries, none holding an aligned 2 MiB block.
    //   17.5M  18M  18.5M     21.5M  22M  22.5M     25.5M  26M  26.5M
    //     |====:====|           |====:====|           |====:====|
    const x = setup(false, 0);
    for (const [s, e] of [[M, 17.5 * M], [18.5 * M, 21.5 * M], [22.5 * M, 25.5 * M], [26.5 * M, 4 * G]]) memblockReserve(x.st.mb, s!, e! - s!);
    x.trace.length = 0;
    assert.ok(x.populate(0));
    const BASE = 'memblock_alloc_try_nid_raw 4096 vmemmap_alloc_block_buf';
    assert.deepEqual(x.callers(), [ZERO, ZERO, 'memblock_alloc_try_nid_raw 2097152 vmemmap_alloc_block_buf', ZERO, ...Array(512).fill(BASE)]);
    assert.equal(x.st.pgt.pte.size, 512);
  });

  it('no memory at all: -ENOMEM at the first table page', () => {
    const x = setup(false, 0);
    memblockReserve(x.st.mb, M, 4 * G - M);
    x.trace.length = 0;
    assert.equal(x.populate(0), false);
    assert.deepEqual(x.callers(), [ZERO]);
  });

  it('a partial section is populated with base pages', () => {
    const x = setup(false, 0);
    assert.ok(x.populate(0, 512)); // 512 struct pages = 32 KiB = 8 pages
    assert.deepEqual(x.callers(), [ZERO, ZERO, ZERO, ...Array(8).fill('memblock_alloc_try_nid_raw 4096 vmemmap_alloc_block_buf')]);
    assert.equal(x.st.pgt.pmd.get(Math.floor(vmemmapBase(false) / PMD_SIZE)), 'table');
  });
});
