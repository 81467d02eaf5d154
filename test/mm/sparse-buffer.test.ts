// sparse_buffer_init/_alloc/_fini: one node-exact block handed out in aligned pieces, gaps and
// the unused tail given back to memblock.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { memblockAddNode, memblockCreate, memblockReserve, type Memblock } from '../../src/mm/memblock.js';
import { MAX_DMA_PHYS, sectionMapSize, sparseBufferAlloc, sparseBufferFini, sparseBufferInit } from '../../src/mm/sparse-buffer.js';

const M = 2 ** 20;
const G = 2 ** 30;
const hex = (n: number) => '0x' + n.toString(16).padStart(16, '0');

//  0      1G                2G
//  |node 0|     node 1      |
function twoNodes(): { mb: Memblock; trace: string[] } {
  const mb = memblockCreate();
  memblockAddNode(mb, M, G - M, 0, 0);
  memblockAddNode(mb, G, G, 1, 0);
  const trace: string[] = [];
  mb.debug = (l) => trace.push(l);
  return { mb, trace };
}

describe('sparse buffer', () => {
  it('section_map_size() is 2 MiB', () => assert.equal(sectionMapSize(), 2 * M));

  it('takes the top of the node, 2 MiB aligned, and hands out consecutive sections', () => {
    const { mb, trace } = twoNodes();
    const b = sparseBufferInit(mb, 3 * 2 * M, 1);
    assert.deepEqual(trace, [
      `memblock_alloc_exact_nid_raw: 6291456 bytes align=0x200000 nid=1 from=${hex(MAX_DMA_PHYS)} max_addr=${hex(0)} sparse_init_nid`,
      `memblock_reserve: [${hex(2 * G - 6 * M)}-${hex(2 * G - 1)}] memblock_alloc_range_nid`,
    ]);
    assert.deepEqual([1, 2, 3, 4].map(() => sparseBufferAlloc(b, 2 * M)), [2 * G - 6 * M, 2 * G - 4 * M, 2 * G - 2 * M, 0]);
    sparseBufferFini(b);
    assert.equal(trace.length, 2, 'all used: nothing to give back');
  });

  it('frees the alignment gap before a piece and the unused tail', () => {
    // |4K|..gap..|2M piece|  tail  |
    // buf+4K     buf+2M   buf+4M   buf+6M
    const { mb, trace } = twoNodes();
    const b = sparseBufferInit(mb, 6 * M, 1);
    const base = b.buf;
    assert.equal(sparseBufferAlloc(b, 4096), base);
    assert.equal(sparseBufferAlloc(b, 2 * M), base + 2 * M);
    sparseBufferFini(b);
    assert.deepEqual(trace.slice(2), [
      `memblock_phys_free: [${hex(base + 4096)}-${hex(base + 2 * M - 1)}] sparse_buffer_alloc`,
      `memblock_phys_free: [${hex(base + 4 * M)}-${hex(base + 6 * M - 1)}] sparse_init_nid`,
    ]);
    assert.equal(b.buf, 0);
  });

  it('a node without room gets no buffer: pieces are 0 and fini frees nothing', () => {
    const { mb, trace } = twoNodes();
    memblockReserve(mb, G, G);
    const b = sparseBufferInit(mb, 2 * M, 1);
    assert.equal(b.buf, 0);
    assert.equal(sparseBufferAlloc(b, 2 * M), 0);
    sparseBufferFini(b);
    assert.equal(trace.filter((t) => t.startsWith('memblock_phys_free')).length, 0);
  });
});
