// Scenarios of tools/testing/memblock/tests/alloc_api.c (memblock_alloc) and
// alloc_helpers_api.c (memblock_alloc_from), top-down and bottom-up, on a 16 KiB block of
// memory at MEM_BASE. Addresses follow from the scenario; each case draws it first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemblockFlag } from '../../src/include/memblock.js';
import { SZ_1K } from '../../src/include/pfn.js';
import * as M from '../../src/mm/memblock.js';
import { DIRECTIONS, MEM_BASE, MEM_SIZE, SMP_CACHE_BYTES, assertRegions, setupMemblock } from './memblock-fixture.js';

const START = MEM_BASE;
const END = MEM_BASE + MEM_SIZE;
const A = SMP_CACHE_BYTES;

describe('memblock_alloc (alloc_api.c)', () => {
  for (const dir of DIRECTIONS) {
    const mb0 = (): M.Memblock => setupMemblock({ bottomUp: dir.bottomUp });
    const pick = <T>(topDown: T, bottomUp: T): T => (dir.bottomUp ? bottomUp : topDown);

    describe(dir.name, () => {
      // A small region lands aligned at the top (top-down) or at the bottom (bottom-up).
      test('simple', () => {
        const mb = mb0();
        const got = M.memblockAlloc(mb, 2, A);
        assert.equal(got, pick(END - A, START));
        assertRegions(mb.reserved, [[got, 2]]);
      });

      //  |            +--------+         +--------|     top-down: rgn2 aligned below r1
      //  |            |  rgn2  |         |  rgn1  |     bottom-up: rgn2 aligned above r1
      //  +------------+--------+---------+--------+
      test('disjoint: next to a misaligned reservation, aligned, not merged', () => {
        const mb = mb0();
        const r1 = pick(END - 2, START + 2);
        M.memblockReserve(mb, r1, 2);
        const got = M.memblockAlloc(mb, 16, A);
        assert.equal(got, pick(END - A, START + A));
        assertRegions(mb.reserved, pick([[got, 16], [r1, 2]], [[r1, 2], [got, 16]]));
      });

      //  |              +--------+--------------|     enough room beside r1: first fit, merged
      //  |              |   r1   |      r2      |
      //  +--------------+--------+--------------+
      test('first fit: allocated against r1 and merged', () => {
        const mb = mb0();
        const r1 = pick(END - 512 - 128, START + 512);
        M.memblockReserve(mb, r1, 128);
        const got = M.memblockAlloc(mb, 512, A);
        assert.equal(got, pick(END - 512, START));
        assertRegions(mb.reserved, [[pick(r1, START), 640]]);
      });

      //  |            +-----------+------+     |     too little room beside r1: second fit
      //  |            |     r2    |  r1  |     |
      //  +------------+-----------+------+-----+
      test('second fit: placed on the other side of r1 and merged', () => {
        const mb = mb0();
        const r1 = pick(END - 512 - 256, START + 512);
        M.memblockReserve(mb, r1, 256);
        const got = M.memblockAlloc(mb, SZ_1K, A);
        assert.equal(got, pick(r1 - SZ_1K, r1 + 256));
        assertRegions(mb.reserved, [[pick(got, r1), SZ_1K + 256]]);
      });

      //  |  +--------+--------+--------+  |     both ends too small for 64 bytes,
      //  |  |   r2   |   r3   |   r1   |  |     the gap between fits exactly
      //  +--+--------+--------+--------+--+
      test('in between: the only gap that fits, three regions merge', () => {
        const mb = mb0();
        const gap = START + MEM_SIZE / 2;
        M.memblockReserve(mb, START + 32, gap - START - 32);
        M.memblockReserve(mb, gap + A, END - 32 - gap - A);
        assert.equal(M.memblockAlloc(mb, A, A), gap);
        assertRegions(mb.reserved, [[START + 32, MEM_SIZE - 64]]);
      });

      //   |    +-----+    +-----+    +-----+    |     gaps of 256 between 1 KiB reservations
      //   |    | res |    | res |    | res |    |
      //   +----+-----+----+-----+----+-----+----+
      test('small gaps: nothing fits', () => {
        const mb = mb0();
        let end = START;
        for (; end + 256 + SZ_1K <= END; end += 256 + SZ_1K) M.memblockReserve(mb, end + 256, SZ_1K);
        M.memblockReserve(mb, end + 256, END - end - 256);
        assert.equal(M.memblockAlloc(mb, SZ_1K, A), 0);
      });

      test('all reserved: nothing fits', () => {
        const mb = mb0();
        M.memblockReserve(mb, START, MEM_SIZE);
        assert.equal(M.memblockAlloc(mb, A, A), 0);
      });

      //  |-----------------------------+   |     256 bytes free, 257 asked
      //  |          reserved           |   |
      //  +-----------------------------+---+
      test('no space: almost full', () => {
        const mb = mb0();
        M.memblockReserve(mb, START, MEM_SIZE - 256);
        assert.equal(M.memblockAlloc(mb, 257, A), 0);
      });

      //  |---------------------------+---------|     exactly the free 256 bytes
      //  |          reserved         |   new   |
      //  +---------------------------+---------+
      test('limited space: just enough, everything merges', () => {
        const mb = mb0();
        M.memblockReserve(mb, START, MEM_SIZE - 256);
        assert.equal(M.memblockAlloc(mb, 256, A), END - 256);
        assertRegions(mb.reserved, [[START, MEM_SIZE]]);
      });

      test('no memory: nothing to allocate from', () => {
        const mb = M.memblockCreate();
        mb.bottomUp = dir.bottomUp;
        assert.equal(M.memblockAlloc(mb, SZ_1K, A), 0);
      });

      test('too large: bigger than all memory', () => {
        assert.equal(M.memblockAlloc(mb0(), MEM_SIZE + 1, A), 0);
      });

      test('the first page is never returned', () => {
        const mb = M.memblockCreate();
        mb.bottomUp = dir.bottomUp;
        M.memblockAdd(mb, 0, 0x2000);
        assert.equal(M.memblockAlloc(mb, 0x1000, 0x1000), 0x1000);
        assert.equal(M.memblockAlloc(mb, 0x1000, 0x1000), 0);
      });
    });
  }
});

describe('memblock_alloc_from (alloc_helpers_api.c)', () => {
  for (const dir of DIRECTIONS) {
    const mb0 = (): M.Memblock => setupMemblock({ bottomUp: dir.bottomUp });
    const pick = <T>(topDown: T, bottomUp: T): T => (dir.bottomUp ? bottomUp : topDown);

    describe(dir.name, () => {
      //  |        +---------+            |     min_addr aligned: bottom-up starts there,
      //  |        |   rgn   |            |     top-down still ends at the top
      //  +--------+---------+------------+
      test('simple: at or above min_addr', () => {
        const mb = mb0();
        const min = END - 2 * SZ_1K;
        const got = M.memblockAllocFrom(mb, SZ_1K, A, min);
        assert.equal(got, pick(END - SZ_1K, min));
      });

      test('misaligned min_addr: bottom-up rounds it up', () => {
        const mb = mb0();
        const min = END - 2 * SZ_1K - 1;
        assert.equal(M.memblockAllocFrom(mb, 512, A, min), pick(END - 512, END - 2 * SZ_1K));
      });

      //                          + min_addr
      //  |              +---------+----------|     no room above min_addr:
      //  |              |   rgn   |          |     min_addr is dropped
      //  +--------------+---------+----------+
      test('high min_addr: the lower limit is dropped', () => {
        const mb = mb0();
        const got = M.memblockAllocFrom(mb, 2 * SZ_1K, A, END - SZ_1K);
        assert.equal(got, pick(END - 2 * SZ_1K, START));
      });

      //  |    +-----------+          +--------+-|     everything above min_addr reserved
      //  |    |    rgn    |          |   r1   |
      //  +----+-----------+----------+--------+-+
      test('no space above min_addr: allocated below it', () => {
        const mb = mb0();
        const min = START + SZ_1K * 8;
        M.memblockReserve(mb, min, END - min);
        const got = M.memblockAllocFrom(mb, SZ_1K, A, min);
        assert.equal(got, pick(min - SZ_1K, START));
      });

      test('min_addr below memory: capped by memory itself', () => {
        const mb = mb0();
        assert.equal(M.memblockAllocFrom(mb, SZ_1K, A, START - SZ_1K), pick(END - SZ_1K, START));
      });
    });
  }
});

describe('allocation details of mm/memblock.c', () => {
  test('align 0 means SMP_CACHE_BYTES (64 on x86_64)', () => {
    const mb = setupMemblock();
    assert.equal(M.memblockAllocRangeNid(mb, 1, 0, 0, 0, -1, false), END - 64);
  });

  test('memblock_find_in_range_node with align 0 finds nothing usable', () => {
    const mb = setupMemblock();
    assert.equal(M.memblockFindInRangeNode(mb, 16, 0, 0, 0, -1, 0), 0);
  });

  test('current_limit caps ACCESSIBLE and larger max_addr, phys_alloc_range keeps its end', () => {
    const mb = setupMemblock();
    M.memblockSetCurrentLimit(mb, START + SZ_1K * 4);
    assert.equal(M.memblockAlloc(mb, SZ_1K, A), START + SZ_1K * 3);
    assert.equal(M.memblockAllocTryNid(mb, SZ_1K, A, 0, END, -1), START + SZ_1K * 2);
    assert.equal(M.memblockPhysAllocRange(mb, SZ_1K, A, 0, END), END - SZ_1K);
    assert.equal(M.memblockPhysAllocRange(mb, SZ_1K, A, 0, 0), START + SZ_1K);
  });

  test('movable_node: hotpluggable memory is skipped', () => {
    const mb = setupMemblock();
    M.memblockMarkHotplug(mb, END - SZ_1K * 4, SZ_1K * 4);
    mb.movableNode = true;
    assert.equal(M.memblockAlloc(mb, SZ_1K, A), END - SZ_1K * 5);
  });

  test('mirror first, then a warning and any memory', () => {
    const log: string[] = [];
    const mb = M.memblockCreate({ mirroredKernelcore: true, log: (l) => log.push(l) });
    M.memblockAdd(mb, START, MEM_SIZE);
    M.memblockMarkMirror(mb, START, SZ_1K * 2);
    assert.equal(M.memblockAlloc(mb, SZ_1K, A), START + SZ_1K);
    assert.equal(M.memblockAlloc(mb, SZ_1K * 2, A), END - SZ_1K * 2);
    assert.deepEqual(log, ['Could not allocate 0x0000000000000800 bytes of mirrored memory']);
    assert.equal(mb.memory.regions[0]!.flags, MemblockFlag.MIRROR);
  });

  test('debug lines: the entry point, then memblock_reserve from memblock_alloc_range_nid', () => {
    const log: string[] = [];
    const mb = M.memblockCreate({ debug: (l) => log.push(l) });
    M.memblockAdd(mb, START, MEM_SIZE, 'setup_arch+0x2d6/0xdc0');
    M.memblockAllocTryNid(mb, 64, 64, 0, 0, -1, 'alloc_low_pages+0x8a/0x150');
    assert.deepEqual(log, [
      'memblock_add: [0x0000000010000000-0x0000000010003fff] setup_arch+0x2d6/0xdc0',
      'memblock_alloc_try_nid: 64 bytes align=0x40 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 alloc_low_pages+0x8a/0x150',
      'memblock_reserve: [0x0000000010003fc0-0x0000000010003fff] memblock_alloc_range_nid',
    ]);
  });
});
