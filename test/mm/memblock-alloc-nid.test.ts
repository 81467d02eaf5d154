// Scenarios of tools/testing/memblock/tests/alloc_nid_api.c: memblock_alloc_try_nid (and _raw,
// which places blocks identically) inside [min_addr, max_addr), and the NUMA cases on eight
// nodes of 1/4 1/16 1/8 1/8 1/16 1/16 1/4 1/16 of MEM_SIZE; plus memblock_alloc_exact_nid_raw.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../../src/include/mmzone.js';
import { SZ_1K } from '../../src/include/pfn.js';
import * as M from '../../src/mm/memblock.js';
import {
  DIRECTIONS,
  MEM_BASE,
  MEM_SIZE,
  NODE_FRACTIONS,
  SMP_CACHE_BYTES,
  assertRegions,
  setupMemblock,
  setupNumaMemblock,
} from './memblock-fixture.js';

const START = MEM_BASE;
const END = MEM_BASE + MEM_SIZE;
const A = SMP_CACHE_BYTES;

const nodeSize = (nid: number): number => (MEM_SIZE * NODE_FRACTIONS[nid]!) / 10000;
const nodeStart = (nid: number): number => START + NODE_FRACTIONS.slice(0, nid).reduce((s, f) => s + (MEM_SIZE * f) / 10000, 0);
const nodeEnd = (nid: number): number => nodeStart(nid) + nodeSize(nid);

const ALLOCATORS = [
  { name: 'memblock_alloc_try_nid', alloc: M.memblockAllocTryNid },
  { name: 'memblock_alloc_try_nid_raw', alloc: M.memblockAllocTryNidRaw },
] as const;

for (const { name, alloc } of ALLOCATORS) {
  for (const dir of DIRECTIONS) {
    const mb0 = (): M.Memblock => setupMemblock({ bottomUp: dir.bottomUp });
    const pick = <T>(topDown: T, bottomUp: T): T => (dir.bottomUp ? bottomUp : topDown);

    describe(`${name} ${dir.name}`, () => {
      //          min_addr           max_addr
      //  |       +------------------+        |     top-down: ends at max_addr
      //  |       |  rgn   ...  rgn  |        |     bottom-up: starts at min_addr
      //  +-------+------------------+--------+
      test('simple: inside [min_addr, max_addr)', () => {
        const mb = mb0();
        const min = START + SZ_1K * 2;
        const max = min + SZ_1K * 4;
        const got = alloc(mb, 128, A, min, max, NUMA_NO_NODE);
        assert.equal(got, pick(max - 128, min));
        assertRegions(mb.reserved, [[got, 128]]);
      });

      test('misaligned bound: rounded inwards to the alignment', () => {
        const mb = mb0();
        const min = START + SZ_1K * 2 + 1;
        const max = START + SZ_1K * 6 + 1;
        assert.equal(alloc(mb, 128, A, min, max, NUMA_NO_NODE), pick(max - 1 - 128, min - 1 + A));
      });

      //  |        +-----------+        |     the range is exactly the size
      test('exact address: the range is exactly the block', () => {
        const min = START + SZ_1K * 4;
        assert.equal(alloc(mb0(), SZ_1K, A, min, min + SZ_1K, NUMA_NO_NODE), min);
      });

      //            min_addr  max_addr
      //  |         +---------+           |     too narrow once aligned:
      //  |         |   rgn   |           |     retried from 0 below max_addr
      //  +---------+---------+-----------+
      test('narrow range: the lower limit is dropped', () => {
        const min = START + SZ_1K * 4 + 1;
        const got = alloc(mb0(), 256, A, min, min + 256, NUMA_NO_NODE);
        assert.equal(got, pick(START + SZ_1K * 4, START));
      });

      test('low max_addr: below memory, nothing to find', () => {
        assert.equal(alloc(mb0(), SZ_1K, A, 0, START, NUMA_NO_NODE), 0);
      });

      //  |    +-------+-----------+      |     r1 reserved at min_addr / max_addr:
      //  |    |  r1   |    rgn    |      |     the block lands against it and merges
      //  +----+-------+-----------+------+
      test('reserved at min_addr or max_addr: merged with it', () => {
        const mb = mb0();
        const min = START + SZ_1K * 2;
        const max = min + SZ_1K * 4;
        M.memblockReserve(mb, pick(max - 512, min), 512);
        const got = alloc(mb, 512, A, min, max, NUMA_NO_NODE);
        assert.equal(got, pick(max - SZ_1K, min + 512));
        assertRegions(mb.reserved, [[pick(max - SZ_1K, min), SZ_1K]]);
      });

      //  |   +----+------+----+   |     r1 and r2 inside the range with a gap that fits
      //  |   | r2 | rgn  | r1 |   |
      //  +---+----+------+----+---+
      test('reserved with space: fills the gap, everything merges', () => {
        const mb = mb0();
        const min = START + SZ_1K * 2;
        const max = min + SZ_1K * 3;
        M.memblockReserve(mb, min, SZ_1K);
        M.memblockReserve(mb, max - SZ_1K, SZ_1K);
        assert.equal(alloc(mb, SZ_1K, A, min, max, NUMA_NO_NODE), min + SZ_1K);
        assertRegions(mb.reserved, [[min, SZ_1K * 3]]);
      });

      test('reserved, no space in range: allocated outside it', () => {
        const mb = mb0();
        const min = START + SZ_1K * 2;
        const max = min + SZ_1K * 3;
        M.memblockReserve(mb, min, SZ_1K * 3 - 64);
        assert.equal(alloc(mb, SZ_1K, A, min, max, NUMA_NO_NODE), pick(min - SZ_1K, START));
      });

      test('all reserved: nothing', () => {
        const mb = mb0();
        M.memblockReserve(mb, START, MEM_SIZE);
        assert.equal(alloc(mb, A, A, START, END, NUMA_NO_NODE), 0);
      });

      test('cap max / cap min: bounds outside memory are harmless', () => {
        assert.equal(alloc(mb0(), SZ_1K, A, START + SZ_1K, END + SZ_1K * 64, NUMA_NO_NODE), pick(END - SZ_1K, START + SZ_1K));
        assert.equal(alloc(mb0(), SZ_1K, A, START - SZ_1K * 64, END - SZ_1K, NUMA_NO_NODE), pick(END - SZ_1K * 2, START));
      });
    });
  }
}

describe('NUMA (alloc_nid_api.c numa cases)', () => {
  for (const dir of DIRECTIONS) {
    const mb0 = (): M.Memblock => setupNumaMemblock({ bottomUp: dir.bottomUp });
    const pick = <T>(topDown: T, bottomUp: T): T => (dir.bottomUp ? bottomUp : topDown);

    describe(dir.name, () => {
      test('simple: inside the requested node', () => {
        const got = M.memblockAllocTryNid(mb0(), nodeSize(3) / 4, A, 0, 0, 3);
        assert.equal(got, pick(nodeEnd(3) - nodeSize(3) / 4, nodeStart(3)));
      });

      //  |   +-----+          +------------------+     |     node 1 too small:
      //  |   | req |          |     expected     |     |     any node that fits
      //  +---+-----+----------+------------------+-----+
      test('small node: falls back to the highest / lowest node that fits', () => {
        const got = M.memblockAllocTryNid(mb0(), SZ_1K * 2, A, 0, 0, 1);
        assert.equal(got, pick(nodeEnd(6) - SZ_1K * 2, nodeStart(0)));
      });

      test('node reserved: falls back', () => {
        const mb = mb0();
        M.memblockReserve(mb, nodeStart(1), nodeSize(1));
        const got = M.memblockAllocTryNid(mb, 512, A, 0, 0, 1);
        assert.equal(got, pick(END - 512, START));
      });

      //  |           +------------------+              +-----+          |
      //  |           |     reserved     |              | new |          |
      //  +-----------+------------------+--------------+-----+----------+
      test('part reserved: still inside the node', () => {
        const mb = mb0();
        M.memblockReserve(mb, nodeStart(2), 512);
        const got = M.memblockAllocTryNid(mb, 512, A, 0, 0, 2);
        assert.equal(got, pick(nodeEnd(2) - 512, nodeStart(2) + 512));
      });

      test('part reserved fallback: no contiguous room left in the node', () => {
        const mb = mb0();
        M.memblockReserve(mb, nodeStart(2) + 512, 512);
        const got = M.memblockAllocTryNid(mb, SZ_1K * 1.5, A, 0, 0, 2);
        assert.equal(got, pick(END - SZ_1K * 3 / 2 - nodeSize(7), START));
      });

      //                                min_addr    max_addr
      //  |           +-----------------------+-----------+              |
      //  |           |       requested       |   node3   |              |
      //  +-----------+-----------------------+-----------+--------------+
      test('split range: [min, max) straddles the end of the node, lower limit dropped', () => {
        const min = nodeEnd(2) - 256;
        const got = M.memblockAllocTryNid(mb0(), 512, A, min, min + 512, 2);
        assert.equal(got, pick(nodeEnd(2) - 512, nodeStart(2)));
      });

      test('no overlap: the range misses the node, any node inside the range', () => {
        const min = nodeStart(4);
        const max = nodeEnd(6);
        const got = M.memblockAllocTryNid(mb0(), 512, A, min, max, 1);
        assert.equal(got, pick(max - 512, min));
      });

      test('large region: larger than any node but two, regions never span nodes', () => {
        const got = M.memblockAllocTryNid(mb0(), SZ_1K * 3, A, 0, 0, 5);
        assert.equal(got, pick(nodeEnd(6) - SZ_1K * 3, nodeStart(0)));
      });

      test('exact_nid: no fallback to other nodes', () => {
        const mb = mb0();
        assert.equal(M.memblockAllocExactNidRaw(mb, SZ_1K * 2, A, 0, 0, 1), 0);
        assert.equal(M.memblockAllocExactNidRaw(mb, 512, A, 0, 0, 1), pick(nodeEnd(1) - 512, nodeStart(1)));
      });

      test('exact_nid keeps the node but drops min_addr', () => {
        const got = M.memblockAllocExactNidRaw(mb0(), 512, A, nodeEnd(1), 0, 1);
        assert.equal(got, pick(nodeEnd(1) - 512, nodeStart(1)));
      });

      test('MAX_NUMNODES means any node', () => {
        const got = M.memblockAllocTryNid(mb0(), 512, A, 0, 0, MAX_NUMNODES);
        assert.equal(got, pick(END - 512, START));
      });

      test('memblock_phys_alloc_try_nid: node first, then anywhere below the limit', () => {
        const mb = mb0();
        assert.equal(M.memblockPhysAllocTryNid(mb, 256, A, 4), pick(nodeEnd(4) - 256, nodeStart(4)));
        assert.equal(M.memblockPhysAllocTryNid(mb, SZ_1K * 4, A, 4), pick(nodeEnd(6) - SZ_1K * 4, nodeStart(0)));
      });
    });
  }

  test('a reservation spanning two nodes merges in reserved (reserved regions carry no node)', () => {
    const mb = setupNumaMemblock();
    M.memblockReserve(mb, nodeEnd(0) - 256, 256);
    M.memblockReserve(mb, nodeStart(1), 256);
    assertRegions(mb.reserved, [[nodeEnd(0) - 256, 512]]);
  });
});
