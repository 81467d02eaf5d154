// alloc_large_system_hash(): sizing from nr_kernel_pages, the memblock path with its halving
// retry, the vmalloc wording, and hashdist.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  allocLargeSystemHashEarly, allocLargeSystemHashVmalloc, getOrder, HASH_EARLY, HASH_SMALL, HASH_ZERO, hashdistAtBoot,
  type HashSpec, largeSystemHashShift,
} from '../../src/mm/large-system-hash.js';
import type { ZoneLayout } from '../../src/mm/zone.js';
import { MiB, requests, tinyMachine } from '../kernel/start-kernel-fixture.js';

const dentry: HashSpec = { table: 'Dentry cache', bucketsize: 8, numentries: 0, scale: 13, flags: HASH_EARLY | HASH_ZERO, lowLimit: 2, highLimit: 0 };
const inode: HashSpec = { ...dentry, table: 'Inode-cache', scale: 14, lowLimit: 0 };
const mem = (pages: number) => ({ nrKernelPages: pages, nrAllPages: pages });

describe('alloc_large_system_hash sizing', () => {
  // [nr_kernel_pages ("Total pages:" of the boot), dentry log2, inode log2]
  const cases: [string, number, number, number][] = [
    // 1031904 → 1032192 (whole MiB) → one bucket per 8 KiB: 516096 → 2^19; per 16 KiB → 2^18
    ['pc-4g', 1031904, 19, 18],
    ['pc-384m', 96480, 16, 15],
    ['pc-1g', 257760, 17, 16],
    ['pc-20g', 5160672, 22, 21],
    // past 64 GiB each ×4 adds one to the scale: 100 GiB → scale 14, 6553600 → 2^23
    ['100 GiB', 26214400, 23, 22],
  ];
  for (const [name, pages, d, i] of cases) {
    it(`${name}: ${pages} pages → 2^${d} dentry, 2^${i} inode buckets`, () => {
      assert.equal(largeSystemHashShift(dentry, mem(pages)), d);
      assert.equal(largeSystemHashShift(inode, mem(pages)), i);
    });
  }

  it('dhash_entries= is rounded up to a power of two', () => {
    assert.equal(largeSystemHashShift({ ...dentry, numentries: 5000 }, mem(1031904)), 13);
  });

  it('capped at 1/16 of memory: 256 pages, 8-byte buckets → 8192 entries at most', () => {
    assert.equal(largeSystemHashShift({ ...dentry, numentries: 1 << 20 }, mem(256)), 13);
  });

  it('at least a page of buckets, or 2^hash_shift with HASH_SMALL', () => {
    assert.equal(largeSystemHashShift(dentry, mem(16)), 9); // 256 entries → 512 (one 4 KiB page)
    const few = { nrKernelPages: 16, nrAllPages: 1 << 20 };
    assert.equal(largeSystemHashShift({ ...dentry, flags: HASH_EARLY | HASH_SMALL, hashShift: 12 }, few), 12);
  });

  const orders: [number, number][] = [[4096, 0], [4097, 1], [2 * MiB, 9], [4 * MiB, 10], [32 * MiB, 13]];
  for (const [size, order] of orders) it(`get_order(${size}) = ${order}`, () => assert.equal(getOrder(size), order));
});

describe('alloc_large_system_hash from memblock', () => {
  it('pc-4g dentry cache: 4 MiB, SMP_CACHE_BYTES aligned, "linear"', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]] });
    assert.equal(allocLargeSystemHashEarly(m, dentry, mem(1031904)), 19);
    assert.deepEqual(requests(trace), ['4194304 0x40 alloc_large_system_hash']);
    assert.equal(trace.at(-1), 'Dentry cache hash table entries: 524288 (order: 10, 4194304 bytes, linear)');
  });

  it('halves until it fits: 3 MiB free takes the 2 MiB table', () => {
    const { m, trace } = tinyMachine({ ram: [[MiB, 4 * MiB]] });
    assert.equal(allocLargeSystemHashEarly(m, dentry, mem(1031904)), 18);
    assert.deepEqual(requests(trace), ['4194304 0x40 alloc_large_system_hash', '2097152 0x40 alloc_large_system_hash']);
    assert.equal(trace.at(-1), 'Dentry cache hash table entries: 262144 (order: 9, 2097152 bytes, linear)');
  });

  it('nothing fits down to one page: the kernel panics', () => {
    const { m } = tinyMachine({ ram: [[MiB, MiB + 4096]], reserved: [[MiB, MiB + 4096]] });
    assert.throws(() => allocLargeSystemHashEarly(m, dentry, mem(1031904)), /Failed to allocate Dentry cache hash table/);
  });
});

describe('alloc_large_system_hash from vmalloc', () => {
  // vmalloc_huge() maps with 2 MiB pages when each online node's share is at least 2 MiB
  const cases: [number, number, string][] = [
    [2, 19, 'vmalloc hugepage'], [2, 18, 'vmalloc'], [4, 20, 'vmalloc hugepage'], [4, 19, 'vmalloc'], [3, 20, 'vmalloc hugepage'], [8, 20, 'vmalloc'],
  ];
  for (const [nodes, log2, kind] of cases) {
    it(`${8 << log2 >>> 20} MiB over ${nodes} nodes: ${kind}`, () => {
      const { m, trace } = tinyMachine({ ram: [[MiB, 64 * MiB]] });
      m.onlineNodes = Array.from({ length: nodes }, (_, i) => i);
      allocLargeSystemHashVmalloc(m, { ...dentry, numentries: 2 ** log2 }, mem(1 << 24));
      assert.equal(trace.length, 1);
      assert.match(trace[0]!, new RegExp(`bytes, ${kind}\\)$`));
    });
  }
});

describe('hashdist', () => {
  const zones = (present: number[]): ZoneLayout =>
    ({ nodes: new Map(present.map((p, nid) => [nid, { nodeId: nid, nodePresentPages: p, zones: [] }])) }) as unknown as ZoneLayout;
  const cases: [string, number[], string, boolean][] = [
    ['one node', [1000], '', false],
    ['two nodes with memory', [1000, 1000], '', true],
    // pc-4g-numa2-hotplug: node 1 is only a hotplug window, so N_MEMORY has one node
    ['a second node without memory', [1000, 0], '', false],
    ['hashdist=1 on one node', [1000], 'hashdist=1', true],
    ['hashdist=0 on two', [1000, 1000], 'hashdist=0', false],
    // an int: 2^32 is 0
    ['hashdist=0x100000000', [1000, 1000], 'hashdist=0x100000000', false],
  ];
  for (const [name, present, cmdline, want] of cases) {
    it(name, () => {
      const { m } = tinyMachine({ ram: [[MiB, 64 * MiB]], cmdline });
      m.zones = zones(present);
      assert.equal(hashdistAtBoot(m), want);
    });
  }
});
