// numa=fake= (arch/x86/mm/numa_emulation.c of 6.1): each form of the value, the sizes the kernel
// rounds to, what it prints and refuses, the emulated distance table and emu_nid_to_phys[].
// Expected layouts are worked out by hand from the kernel's rules; the corpus boots
// pc-4g-numa-fake4, q35-4g-numa2-fake512m and pc-8g-numa4-slit-fake2u check the same code
// against real kernels.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Srat } from '../../../src/arch/x86/firmware.js';
import { nodeDistance } from '../../../src/arch/x86/numa-distance.js';
import { x86NumaInit, type NumaState } from '../../../src/arch/x86/numa.js';
import { getOption } from '../../../src/kernel/cmdline.js';
import { Printk } from '../../../src/kernel/printk.js';
import { memblockAdd, memblockCreate, memblockSetCurrentLimit } from '../../../src/mm/memblock.js';
import type { LineFormat } from '../../../src/trace/format.js';
import * as F from '../../../src/trace/formats/numa.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';
import { replayBootLog } from '../../../src/trace/replay.js';

const M = 2 ** 20;
const G = 2 ** 30;

/** pc (i440fx) 4G: 3G below the PCI hole, less the BIOS's top 128K, and 1G from 4G; no SRAT. */
const PC_4G: [number, number][] = [[0x1000, 0x9f000], [0x100000, 0xbffe0000], [4 * G, 5 * G]];
/** Two nodes: node 0 the 2G below the hole, node 1 2G from 4G; one CPU each. */
const TWO_NODES: [number, number][] = [[0x1000, 0x9f000], [0x100000, 2 * G], [4 * G, 6 * G]];
const TWO_NODE_SRAT: Srat = {
  memory: [
    { nid: 0, pxm: 0, start: 0, end: 0xa0000, hotplug: false, nonVolatile: false },
    { nid: 0, pxm: 0, start: 0x100000, end: 2 * G, hotplug: false, nonVolatile: false },
    { nid: 1, pxm: 1, start: 4 * G, end: 6 * G, hotplug: false, nonVolatile: false },
  ],
  cpus: [{ apic: 0, pxm: 0, nid: 0 }, { apic: 1, pxm: 1, nid: 1 }],
};

interface Run {
  st: NumaState;
  /** Every line printed, in order. */
  lines: string[];
  /** The memblock=debug trace of NUMA init. */
  trace: string[];
  /** "Faking node" lines as [nid, start, end). */
  fakes: [number, number, number][];
}

/** x86_numa_init() on RAM `memory` (max_pfn at its end) with numa=fake=`fake`. */
function numaInit(memory: [number, number][], fake: string | undefined, srat?: Srat): Run {
  const mb = memblockCreate();
  for (const [start, end] of memory) memblockAdd(mb, start, end - start);
  const maxPfn = memory[memory.length - 1]![1] / 4096;
  memblockSetCurrentLimit(mb, maxPfn * 4096);
  const trace: string[] = [];
  mb.debug = (l) => trace.push(l);
  const printk = new Printk();
  const st = x86NumaInit(mb, { srat, numaOff: false, maxPfn, nodeDataSize: 0x2b000, printk, fake });
  const lines = printk.lines.filter((l) => l.format !== 'memblock.dump').map((l) => l.text);
  const fakes = lines.map((l) => F.emuNode.parse(l)).filter((v) => v !== undefined).map((v): [number, number, number] => [v.nid, v.start, v.end]);
  return { st, lines, trace: trace.map((t) => t.replace(/ from=0x0+ /, ' ')), fakes };
}

/** The lines of the given formats. */
const linesOf = (r: Run, ...fmts: LineFormat<unknown>[]): string[] => r.lines.filter((l) => fmts.some((f) => f.parse(l) !== undefined));
const distances = (r: Run): number[][] => [...r.st.possible].map((i) => [...r.st.possible].map((j) => nodeDistance(r.st.distance, i, j)));

describe('numa=fake=N: split_nodes_interleave()', () => {
  // pc 4G, N=4: 4G of RAM → 1G each, rounded down to 992M, and the 3 × 32M the rounding
  // lost go back to nodes 0-2 ("big" nodes). Node 2 reaches the 3G-4G hole: less than 32M of
  // RAM is left below 4G, so it runs to 4G.
  //   0        1G        2G        3G  hole  4G        5G
  //   |--fake0--|--fake1--|-----fake2------- |--fake3--|
  const cases: [string, [number, string, [number, number, number][]][]][] = [
    ['pc 4G, no SRAT', [
      [4, '4', [[0, 0, G], [1, G, 2 * G], [2, 2 * G, 4 * G], [3, 4 * G, 5 * G]]],
      // 1048446 pages / 3 = 1365.16M → 1344M, one big node (1376M). Node 2 grows by 32M steps
      // across the hole until it holds 1344M of RAM, which takes it to the end of memory.
      [3, '3', [[0, 0, 1376 * M], [1, 1376 * M, 2720 * M], [2, 2720 * M, 5 * G]]],
      // 2^32 + 4: the count is an int, so it is read as 4.
      [4, '4294967300', [[0, 0, G], [1, G, 2 * G], [2, 2 * G, 4 * G], [3, 4 * G, 5 * G]]],
    ]],
  ];
  for (const [machine, rows] of cases) {
    for (const [n, value, want] of rows) {
      it(`${machine}: numa=fake=${value} → ${n} nodes`, () => {
        const r = numaInit(PC_4G, value);
        assert.deepEqual(r.fakes, want);
        assert.deepEqual(r.st.possible, [...Array(n).keys()]);
        assert.deepEqual([...r.st.online].sort(), [...Array(n).keys()]);
        // Fake nodes on one physical node are at LOCAL_DISTANCE from each other.
        assert.ok(distances(r).every((row) => row.every((d) => d === 10)));
        assert.deepEqual(linesOf(r, F.distanceTable), [`NUMA: Initialized distance table, cnt=${n}`]);
      });
    }
  }

  it('interleaves over two physical nodes: 0 and 2 on node 0, 1 and 3 on node 1', () => {
    //   0      1G      2G   hole   4G      5G      6G
    //   |-fake0-|-fake2-|          |-fake1-|-fake3-|
    const r = numaInit(TWO_NODES, '4', TWO_NODE_SRAT);
    assert.deepEqual(r.fakes, [[0, 0, G], [1, 4 * G, 5 * G], [2, G, 2 * G], [3, 5 * G, 6 * G]]);
    assert.deepEqual(r.st.emuNidToPhys.slice(0, 5), [0, 1, 0, 1, 0]); // unused ids map to the first fake node's
    assert.deepEqual(distances(r), [[10, 20, 10, 20], [20, 10, 20, 10], [10, 20, 10, 20], [20, 10, 20, 10]]);
    // Each CPU's node is the first fake node of its physical node.
    assert.deepEqual([...r.st.cpuNodes].sort(), [0, 1]);
  });

  it('more than MAX_NUMNODES is cut to 1024, then too small for 32M nodes: emulation off', () => {
    const r = numaInit(PC_4G, '2000');
    assert.deepEqual(linesOf(r, F.emuTooLarge, F.emuNotEnough), [
      'numa=fake=2000 too large, reducing to 1024',
      'Not enough memory for each node.  NUMA emulation disabled.',
    ]);
    assert.deepEqual(r.st.meminfo, [{ start: 0, end: 5 * G, nid: 0 }]);
    assert.equal(r.st.emuNidToPhys[7], 7);
    assert.equal(r.st.distance.cnt, 0);
  });

  it('a lowercase size is a node count: 512m asks for 512 nodes of 8M', () => {
    const r = numaInit(PC_4G, '512m');
    assert.deepEqual(linesOf(r, F.emuTooLarge, F.emuNotEnough, F.emuSizeTooSmall), ['Not enough memory for each node.  NUMA emulation disabled.']);
    assert.deepEqual(r.fakes, []);
  });

  for (const value of ['0', '', 'abc', '-1', '0M']) {
    it(`numa=fake=${value}: no emulation, nothing printed`, () => {
      const r = numaInit(PC_4G, value);
      assert.deepEqual(r.lines.filter((l) => !/^(No NUMA|Faking a node at|NODE_DATA)/.test(l)), []);
      assert.deepEqual(r.st.possible, [0]);
    });
  }

  it('numa=fake=1.5 is the count 1: one fake node over all memory', () => {
    assert.deepEqual(numaInit(PC_4G, '1.5').fakes, [[0, 0, 5 * G]]);
  });
});

describe('numa=fake=<size>[MG]: split_nodes_size_interleave()', () => {
  it('1G nodes over two physical nodes: node 0 cannot fit two, so its first takes it whole', () => {
    const r = numaInit(TWO_NODES, '1G', TWO_NODE_SRAT);
    assert.deepEqual(r.fakes, [[0, 0, 2 * G], [1, 4 * G, 5 * G], [2, 5 * G, 6 * G]]);
    assert.deepEqual(r.st.emuNidToPhys.slice(0, 3), [0, 1, 1]);
  });

  it('smaller than 32M: raised to 32M; the first node grows past the holes of the first MiB', () => {
    //   0     64M   96M   128M  ...  224M  256M
    //   |-fake0-|fake1|fake2| ... |fake6|      (7 nodes; fake6 would run to 4G but stops at the end of RAM)
    const r = numaInit([[0x1000, 0x9f000], [0x100000, 256 * M]], '16M');
    assert.deepEqual(linesOf(r, F.emuSizeTooSmall), ['Fake node size 16MB too small, increasing to 32MB']);
    const want: [number, number, number][] = [[0, 0, 64 * M]];
    for (let nid = 1, at = 64 * M; at < 256 * M; nid++, at += 32 * M) want.push([nid, at, at + 32 * M]);
    assert.deepEqual(r.fakes, want);
    assert.equal(r.lines.find((l) => l.startsWith('Faking node 0')), 'Faking node 0 at [mem 0x0000000000000000-0x0000000003ffffff] (64MB)');
  });

  it('1.5G is read as 1 byte (memparse() stops at the dot): raised to 32M', () => {
    const r = numaInit(PC_4G, '1.5G');
    assert.deepEqual(linesOf(r, F.emuSizeTooSmall), ['Fake node size 0MB too small, increasing to 32MB']);
    assert.deepEqual(r.fakes[1], [1, 64 * M, 96 * M]);
  });

  it('no more than 1024 nodes: 32M on 64G is raised to 64M', () => {
    const r = numaInit([[0x1000, 0x9f000], [0x100000, 64 * G]], '32M');
    assert.deepEqual(linesOf(r, F.emuSizeTooSmall), ['Fake node size 32MB too small, increasing to 64MB']);
    assert.equal(r.fakes.length, 1023);
    assert.deepEqual(r.fakes[0], [0, 0, 96 * M]);
    assert.deepEqual(r.fakes[1022], [1022, 64 * G - 96 * M, 64 * G]);
    assert.deepEqual(linesOf(r, F.distanceTable), ['NUMA: Initialized distance table, cnt=1023']);
  });
});

describe('numa=fake=<N>U: each physical node split in N', () => {
  it('2U over two nodes: node 0 in [0, 1G) and [1G, 2G), node 1 in [4G, 5G) and [5G, 6G)', () => {
    const r = numaInit(TWO_NODES, '2U', TWO_NODE_SRAT);
    assert.deepEqual(r.fakes, [[0, 0, G], [1, G, 2 * G], [2, 4 * G, 5 * G], [3, 5 * G, 6 * G]]);
    assert.deepEqual(r.st.emuNidToPhys.slice(0, 4), [0, 0, 1, 1]);
    assert.deepEqual([...r.st.cpuNodes].sort(), [0, 2]);
    assert.deepEqual(distances(r), [[10, 10, 20, 20], [10, 10, 20, 20], [20, 20, 10, 10], [20, 20, 10, 10]]);
  });

  it('the SLIT is copied, the old table freed and a new one built, as the kernel traces it', () => {
    const r = numaInit(TWO_NODES, '2U', { ...TWO_NODE_SRAT, slit: [[10, 30], [30, 10]] });
    assert.deepEqual(distances(r), [[10, 10, 30, 30], [10, 10, 30, 30], [30, 30, 10, 10], [30, 30, 10, 10]]);
    // The same sequence as in the corpus boot pc-8g-numa4-slit-fake2u (callers without offsets).
    const top = 6 * G;
    const hex = (v: number): string => `0x${v.toString(16).padStart(16, '0')}`;
    assert.deepEqual(r.trace.slice(0, 9), [
      `memblock_phys_alloc_range: 4 bytes align=0x1000 max_addr=${hex(top)} numa_alloc_distance`,
      `memblock_reserve: [${hex(top - 0x1000)}-${hex(top - 0x1000 + 3)}] memblock_alloc_range_nid`,
      `memblock_phys_alloc_range: 4 bytes align=0x1000 max_addr=${hex(top)} numa_emulation`,
      `memblock_reserve: [${hex(top - 0x2000)}-${hex(top - 0x2000 + 3)}] memblock_alloc_range_nid`,
      `memblock_phys_free: [${hex(top - 0x1000)}-${hex(top - 0x1000 + 3)}] numa_reset_distance`,
      `memblock_phys_alloc_range: 16 bytes align=0x1000 max_addr=${hex(top)} numa_alloc_distance`,
      `memblock_reserve: [${hex(top - 0x1000)}-${hex(top - 0x1000 + 15)}] memblock_alloc_range_nid`,
      `memblock_phys_free: [${hex(top - 0x2000)}-${hex(top - 0x2000 + 3)}] numa_init`,
      // NODE_DATA(0) follows (memblock_phys_alloc_try_nid() has no trace line of its own).
      `memblock_reserve: [${hex(G - 0x2b000)}-${hex(G - 1)}] memblock_alloc_range_nid`,
    ]);
  });

  it('too few nodes for a small node: 3U of 100M gives 64M + 36M and emulation fails', () => {
    const r = numaInit([[0x1000, 0x9f000], [0x100000, 100 * M]], '3U');
    assert.deepEqual(r.lines.filter((l) => !/^(No NUMA|Faking a node at|NODE_DATA)/.test(l)), [
      'Fake node size 33MB too small, increasing to 64MB',
      'Faking node 0 at [mem 0x0000000000000000-0x0000000003ffffff] (64MB)',
      'Faking node 1 at [mem 0x0000000004000000-0x00000000063fffff] (36MB)',
      'numa_emulation: phys: 0 only got 2 of 3 nodes, failing',
    ]);
    assert.deepEqual(r.st.meminfo, [{ start: 0, end: 100 * M, nid: 0 }]);
    assert.deepEqual(r.st.possible, [0]);
  });

  it('a CPU-only node makes the kernel split an empty block: "Fake node size 0MB too small"', () => {
    const srat: Srat = { memory: TWO_NODE_SRAT.memory.slice(0, 2), cpus: TWO_NODE_SRAT.cpus };
    const r = numaInit(TWO_NODES.slice(0, 2), '2U', srat);
    assert.deepEqual(r.fakes, [[0, 0, G], [1, G, 2 * G]]);
    assert.deepEqual(linesOf(r, F.emuSizeTooSmall), ['Fake node size 0MB too small, increasing to 32MB']);
    // Node 1's CPU has no fake node on its physical node: it goes to node 0.
    assert.deepEqual([...r.st.cpuNodes], [0]);
    assert.deepEqual(r.st.possible, [0, 1]);
  });

  it('more than 2048 fake blocks: emulation fails', () => {
    // Three nodes of 32G, 1024U: 1024 nodes of 32M from each of the first two fill ei.
    const memory: [number, number][] = [[0x1000, 0x9f000], [0x100000, 96 * G]];
    const srat: Srat = {
      memory: [0, 1, 2].map((nid) => ({ nid, pxm: nid, start: nid * 32 * G, end: (nid + 1) * 32 * G, hotplug: false, nonVolatile: false })),
      cpus: [{ apic: 0, pxm: 0, nid: 0 }],
    };
    const r = numaInit(memory, '1024U', srat);
    assert.equal(r.fakes.length, 2048);
    assert.deepEqual(linesOf(r, F.emuTooManyMemblks), ['NUMA: Too many emulated memblks, failing emulation']);
    assert.deepEqual(r.st.possible, [0, 1, 2]);
  });
});

describe('numa=fake=N:<distances>', () => {
  const table = (value: string): { dist: number[][]; warnings: string[] } => {
    const r = numaInit(TWO_NODES, value, TWO_NODE_SRAT);
    return { dist: distances(r), warnings: linesOf(r, F.distanceInvalid, F.distanceOutOfBound) };
  };
  it('row by row, each followed by a comma', () => {
    assert.deepEqual(table('2:10,40,40,10,'), { dist: [[10, 40], [40, 10]], warnings: [] });
  });
  it('a last value without a comma is ignored (get_option() returns 1, not 2)', () => {
    assert.deepEqual(table('2:10,40,40,11'), { dist: [[10, 40], [40, 10]], warnings: [] });
  });
  it('a node to itself must be 10; the warning is printed once', () => {
    assert.deepEqual(table('2:11,40,40,11,'), { dist: [[10, 40], [40, 10]], warnings: ['Warning: invalid distance parameter, from=0 to=0 distance=11'] });
  });
  it('not a u8: the default stays', () => {
    assert.deepEqual(table('2:10,300,40,10,'), { dist: [[10, 20], [40, 10]], warnings: ['Warning: invalid distance parameter, from=0 to=1 distance=300'] });
  });
  it('after a U the ":" is not right after the number: the distances are not read', () => {
    const r = numaInit(TWO_NODES, '1U:10,90,90,10,', TWO_NODE_SRAT);
    assert.deepEqual(distances(r), [[10, 20], [20, 10]]);
  });
});

describe('get_option()', () => {
  const cases: [string, number, number, number][] = [
    ['10,20', 2, 10, 3], ['20', 1, 20, 2], ['', 0, 0, 0], ['x', 0, 0, 0], ['-5,', 2, -5, 3], ['7-9', 3, 7, 1], ['0x10,', 2, 16, 5],
  ];
  for (const [s, ret, value, end] of cases) {
    it(`"${s}" → ret ${ret}, ${value}`, () => assert.deepEqual(getOption(s, 0), { ret, value, end }));
  }
});

describe('emulation formats round-trip', () => {
  const samples: [LineFormat<unknown>, unknown][] = [
    [F.emuNode, { nid: 1023, start: 0x3c0000000, end: 0x400000000 }],
    [F.emuTooLarge, { asked: 4000, max: 1024 }],
    [F.emuNotEnough, true],
    [F.emuTooManyMemblks, true],
    [F.emuSizeTooSmall, { sizeMB: 0, minMB: 32 }],
    [F.emuUniformShort, { phys: 1, got: 2, asked: 3 }],
    [F.emuMeminfoInvalid, true],
    [F.emuNoDistCopy, true],
    [F.distanceTable, { cnt: 7 }],
    [F.distanceAllocFailed, true],
    [F.distanceOutOfBound, { from: 5, to: -1, distance: 20 }],
    [F.distanceInvalid, { from: 0, to: 0, distance: 11 }],
    [F.slitInvalid, true],
  ];
  for (const [fmt, v] of samples) {
    it(fmt.name, () => assert.deepEqual(fmt.parse(fmt.emit(v)), v));
  }
});

describe('real boots with numa=fake', () => {
  const corpus = fileURLToPath(new URL('../../../../test/corpus/', import.meta.url));
  const boots: [string, string[]][] = [
    ['pc-4g-numa-fake4.log', ['Faking node 2 at [mem 0x0000000080000000-0x00000000ffffffff] (2048MB)']],
    ['q35-4g-numa2-fake512m.log', ['Faking node 4 at [mem 0x0000000042000000-0x000000007fffffff] (992MB)']],
    ['pc-8g-numa4-slit-fake2u.log', ['Faking node 7 at [mem 0x0000000200000000-0x000000023fffffff] (1024MB)']],
  ];
  for (const [name, lines] of boots) {
    it(`${name} replays with no mismatch`, () => {
      const r = replayBootLog(lexBootLog(readFileSync(corpus + name, 'utf8'), name));
      assert.deepEqual(r.mismatches, []);
      for (const l of lines) assert.ok(r.predicted.some((p) => p.text === l), l);
      // The distance tables (and the SLIT copy) are allocations the kernel traced: all checked.
      const numa = r.allocations.filter((a) => /^numa_/.test(a.caller));
      assert.ok(numa.length >= 1);
      for (const a of numa) assert.equal(a.predicted, a.kernel, `${a.caller} line ${a.line}`);
    });
  }
});
