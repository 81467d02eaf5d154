// padata_do_multithreaded()'s plan: how many works, what chunk size, which chunks in which order.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PADATA_LOAD_BALANCE_FACTOR, padataPlan, type PadataMtJob } from '../../src/kernel/padata.js';

const S = 0x8000; // PAGES_PER_SECTION: deferred init's align and min_chunk
const job = (start: number, size: number, maxThreads: number): PadataMtJob => ({ start, size, align: S, minChunk: S, maxThreads });
const hex = (c: [number, number][]): string[] => c.map(([s, e]) => `${s.toString(16)}-${e.toString(16)}`);

describe('padata_do_multithreaded: works and chunks', () => {
  // A 1 GiB machine's deferred DMA32 part: 0x10000..0x3ffe0, job end rounded up to 0x40000.
  //   0x10000    0x18000    0x20000    0x28000    0x30000    0x38000    0x40000
  //   |  sec 2   |  sec 3   |  sec 4   |  sec 5   |  sec 6   |  sec 7   |
  //   6 sections → nworks = min(6, max_threads); chunk = 0x30000 / (nworks × 4) → at least a section
  const cases: [string, PadataMtJob, number, number, string[]][] = [
    ['one thread runs the job as one call', job(0x10000, 0x30000, 1), 1, 0x30000, ['10000-40000']],
    ['two threads: section chunks', job(0x10000, 0x30000, 2), 2, S,
      ['10000-18000', '18000-20000', '20000-28000', '28000-30000', '30000-38000', '38000-40000']],
    ['less than a section: one work whatever the cap', job(0x10000, 0x100, 8), 1, 0x100, ['10000-10100']],
    ['the cap is the thread count, not the section count', job(0, 64 * S, 4), 4, 4 * S,
      ['0-20000', '20000-40000', '40000-60000', '60000-80000', '80000-a0000', 'a0000-c0000', 'c0000-e0000', 'e0000-100000',
        '100000-120000', '120000-140000', '140000-160000', '160000-180000', '180000-1a0000', '1a0000-1c0000', '1c0000-1e0000', '1e0000-200000']],
    ['an unaligned start: the first chunk runs to the next chunk-size multiple', job(0x8800, 0x1f800, 3), 3, S,
      ['8800-10000', '10000-18000', '18000-20000', '20000-28000']],
    ['chunk size rounds up to align (3 sections / (2 × 4) < min_chunk)', job(0, 3 * S, 2), 2, S, ['0-8000', '8000-10000', '10000-18000']],
  ];
  for (const [what, j, nworks, chunk, chunks] of cases) {
    it(what, () => {
      const p = padataPlan(j);
      assert.equal(p.nworks, nworks);
      assert.equal(p.chunkSize, chunk);
      assert.deepEqual(hex(p.chunks), chunks);
    });
  }

  it('an empty job does nothing', () => assert.deepEqual(padataPlan(job(5, 0, 4)), { nworks: 0, chunkSize: 0, chunks: [] }));

  it('chunk_size = max(size / (nworks × 4), min_chunk) rounded to align, as padata computes it', () => {
    const p = padataPlan(job(0, 1000 * S, 2));
    assert.equal(p.chunkSize, Math.ceil(Math.floor((1000 * S) / (2 * PADATA_LOAD_BALANCE_FACTOR)) / S) * S);
  });

  it('chunks tile the job, in order, interior boundaries on chunk-size multiples (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: 1, max: 300 * S }), fc.integer({ min: 1, max: 64 }), (start, size, t) => {
      const p = padataPlan(job(start, size, t));
      assert.ok(p.nworks >= 1 && p.nworks <= t);
      let at = start;
      for (const [s, e] of p.chunks) {
        assert.equal(s, at);
        assert.ok(e > s && e - s <= p.chunkSize);
        if (e !== start + size) assert.equal(e % p.chunkSize, 0);
        at = e;
      }
      assert.equal(at, start + size);
      if (p.nworks > 1) assert.equal(p.chunkSize % S, 0);
    }));
  });
});
