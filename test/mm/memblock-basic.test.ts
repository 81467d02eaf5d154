// Scenarios of tools/testing/memblock/tests/basic_api.c (add / reserve / remove / free /
// bottom-up / trim), plus node, flag and array-doubling rules, against meminit's memblock.
// memblock_add and memblock_reserve share memblock_add_range, and memblock_remove and
// memblock_phys_free share memblock_remove_range, so each scenario runs on both types.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INIT_MEMBLOCK_REGIONS, MEMBLOCK_ALLOC_ANYWHERE, MemblockFlag } from '../../src/include/memblock.js';
import { MAX_NUMNODES } from '../../src/include/mmzone.js';
import { PHYS_ADDR_MAX, SZ_1G, SZ_1M } from '../../src/include/pfn.js';
import * as M from '../../src/mm/memblock.js';
import { assertRegions, regionsOf } from './memblock-fixture.js';

const SZ_512K = SZ_1M / 2;
const SZ_2M = 2 * SZ_1M;
const SZ_4M = 4 * SZ_1M;
const SZ_8M = 8 * SZ_1M;
const SZ_16M = 16 * SZ_1M;
const SZ_32M = 32 * SZ_1M;
const SZ_64M = 64 * SZ_1M;
const SZ_128M = 128 * SZ_1M;
const SZ_512M = 512 * SZ_1M;

test('memblock_initialization: empty arrays with one zeroed dummy entry each', () => {
  const mb = M.memblockCreate();
  for (const t of [mb.memory, mb.reserved]) {
    assert.deepEqual(t.regions, [{ base: 0, size: 0, flags: 0, nid: 0 }]);
    assert.equal(t.max, INIT_MEMBLOCK_REGIONS);
    assert.equal(t.totalSize, 0);
  }
  assert.equal(mb.memory.name, 'memory');
  assert.equal(mb.reserved.name, 'reserved');
  assert.equal(mb.bottomUp, false);
  assert.equal(mb.currentLimit, MEMBLOCK_ALLOC_ANYWHERE);
  assert.equal(mb.canResize, false);
});

const ADDERS = [
  { fn: 'memblock_add', add: M.memblockAdd, type: (mb: M.Memblock) => mb.memory },
  { fn: 'memblock_reserve', add: M.memblockReserve, type: (mb: M.Memblock) => mb.reserved },
] as const;

for (const { fn, add, type } of ADDERS) {
  describe(fn, () => {
    const run = (ops: [number, number][]): M.MemblockType => {
      const mb = M.memblockCreate();
      for (const [b, s] of ops) add(mb, b, s);
      return type(mb);
    };

    test('simple: one new entry', () => {
      const t = run([[SZ_1G, SZ_4M]]);
      assertRegions(t, [[SZ_1G, SZ_4M]]);
      assert.equal(t.regions[0]!.nid, MAX_NUMNODES);
    });

    //  |        +--------+        +--------+  |
    //  |        |   r1   |        |   r2   |  |
    //  +--------+--------+--------+--------+--+
    test('disjoint: two entries in address order', () => {
      assertRegions(run([[SZ_1G, SZ_8M], [SZ_1G + SZ_16M, SZ_16M]]), [[SZ_1G, SZ_8M], [SZ_1G + SZ_16M, SZ_16M]]);
      assertRegions(run([[SZ_1G + SZ_16M, SZ_16M], [SZ_1G, SZ_8M]]), [[SZ_1G, SZ_8M], [SZ_1G + SZ_16M, SZ_16M]]);
    });

    //  |    +----+----+------------+          |
    //  |    |    |r2  |   r1       |          |
    //  +----+----+----+------------+----------+
    //       ^    ^ r1.base
    //       r2.base
    test('overlap top: r2 overlaps the start of r1, one region from r2.base', () => {
      assertRegions(run([[SZ_512M, SZ_32M], [SZ_512M - SZ_8M, SZ_16M]]), [[SZ_512M - SZ_8M, SZ_32M + SZ_8M]]);
    });

    //  |  +--+------+----------+              |
    //  |  |  | r1   | r2       |              |
    //  +--+--+------+----------+--------------+
    //     ^ r1.base ^ r2.base
    test('overlap bottom: r2 overlaps the end of r1, one region from r1.base', () => {
      assertRegions(run([[SZ_128M, SZ_32M], [SZ_128M + SZ_16M, SZ_32M]]), [[SZ_128M, SZ_32M + SZ_16M]]);
    });

    //  |   +-------+--+-----------------------+
    //  |   |       |r2|      r1               |
    //  +---+-------+--+-----------------------+
    test('within: r2 inside r1 changes nothing', () => {
      assertRegions(run([[SZ_8M, SZ_32M], [SZ_16M, SZ_1M]]), [[SZ_8M, SZ_32M]]);
    });

    test('twice: the same range again changes nothing', () => {
      assertRegions(run([[SZ_16M, SZ_2M], [SZ_16M, SZ_2M]]), [[SZ_16M, SZ_2M]]);
    });

    //  |        +--------+--------+--------+  |
    //  |        |   r1   |   r3   |   r2   |  |
    //  +--------+--------+--------+--------+--+
    test('between: r3 fills the gap and all three merge', () => {
      assertRegions(run([[SZ_1G, SZ_8M], [SZ_1G + SZ_16M, SZ_8M], [SZ_1G + SZ_8M, SZ_8M]]), [[SZ_1G, SZ_8M * 3]]);
    });

    //                               +--------+
    //                               |    r   |
    //                               +--------+
    //  |                            +----+
    //  |                            | rgn|
    //  +----------------------------+----+
    // The kernel's case sits 1 MiB below 2^64, which a double cannot hold; the same cap
    // shows with "size = ~0": the region ends at PHYS_ADDR_MAX.
    test('near max: a range past PHYS_ADDR_MAX is cut there', () => {
      const t = run([[SZ_1G, PHYS_ADDR_MAX]]);
      assert.equal(t.regions.length, 1);
      assert.equal(t.regions[0]!.base, SZ_1G);
      assert.equal(t.regions[0]!.base + t.regions[0]!.size, PHYS_ADDR_MAX);
    });

    test('zero size: no entry', () => {
      assertRegions(run([[SZ_1G, 0]]), [[0, 0]]);
    });
  });
}

const REMOVERS = [
  { fn: 'memblock_remove', add: M.memblockAdd, remove: M.memblockRemove, type: (mb: M.Memblock) => mb.memory },
  { fn: 'memblock_phys_free', add: M.memblockReserve, remove: M.memblockPhysFree, type: (mb: M.Memblock) => mb.reserved },
] as const;

for (const { fn, add, remove, type } of REMOVERS) {
  describe(fn, () => {
    const run = (adds: [number, number][], rm: [number, number]): M.MemblockType => {
      const mb = M.memblockCreate();
      for (const [b, s] of adds) add(mb, b, s);
      remove(mb, rm[0], rm[1]);
      return type(mb);
    };

    //  |      +--------+   ...  +--------+ |   r1 stays, r2 goes
    test('simple: removing r2 leaves r1', () => {
      assertRegions(run([[SZ_2M, SZ_4M], [SZ_128M, SZ_4M]], [SZ_128M, SZ_4M]), [[SZ_2M, SZ_4M]]);
    });

    test('absent: removing an unknown range changes nothing', () => {
      assertRegions(run([[SZ_512K, SZ_4M]], [SZ_64M, SZ_1G]), [[SZ_512K, SZ_4M]]);
    });

    //     +----------------+
    //     |       r2       |
    //     +----------------+
    //  |    .....+--------+  |
    //  |         |  rgn   |  |
    //  +---------+--------+--+
    test('overlap top: the lower part of r1 goes', () => {
      assertRegions(run([[SZ_32M, SZ_32M]], [SZ_16M, SZ_32M]), [[SZ_16M + SZ_32M, SZ_16M]]);
    });

    //  |  +--------+.....      |
    //  |  |  rgn   |           |
    //  +--+--------+-----------+
    test('overlap bottom: the upper part of r1 goes', () => {
      assertRegions(run([[SZ_2M, SZ_32M]], [SZ_32M, SZ_64M]), [[SZ_2M, SZ_32M - SZ_2M]]);
    });

    //  |    +-------+......+-------+    |
    //  |    | rgn1  |      | rgn2  |    |
    //  +----+-------+------+-------+----+
    test('within: r1 splits around the hole', () => {
      assertRegions(run([[SZ_1M, SZ_32M]], [SZ_16M, SZ_1M]), [
        [SZ_1M, SZ_16M - SZ_1M],
        [SZ_16M + SZ_1M, SZ_32M - SZ_16M],
      ]);
    });

    test('only region: the array is left with its dummy entry (nid MAX_NUMNODES)', () => {
      const t = run([[SZ_2M, SZ_4M]], [SZ_2M, SZ_4M]);
      assertRegions(t, [[0, 0]]);
      assert.equal(t.regions[0]!.nid, MAX_NUMNODES);
    });

    // The near-max case with a representable top: size ~0 removes everything from base up.
    test('near max: everything from r2.base to the top goes', () => {
      assertRegions(run([[SZ_1G - SZ_2M, SZ_2M]], [SZ_1G - SZ_1M, PHYS_ADDR_MAX]), [[SZ_1G - SZ_2M, SZ_1M]]);
    });

    //            +----------------+
    //            |       r3       |
    //            +----------------+
    //  |    +----+.....   ........+--------+
    //  |    |    |r1  :   :       |r2      |     |
    //  +----+----+----+---+-------+--------+-----+
    test('overlap two: only the intersections go', () => {
      assertRegions(run([[SZ_16M, SZ_32M], [SZ_64M, SZ_64M]], [SZ_32M, SZ_64M]), [
        [SZ_16M, SZ_16M],
        [SZ_32M + SZ_64M, SZ_32M],
      ]);
    });
  });
}

test('memblock_set_bottom_up / memblock_bottom_up', () => {
  const mb = M.memblockCreate();
  M.memblockSetBottomUp(mb, true);
  assert.equal(M.memblockBottomUp(mb), true);
  M.memblockSetBottomUp(mb, false);
  assert.equal(M.memblockBottomUp(mb), false);
});

describe('memblock_trim_memory', () => {
  const A = 64;
  const trimmed = (adds: [number, number][]): [number, number][] => {
    const mb = M.memblockCreate();
    for (const [b, s] of adds) M.memblockAdd(mb, b, s);
    M.memblockTrimMemory(mb, A);
    return regionsOf(mb.memory);
  };
  test('aligned: untouched', () => assert.deepEqual(trimmed([[A, A * 4]]), [[A, A * 4]]));
  //  |        +-----------------+        +------+   |
  //  |        |        r1       |        |  r2  |   |
  //  +--------+-----------------+--------+------+---+
  test('too small: r2 smaller than the alignment is removed', () =>
    assert.deepEqual(trimmed([[A, A * 2], [A * 4, A - 2]]), [[A, A * 2]]));
  test('unaligned base: r2 starts at the next boundary', () =>
    assert.deepEqual(trimmed([[A, A * 2], [A * 4 + 2, A * 2 - 2]]), [[A, A * 2], [A * 5, A]]));
  test('unaligned end: r2 ends at the previous boundary', () =>
    assert.deepEqual(trimmed([[A, A * 2], [A * 4, A * 2 - 2]]), [[A, A * 2], [A * 4, A]]));
  test('all removed: the dummy entry comes back', () => assert.deepEqual(trimmed([[A + 1, A]]), [[0, 0]]));
});

describe('node ids and flags', () => {
  //  |  +---------+---------+---------+  |
  //  |  | node 0  | node 1  | node 0  |  |   set_node splits, then merges equal neighbours
  //  +--+---------+---------+---------+--+
  test('memblock_set_node splits at the edges and merges equal neighbours', () => {
    const mb = M.memblockCreate();
    M.memblockAdd(mb, 0, SZ_64M);
    M.memblockSetNode(mb, 0, SZ_64M, mb.memory, 0);
    M.memblockSetNode(mb, SZ_16M, SZ_16M, mb.memory, 1);
    assert.deepEqual(
      mb.memory.regions.map((r) => [r.base, r.size, r.nid]),
      [[0, SZ_16M, 0], [SZ_16M, SZ_16M, 1], [SZ_32M, SZ_32M, 0]],
    );
    M.memblockSetNode(mb, SZ_16M, SZ_16M, mb.memory, 0);
    assert.deepEqual(mb.memory.regions.map((r) => [r.base, r.size, r.nid]), [[0, SZ_64M, 0]]);
  });

  test('adjacent regions merge only with the same nid and the same flags', () => {
    const mb = M.memblockCreate();
    M.memblockAddNode(mb, 0, SZ_1M, 0, 0);
    M.memblockAddNode(mb, SZ_1M, SZ_1M, 1, 0);
    M.memblockAddNode(mb, SZ_2M, SZ_1M, 1, MemblockFlag.HOTPLUG);
    M.memblockAddNode(mb, SZ_2M + SZ_1M, SZ_1M, 1, MemblockFlag.HOTPLUG);
    assert.deepEqual(regionsOf(mb.memory), [[0, SZ_1M], [SZ_1M, SZ_1M], [SZ_2M, SZ_2M]]);
  });

  test('an overlapping add keeps the existing nid and gives the holes the new one', () => {
    const mb = M.memblockCreate();
    M.memblockAddNode(mb, SZ_1M, SZ_1M, 0, 0);
    M.memblockAddNode(mb, 0, SZ_4M, 1, 0);
    assert.deepEqual(mb.memory.regions.map((r) => [r.base, r.size, r.nid]), [[0, SZ_1M, 1], [SZ_1M, SZ_1M, 0], [SZ_2M, SZ_2M, 1]]);
  });

  test('mark/clear hotplug split and re-merge', () => {
    const mb = M.memblockCreate();
    M.memblockAdd(mb, 0, SZ_8M);
    M.memblockMarkHotplug(mb, SZ_2M, SZ_2M);
    assert.deepEqual(mb.memory.regions.map((r) => [r.base, r.size, r.flags]), [[0, SZ_2M, 0], [SZ_2M, SZ_2M, 1], [SZ_4M, SZ_4M, 0]]);
    M.memblockClearHotplug(mb, 0, PHYS_ADDR_MAX);
    assert.deepEqual(regionsOf(mb.memory), [[0, SZ_8M]]);
  });

  test('memblock_mark_mirror needs kernelcore=mirror', () => {
    const mb = M.memblockCreate();
    M.memblockAdd(mb, 0, SZ_8M);
    M.memblockMarkMirror(mb, 0, SZ_2M);
    assert.equal(mb.mirror, false);
    assert.equal(mb.memory.regions.length, 1);
    mb.mirroredKernelcore = true;
    M.memblockMarkMirror(mb, 0, SZ_2M);
    assert.equal(mb.mirror, true);
    assert.deepEqual(mb.memory.regions.map((r) => r.flags), [MemblockFlag.MIRROR, 0]);
  });
});

describe('memblock_double_array', () => {
  /** 128 disjoint 4 KiB reservations 8 KiB apart, starting at 1 MiB, inside 1 GiB of memory. */
  function fullReserved(canResize: boolean, debug?: string[]): M.Memblock {
    const mb = M.memblockCreate({ canResize, ...(debug ? { debug: (l: string) => debug.push(l) } : {}) });
    M.memblockAdd(mb, 0, SZ_1G);
    for (let i = 0; i < INIT_MEMBLOCK_REGIONS; i++) M.memblockReserve(mb, SZ_1M + i * 0x2000, 0x1000);
    return mb;
  }

  //  |  r r r ... r (128)           new array [2 pages] |
  //  +--------------------------------------------------+
  test('the 129th region doubles the array into the top of memory and reserves it', () => {
    const log: string[] = [];
    const mb = fullReserved(true, log);
    assert.equal(mb.reserved.regions.length, 128);
    M.memblockReserve(mb, SZ_512M, 0x1000);
    assert.equal(mb.reserved.max, 256);
    assert.equal(mb.reserved.arrayPhys, SZ_1G - 0x2000);
    assert.equal(mb.reserved.regions.length, 130); // the new one and the array itself
    assert.deepEqual(log.slice(-2), [
      'memblock: reserved is doubled to 256 at [0x000000003fffe000-0x000000003ffff7ff]',
      'memblock_reserve: [0x000000003fffe000-0x000000003fffffff] memblock_double_array',
    ]);
  });

  test('the second doubling frees the first allocated array; the static one is never freed', () => {
    const log: string[] = [];
    const mb = fullReserved(true, log);
    for (let i = 128; i < 256; i++) M.memblockReserve(mb, SZ_1M + i * 0x2000, 0x1000);
    assert.equal(mb.reserved.max, 512);
    assert.equal(log.filter((l) => l.startsWith('memblock_phys_free')).length, 1);
    assert.ok(log.includes('memblock_phys_free: [0x000000003fffe000-0x000000003fffffff] memblock_double_array'));
    assert.equal(mb.reserved.arrayPhys, SZ_1G - 0x5000);
  });

  test('before memblock_allow_resize a full array refuses new regions', () => {
    const mb = fullReserved(false);
    assert.equal(M.memblockReserve(mb, SZ_512M, 0x1000), M.ENOMEM);
    assert.equal(mb.reserved.regions.length, 128);
    assert.equal(mb.reserved.max, 128);
  });

  test('even a reservation that would merge fails when the count pass overflows', () => {
    const mb = fullReserved(false);
    assert.equal(M.memblockReserve(mb, SZ_1M + 0x1000, 0x1000), M.ENOMEM);
  });

  test('isolation grows an array with fewer than two free slots, even if nothing splits', () => {
    const mb = M.memblockCreate({ canResize: true });
    M.memblockAdd(mb, 0, SZ_1G);
    for (let i = 0; i < 127; i++) M.memblockReserve(mb, SZ_1M + i * 0x2000, 0x1000);
    M.memblockPhysFree(mb, SZ_512M, 0x1000);
    assert.equal(mb.reserved.max, 256);
  });

  test('no room for the new array: pr_err and -ENOMEM', () => {
    const log: string[] = [];
    const mb = M.memblockCreate({ canResize: true, log: (l) => log.push(l) });
    M.memblockAdd(mb, 0, 0x100000);
    for (let i = 0; i < 128; i++) M.memblockReserve(mb, i * 0x2000, 0x1000);
    assert.equal(M.memblockReserve(mb, 0x101000, 0x10), M.ENOMEM);
    assert.deepEqual(log, ['memblock: Failed to double reserved array from 128 to 256 entries !']);
  });
});
