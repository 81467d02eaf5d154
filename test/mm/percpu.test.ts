// SPDX-License-Identifier: GPL-2.0-only
// The first percpu chunk's sizing, grouping and memblock traffic on hand-made cases, each
// worked out from mm/percpu.c; the corpus comparison is test/arch/x86/setup-percpu.test.ts.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEBIAN_PERCPU_STATIC_SIZE, NR_CPUS } from '../../src/include/percpu.js';
import { SZ_1M } from '../../src/include/pfn.js';
import { cpumaskSize } from '../../src/kernel/cpumask.js';
import { Printk } from '../../src/kernel/printk.js';
import { memblockAddNode, memblockCreate } from '../../src/mm/memblock.js';
import {
  pcpuAllocInfoSize, pcpuBestUpa, pcpuDumpAllocInfo, pcpuGroupCpus, pcpuUnitSizing, type PcpuAllocInfo,
} from '../../src/mm/percpu-alloc-info.js';
import { pcpuFirstChunkSizes, pcpuNrSlots, pcpuSizeToSlot } from '../../src/mm/percpu-first-chunk.js';
import { PCPU_FC_GOAL, pcpuEmbedFirstChunk, type PcpuEmbedOptions } from '../../src/mm/percpu.js';
import * as M from '../../src/trace/formats/memblock.js';

const SZ_2M = 2 * SZ_1M;
/** Debian's x86_64 arguments: r8192, 28 KiB dynamic, a 2 MiB atom. */
const DEBIAN = { staticSize: DEBIAN_PERCPU_STATIC_SIZE, reservedSize: 8192, dynSize: 28672, atomSize: SZ_2M };

describe('pcpu_build_alloc_info unit sizing', () => {
  it('Debian: 62 pages a unit, up to 8 units in a 2 MiB allocation', () => {
    assert.deepEqual(pcpuUnitSizing(DEBIAN.staticSize, DEBIAN.reservedSize, DEBIAN.dynSize, DEBIAN.atomSize),
      { sizeSum: 253952, dynSize: 28672, allocSize: SZ_2M, maxUpa: 8 });
  });
  it('a static area ending mid-page grows the dynamic area to the page end', () => {
    // 4100 + 0 + 12288 = 16388 → 20480: dyn = 20480 - 4100.
    assert.deepEqual(pcpuUnitSizing(4100, 0, 8192, 4096), { sizeSum: 20480, dynSize: 16380, allocSize: 32768, maxUpa: 1 });
  });
  it('the dynamic area is at least PERCPU_DYNAMIC_EARLY_SIZE', () => {
    assert.equal(pcpuUnitSizing(8192, 0, 0, 4096).dynSize, 12288);
  });
  it('units stay page aligned: 5 units of 96 KiB in 512 KiB would not be', () => {
    // 512K / 96K → 5, 512K % 5 ≠ 0; 4 units of 128 KiB.
    assert.equal(pcpuUnitSizing(65536, 0, 32768, 512 * 1024).maxUpa, 4);
  });
});

describe('pcpu_build_alloc_info grouping', () => {
  const onNodes = (nodes: number[]) => (a: number, b: number) => (nodes[a] === nodes[b] ? 10 : 20);
  it('cpus on nodes 0 1 0 1 → groups [0 2] [1 3]', () => {
    assert.deepEqual(pcpuGroupCpus([0, 1, 2, 3], onNodes([0, 1, 0, 1])), [[0, 2], [1, 3]]);
  });
  it('no distance function: one group', () => {
    assert.deepEqual(pcpuGroupCpus([0, 1, 2]), [[0, 1, 2]]);
  });
  it('a distance that is local one way only keeps cpus apart', () => {
    assert.deepEqual(pcpuGroupCpus([0, 1], (a, b) => (a < b ? 10 : 20)), [[0], [1]]);
  });
});

describe('pcpu_build_alloc_info units per allocation', () => {
  // [group sizes, possible cpus, chosen upa]
  const cases: [string, number[], number, number][] = [
    ['one group of 2: 8 and 4 waste, 2 fills one allocation', [2], 2, 2],
    ['two groups of 1: only 1 wastes nothing', [1, 1], 2, 1],
    ['one group of 8: a full allocation', [8], 8, 8],
    ['one group of 3: 4 wastes 1 ≤ 3/3, and 2 would need 2 allocations', [3], 3, 4],
    ['two groups of 2: 2 each', [2, 2], 4, 2],
  ];
  for (const [name, groups, possible, upa] of cases) {
    it(name, () => assert.equal(pcpuBestUpa(SZ_2M, 8, groups, possible), upa));
  }
});

describe('pcpu_alloc_alloc_info size', () => {
  it('1 group, 2 units: one page', () => assert.equal(pcpuAllocInfoSize(1, 2), 4096));
  it('8192 cpus in one group: 64 + 24 + 32768 bytes → 9 pages', () => assert.equal(pcpuAllocInfoSize(1, 8192), 36864));
  it('170 groups of 1 unit: 64 + 4080 + 680 → 2 pages', () => assert.equal(pcpuAllocInfoSize(170, 170), 8192));
});

describe('pcpu_setup_first_chunk sizes', () => {
  it('chunk slots: fls(1 MiB) = 21 → slot 18, + 4 = 22; 2 MiB → 23', () => {
    assert.equal(pcpuSizeToSlot(SZ_1M), 18);
    assert.deepEqual([pcpuNrSlots(SZ_1M), pcpuNrSlots(SZ_2M)], [22, 23]);
    assert.equal(pcpuSizeToSlot(1), 1);
  });
  it('the reserved chunk (8 KiB): 2 pages, 2048 map bits', () => {
    assert.deepEqual(pcpuFirstChunkSizes(0, 8192), { chunk: 144, allocMap: 256, boundMap: 264, mdBlocks: 64 });
  });
  it('the dynamic chunk (28 KiB): 7 pages', () => {
    assert.deepEqual(pcpuFirstChunkSizes(0, 28672), { chunk: 144, allocMap: 896, boundMap: 904, mdBlocks: 224 });
  });
  it('a region starting mid-page covers the page it starts in', () => {
    // 0x800 + 0x2000 → 3 pages, 3072 bits.
    assert.deepEqual(pcpuFirstChunkSizes(0x800, 8192), { chunk: 144, allocMap: 384, boundMap: 392, mdBlocks: 96 });
  });
  it('cpumask_size(): whole longs', () => {
    assert.deepEqual([cpumaskSize(2), cpumaskSize(64), cpumaskSize(65), cpumaskSize(8192)], [8, 8, 16, 1024]);
  });
});

function ai(groups: number[][], upa: number, unitSize: number): PcpuAllocInfo {
  return {
    staticSize: 1, reservedSize: 2, dynSize: 3, unitSize, atomSize: upa * unitSize, allocSize: upa * unitSize, aiSize: 4096, addr: 0,
    groups: groups.map((cpus) => {
      const nrUnits = Math.ceil(cpus.length / upa) * upa;
      return { nrUnits, baseOffset: 0, cpuMap: [...cpus, ...Array<number>(nrUnits - cpus.length).fill(NR_CPUS)] };
    }),
  };
}
const dump = (a: PcpuAllocInfo, possible: number) => {
  const p = new Printk();
  pcpuDumpAllocInfo(p, a, possible);
  return p.lines.map((l) => l.text);
};

describe('pcpu_dump_alloc_info', () => {
  it('unused units print as dashes', () => {
    assert.deepEqual(dump(ai([[0, 1, 2]], 4, 524288), 3), ['pcpu-alloc: s1 r2 d3 u524288 alloc=1*2097152', 'pcpu-alloc: [0] 0 1 2 -']);
  });
  it('one unit per allocation, 1-digit cpus: 8 allocations a line', () => {
    // width = 1 × 2 + 1 + 3 = 6; 60 / 6 = 10 → 8.
    const lines = dump(ai([[0], [1], [2], [3], [4], [5], [6], [7], [8]], 1, SZ_2M), 9);
    assert.deepEqual(lines.slice(1), ['pcpu-alloc: [0] 0 [1] 1 [2] 2 [3] 3 [4] 4 [5] 5 [6] 6 [7] 7', 'pcpu-alloc: [8] 8']);
  });
  it('10 groups, 12 cpus: zero-padded to 2 digits, 4 allocations a line', () => {
    // width = 1 × 3 + 2 + 3 = 8; 60 / 8 = 7 → 4.
    const groups = [[0, 10], [1, 11], [2], [3], [4], [5], [6], [7], [8], [9]];
    const lines = dump(ai(groups, 1, SZ_2M), 12);
    assert.deepEqual(lines.slice(1, 3), ['pcpu-alloc: [00] 00 [00] 10 [01] 01 [01] 11', 'pcpu-alloc: [02] 02 [03] 03 [04] 04 [05] 05']);
    assert.equal(lines.length, 1 + 3);
  });
});

describe('pcpu_embed_first_chunk memblock traffic', () => {
  // Two nodes of 64 MiB: node 0 [64M, 128M), node 1 [128M, 192M).
  const machine = () => {
    const mb = memblockCreate();
    memblockAddNode(mb, 64 * SZ_1M, 64 * SZ_1M, 0, 0);
    memblockAddNode(mb, 128 * SZ_1M, 64 * SZ_1M, 1, 0);
    const lines: string[] = [];
    mb.debug = (t) => lines.push(t);
    return { mb, lines };
  };
  const run = (cpuNodes: number[], usable: (nid: number) => boolean = () => true) => {
    const { mb, lines } = machine();
    const printk = new Printk();
    const o: PcpuEmbedOptions = {
      ...DEBIAN, cpus: cpuNodes.map((_, i) => i),
      cpuDistance: (a, b) => (cpuNodes[a] === cpuNodes[b] ? 10 : 20), cpuToNode: (c) => cpuNodes[c]!, nodeUsable: usable,
    };
    const r = pcpuEmbedFirstChunk(mb, printk, o);
    return { r, lines, printk: printk.lines.map((l) => l.text) };
  };

  it('3 cpus on one node: 4 units of 512 KiB, three tails and one whole unit back', () => {
    const { r, lines } = run([0, 0, 0]);
    const area = r.areas[0]!;
    assert.equal(area % SZ_2M, 0);
    assert.equal(area, 128 * SZ_1M - SZ_2M); // the top of node 0
    const frees = lines.map((t) => M.memblockPhysFreeLine.parse(t)).filter((f) => f?.caller === 'pcpu_embed_first_chunk');
    assert.deepEqual(frees.slice(0, 4).map((f) => [f!.base - area, f!.size]), [
      [253952, 524288 - 253952], [524288 + 253952, 524288 - 253952], [2 * 524288 + 253952, 524288 - 253952], [3 * 524288, 524288],
    ]);
    // Then the alloc info and the areas array, in that order.
    assert.deepEqual(frees.slice(4).map((f) => f!.size), [4096, 4096]);
  });

  it('cpus on two nodes: an area on each, from 16 MiB up, node-local', () => {
    const { r, lines } = run([0, 1]);
    const fc = lines.map((t) => M.memblockAllocTryNidLine.parse(t)).filter((v) => v?.caller === 'pcpu_fc_alloc');
    assert.deepEqual(fc.map((v) => [v!.size, v!.align, v!.nid, v!.from, v!.maxAddr]), [
      [SZ_2M, SZ_2M, 0, PCPU_FC_GOAL, 0], [SZ_2M, SZ_2M, 1, PCPU_FC_GOAL, 0],
    ]);
    // The alloc info and the areas array took the top pages of node 1: its area is 2 MiB lower.
    assert.deepEqual(r.areas, [128 * SZ_1M - SZ_2M, 192 * SZ_1M - 2 * SZ_2M]);
    assert.deepEqual(r.ai.groups.map((g) => g.baseOffset), [0, 62 * SZ_1M]);
  });

  it('a cpu whose node cannot take the area: any node, and a notice', () => {
    const { lines, printk } = run([0, 1], (nid) => nid === 0);
    const fc = lines.map((t) => M.memblockAllocTryNidLine.parse(t)).filter((v) => v?.caller === 'pcpu_fc_alloc');
    assert.deepEqual(fc.map((v) => v!.nid), [0, -1]);
    assert.ok(printk.includes('percpu: cpu 1 has no node 1 or node-local memory'));
  });
});
