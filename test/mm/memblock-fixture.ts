// Shared set-up for the memblock scenario tests, modelled on tools/testing/memblock/tests/common.c:
// a small block of "physical memory" at a fixed base (the harness malloc()s one), optionally cut
// into NUMA nodes by fractions of it.
import assert from 'node:assert/strict';
import { SZ_1K } from '../../src/include/pfn.js';
import { memblockAdd, memblockAddNode, memblockCreate, type Memblock, type MemblockType } from '../../src/mm/memblock.js';

/** MEM_SIZE of the kernel tests. */
export const MEM_SIZE = 16 * SZ_1K;
/** Where our dummy physical memory starts: far from the never-allocated first page. */
export const MEM_BASE = 0x10000000;
export const SMP_CACHE_BYTES = 64;

/** setup_memblock(): one memory region [MEM_BASE, MEM_BASE + MEM_SIZE). */
export function setupMemblock(opts: { bottomUp?: boolean } = {}): Memblock {
  const mb = memblockCreate();
  mb.bottomUp = opts.bottomUp ?? false;
  memblockAdd(mb, MEM_BASE, MEM_SIZE);
  return mb;
}

/** node_fractions[] of alloc_nid_api.c, in 1/10000 of MEM_SIZE: 1/4 1/16 1/8 1/8 1/16 1/16 1/4 1/16. */
export const NODE_FRACTIONS = [2500, 625, 1250, 1250, 625, 625, 2500, 625] as const;

/** setup_numa_memblock(): one memory region per node, nids 0..7, back to back from MEM_BASE. */
export function setupNumaMemblock(opts: { bottomUp?: boolean } = {}): Memblock {
  const mb = memblockCreate();
  mb.bottomUp = opts.bottomUp ?? false;
  let base = MEM_BASE;
  NODE_FRACTIONS.forEach((f, nid) => {
    const size = (MEM_SIZE * f) / 10000;
    memblockAddNode(mb, base, size, nid, 0);
    base += size;
  });
  return mb;
}

/** [base, size] of every region (the dummy of an empty type included). */
export const regionsOf = (t: MemblockType): [number, number][] => t.regions.map((r) => [r.base, r.size]);

/** The type holds exactly these [base, size] regions and its total size is their sum. */
export function assertRegions(t: MemblockType, expected: [number, number][]): void {
  assert.deepEqual(regionsOf(t), expected);
  assert.equal(t.totalSize, expected.reduce((s, [, size]) => s + size, 0));
}

export const DIRECTIONS = [
  { name: 'top-down', bottomUp: false },
  { name: 'bottom-up', bottomUp: true },
] as const;
