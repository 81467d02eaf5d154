// sparse_init()'s memblock side on hand-made layouts: runs of same-node sections, a section
// two nodes share, a usemap that cannot stay by its pgdat, and the failures (dropped sections,
// panics). The corpus test (sparse-boot-corpus.test.ts) covers the healthy boots.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BootError, SETUP_PHASES, sparseInitMemblock } from '../../src/arch/x86/setup.js';
import { Printk } from '../../src/kernel/printk.js';
import { machineNew } from '../../src/kernel/machine.js';
import { loadMachineFile } from '../../src/machine/load-file.js';
import { memblockAddNode, memblockCreate, memblockReserve } from '../../src/mm/memblock.js';
import { mminitValidateMemmodelLimits, SparsePanic, sparseInitBoot } from '../../src/mm/sparse-boot.js';
import type { LineFormat } from '../../src/trace/format.js';
import * as F from '../../src/trace/formats/sparse.js';

const M = 2 ** 20;
const hex = (n: number) => '0x' + n.toString(16).padStart(16, '0');

interface Layout {
  nodes: [nid: number, base: number, size: number][];
  /** NODE_DATA() address per node. */
  pgdat: Record<number, number>;
  reserved?: [base: number, size: number][];
}

/** sparse_init on a layout: the requests as "caller size nid from-max", printk lines, present sections. */
function run(l: Layout) {
  const mb = memblockCreate();
  for (const [nid, base, size] of l.nodes) memblockAddNode(mb, base, size, nid, 0);
  for (const [base, size] of l.reserved ?? []) memblockReserve(mb, base, size);
  const trace: string[] = [];
  mb.debug = (t) => trace.push(t);
  const printk = new Printk();
  const nodeData = new Map(Object.entries(l.pgdat).map(([nid, start]) => [Number(nid), { start }]));
  const r = sparseInitBoot({ mb, l5: false, nodeData, firstOnlineNode: 0, printk });
  const requests = trace.filter((t) => !/^memblock_(reserve|phys_free)/.test(t)).map((t) => {
    const [, size, nid, from, max, caller] = /^\w+: (\d+) bytes align=\S+ nid=(-?\d+) from=(\S+) max_addr=(\S+) (\S+)$/.exec(t)!;
    return `${caller} ${size} nid=${nid}${caller === 'sparse_init_nid' && Number(from) !== 16 * M ? ` ${from}-${max}` : ''}`;
  });
  return { trace, requests, printk: printk.lines.map((p) => p.text), present: [...r.present] };
}

const ZERO = 'vmemmap_alloc_block_zero.constprop.0 4096';
const usage = (n: number, nid: number, goal: number, limit: number) => `sparse_init_nid ${n * 56} nid=${nid} ${hex(goal)}-${hex(limit)}`;
const buffer = (n: number, nid: number) => `sparse_init_nid ${n * 2 * M} nid=${nid}`;

describe('sparse_init: runs of sections', () => {
  it('a node whose sections come back after another node\'s gets a second run', () => {
    //  section: 0  1  2  3 | 4  5  6  7 | 8  9 10 11
    //  node:    0          | 1          | 0
    const x = run({
      nodes: [[0, M, 511 * M], [1, 512 * M, 512 * M], [0, 1024 * M, 512 * M]],
      pgdat: { 0: 0x1ff00000, 1: 0x3ff00000 },
    });
    assert.deepEqual(x.requests, [
      'sparse_init 32768 nid=-1', 'sparse_index_alloc 4096 nid=0',
      usage(4, 0, 0x18000000, 0x20000000), buffer(4, 0), `${ZERO} nid=0`, `${ZERO} nid=0`,
      usage(4, 1, 0x38000000, 0x40000000), buffer(4, 1),
      usage(4, 0, 0x18000000, 0x20000000), buffer(4, 0),
    ]);
    assert.deepEqual(x.present.map(([nr]) => nr), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(x.printk, []);
  });

  it('a section two nodes share belongs to the first one', () => {
    //  section: 0     1        2 ... 7
    //  node 0: [1M   200M)
    //  node 1:         [200M           1G)
    const x = run({ nodes: [[0, M, 199 * M], [1, 200 * M, 824 * M]], pgdat: { 0: 0x0c000000, 1: 0x3ff00000 } });
    assert.deepEqual(x.present.slice(0, 3), [[0, 0], [1, 0], [2, 1]]);
    assert.deepEqual(x.requests.filter((r) => r.startsWith('sparse_init_nid')), [
      usage(2, 0, 0x08000000, 0x10000000), buffer(2, 0), usage(6, 1, 0x38000000, 0x40000000), buffer(6, 1),
    ]);
  });
});

describe('sparse_init: the usemap away from its pgdat', () => {
  it('same node, another section: a circular dependency, reported once', () => {
    // Section 3 (the pgdat's) is full: memblock_alloc_try_nid() itself retries from 0 and finds
    // the top of section 2.
    const x = run({ nodes: [[0, M, 511 * M]], pgdat: { 0: 0x1ff00000 }, reserved: [[384 * M, 128 * M]] });
    assert.deepEqual(x.requests.filter((r) => r.startsWith('sparse_init_nid 224')), [usage(4, 0, 0x18000000, 0x20000000)]);
    assert.deepEqual(x.printk, ['Section 2 and 3 (node 0) have a circular dependency on usemap and pgdat allocations']);
  });

  it('nothing on the node below the limit: a second try without one, on another node\'s section', () => {
    //  node 0 [1M, 512M) all reserved; node 1 [512M, 1G) free
    const x = run({ nodes: [[0, M, 511 * M], [1, 512 * M, 512 * M]], pgdat: { 0: 0x1ff00000, 1: 0x3ff00000 }, reserved: [[M, 511 * M]] });
    assert.deepEqual(x.requests.slice(2, 6), [
      usage(4, 0, 0x18000000, 0x20000000), usage(4, 0, 0x18000000, 0), buffer(4, 0), `${ZERO} nid=0`,
    ]);
    // No node-0 buffer: each 2 MiB block from memblock, on whatever node has room.
    assert.equal(x.requests.filter((r) => r === 'vmemmap_alloc_block_buf 2097152 nid=0').length, 4);
    assert.deepEqual(x.printk, ['node 0 must be removed before remove section 7']);
  });
});

describe('sparse_init: failures', () => {
  it('no usemap: the node\'s sections are dropped, nothing else is asked', () => {
    // 36 KiB free: the root array (32 KiB) and the root page (4 KiB), no more.
    const x = run({ nodes: [[0, M, 511 * M]], pgdat: { 0: 0x1ff00000 }, reserved: [[M, 255 * M - 36 * 1024], [256 * M, 256 * M]] });
    assert.deepEqual(x.requests, ['sparse_init 32768 nid=-1', 'sparse_index_alloc 4096 nid=0', usage(4, 0, 0x18000000, 0x20000000), usage(4, 0, 0x18000000, 0)]);
    assert.deepEqual(x.printk, ['sparse_init_nid: node[0] usemap allocation failed']);
    assert.deepEqual(x.present, []);
  });

  it('no page-table page: memory map backing failed, the run is dropped', () => {
    // 40 KiB free: root array, root page, the usemap in the last page, then nothing page-sized.
    const x = run({ nodes: [[0, M, 511 * M]], pgdat: { 0: 0x1ff00000 }, reserved: [[M, 255 * M - 40 * 1024], [256 * M, 256 * M]] });
    assert.deepEqual(x.requests.slice(3), [buffer(4, 0), `${ZERO} nid=0`]);
    assert.deepEqual(x.printk, ['sparse_init_nid: node[0] memory map backing failed. Some memory will not be available.']);
    assert.deepEqual(x.present, []);
  });

  it('no room for a root page: sparse_index_alloc panics', () => {
    assert.throws(
      () => run({ nodes: [[0, M, 511 * M]], pgdat: { 0: 0x1ff00000 }, reserved: [[M, 255 * M - 32 * 1024], [256 * M, 256 * M]] }),
      (e: unknown) => e instanceof SparsePanic && e.reason === 'sparse_index_alloc: Failed to allocate 4096 bytes nid=0',
    );
  });

  it('a machine with no free memory left: BootError with memory_present\'s panic', () => {
    const yaml = fileURLToPath(new URL('../../../examples/machines/pc-1g.yaml', import.meta.url));
    const spec = loadMachineFile(yaml);
    const m = machineNew(spec.name, spec.firmware);
    for (const phase of SETUP_PHASES.slice(0, SETUP_PHASES.findIndex((p) => p.name === 'numa') + 1)) phase.run(m);
    for (const r of [...m.memblock!.memory.regions]) memblockReserve(m.memblock!, r.base, r.size);
    assert.throws(
      () => sparseInitMemblock(m),
      (e: unknown) => e instanceof BootError && e.message === 'kernel would panic: memory_present: Failed to allocate 32768 bytes align=0x40',
    );
  });
});

describe('mminit_validate_memmodel_limits', () => {
  // 4-level: sparsemem describes pfns below 2^34 (64 TiB).
  const cases: [number, number, [number, number]][] = [
    [0, 0x140000, [0, 0x140000]],
    [2 ** 34 - 8, 2 ** 34 + 8, [2 ** 34 - 8, 2 ** 34]],
    [2 ** 34 + 8, 2 ** 34 + 16, [2 ** 34, 2 ** 34]],
  ];
  for (const [s, e, want] of cases) it(`[${s}, ${e})`, () => assert.deepEqual(mminitValidateMemmodelLimits(s, e, false), want));
  it('5-level: 2^40 pfns', () => assert.deepEqual(mminitValidateMemmodelLimits(2 ** 34, 2 ** 35, true), [2 ** 34, 2 ** 35]));
});

describe('sparse formats', () => {
  const roundTrip = <T>(fmt: LineFormat<T>, v: T) => it(fmt.name, () => assert.deepEqual(fmt.parse(fmt.emit(v)), v));
  roundTrip(F.usemapFailed, { nid: 3 });
  roundTrip(F.memmapBackingFailed, { nid: 0 });
  roundTrip(F.usemapOtherNode, { nid: 1, usemapSection: 39 });
  roundTrip(F.usemapCircular, { usemapSection: 2, pgdatSection: 3, nid: 0 });
});
