// init_mem_mapping()'s memblock traffic (the 2 MiB probe and every alloc_low_pages() page)
// against the corpus, from the example machine files and from each log's own memblock state;
// then hand-made layouts for split_mem_range(), the step sizes, brk exhaustion and bottom-up.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEBIAN_BRK } from '../../../src/arch/x86/brk.js';
import { E820Type, e820TableNew } from '../../../src/arch/x86/e820-types.js';
import type { KernelBrk } from '../../../src/arch/x86/firmware.js';
import { getNewStepSize, initMemMapping, type InitMemMappingResult } from '../../../src/arch/x86/init-mem-mapping.js';
import { BootError, bootMachine, setupArchE820, setupArchMapping, setupArchMemblock } from '../../../src/arch/x86/setup.js';
import { splitMemRange } from '../../../src/arch/x86/split-mem-range.js';
import { machineNew } from '../../../src/kernel/machine.js';
import { Printk } from '../../../src/kernel/printk.js';
import { loadMachineFile } from '../../../src/machine/load-file.js';
import type { MachineSpec } from '../../../src/machine/index.js';
import * as MB from '../../../src/mm/memblock.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';
import { fmtE820LastPfn } from '../../../src/trace/formats/e820.js';
import { gbpagesDirectMapping, probeFailed } from '../../../src/trace/formats/mapping.js';
import * as M from '../../../src/trace/formats/memblock.js';
import { TracePrintk, stripOffset } from '../../kernel/printk-trace.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log'));

const G = 2 ** 30;
const M1 = 2 ** 20;
const hex = (n: number) => '0x' + n.toString(16).padStart(16, '0');

const kernelLines = (file: string): string[] =>
  lexBootLog(readFileSync(join(corpus, file), 'utf8'), file).kernel.map((l) => l.text);


/** memblock=debug lines and init_mem_mapping()'s own notes. */
const isMappingLine = (t: string) => /^memblock_/.test(t) || gbpagesDirectMapping.parse(t) !== undefined || probeFailed.parse(t) !== undefined;

const isEfiReserve = (t: string): boolean => /^memblock_reserve: .* efi_reserve_boot_services/.test(t);

/**
 * efi_reserve_boot_services()'s reservations as touching runs joined: the log has one line per
 * EFI descriptor, a machine file may join touching ones.
 */
function efiReserved(lines: string[]): [number, number][] {
  const out: [number, number][] = [];
  for (const t of lines.filter(isEfiReserve)) {
    const r = M.memblockReserveLine.parse(t)!;
    const last = out[out.length - 1];
    if (last && last[1] === r.base) last[1] = r.base + r.size;
    else out.push([r.base, r.base + r.size]);
  }
  return out;
}

/** The log's lines from reserve_real_mode() to the end of init_mem_mapping(). */
function mappingBlock(lines: string[]): string[] {
  const i = lines.findIndex((t) => t.includes(' reserve_real_mode'));
  assert.ok(i >= 0, 'no reserve_real_mode allocation in the log');
  const out: string[] = [];
  for (let j = i; j < lines.length && isMappingLine(lines[j]!); j++) out.push(stripOffset(lines[j]!));
  return out;
}

/** The memblock lines and notes setupArchMapping() prints on a machine: EFI reservations first, if any. */
function modelBlock(spec: MachineSpec): string[] {
  const m = machineNew(spec.name, spec.firmware);
  setupArchE820(m);
  setupArchMemblock(m);
  const out: string[] = [];
  m.memblock!.debug = (l) => out.push(stripOffset(l));
  m.printk = new TracePrintk(out);
  setupArchMapping(m);
  return out;
}

/** The example machine of a corpus log, if it has one. */
function machineFor(log: string): MachineSpec | undefined {
  const yaml = join(examples, log.replace(/\.log$/, '.yaml'));
  return existsSync(yaml) ? loadMachineFile(yaml) : undefined;
}

describe('init_mem_mapping of the example machines against the corpus', () => {
  for (const log of logs) {
    const spec = machineFor(log);
    it(log, { skip: spec ? false : 'no machine file' }, () => {
      const mine = modelBlock(spec!);
      const kernel = kernelLines(log);
      assert.deepEqual(efiReserved(mine), efiReserved(kernel));
      assert.deepEqual(mine.filter((t) => !isEfiReserve(t)), mappingBlock(kernel));
    });
  }
});

/**
 * The log's own memblock state when init_mem_mapping() starts: the first dump, then every
 * traced add/remove/reserve/free up to the first-1MiB reservation. e820 RAM is taken to be
 * memblock.memory (the model reads e820 only to clear entries over holes).
 */
function stateFromLog(lines: string[]) {
  const mb = MB.memblockCreate();
  // The kernel's arrays may already have been doubled (memmap= with many holes): room is not
  // the question here.
  mb.memory.max = mb.reserved.max = 1 << 16;
  let i = lines.findIndex((t) => M.memblockDumpHeaderLine.parse(t) !== undefined);
  for (i++; i < lines.length; i++) {
    const r = M.memblockDumpRegionLine.parse(lines[i]!);
    if (r) {
      if (r.name === 'memory' && r.size) MB.memblockAdd(mb, r.base, r.size);
      if (r.name === 'reserved' && r.size) MB.memblockReserve(mb, r.base, r.size);
    } else if (!M.memblockDumpSizeLine.parse(lines[i]!) && !M.memblockDumpCntLine.parse(lines[i]!)) break;
  }
  const ops = [
    [M.memblockReserveLine, MB.memblockReserve], [M.memblockPhysFreeLine, MB.memblockPhysFree],
    [M.memblockAddLine, MB.memblockAdd], [M.memblockRemoveLine, MB.memblockRemove],
  ] as const;
  for (; i < lines.length; i++) {
    const t = lines[i]!;
    for (const [fmt, op] of ops) {
      const v = fmt.parse(t);
      if (v) op(mb, v.base, v.size);
    }
    const v = M.memblockReserveLine.parse(t);
    if (v && v.base === 0 && v.size === M1 && v.caller.startsWith('setup_arch')) break;
  }
  const cmdline = lines.find((t) => t.startsWith('Command line:')) ?? '';
  MB.memblockSetBottomUp(mb, /\bmovable_node\b/.test(cmdline));
  const brkLine = lines.map((t) => M.memblockReserveLine.parse(t)).find((v) => v?.caller.startsWith('setup_arch'))!;
  const brk: KernelBrk = { start: brkLine.base, end: brkLine.base + brkLine.size, limit: brkLine.base + DEBIAN_BRK.limit - DEBIAN_BRK.start };
  const e820 = e820TableNew(mb.memory.regions.map((r) => ({ addr: r.base, size: r.size, type: E820Type.RAM })));
  // 5-level paging shows as MAX_PHYSMEM_BITS 52 in max_arch_pfn (2^40 instead of 2^34).
  const lastPfn = lines.map((t) => fmtE820LastPfn.parse(t)).find((v) => v !== undefined)!;
  return {
    mb, brk, maxPfn: lastPfn.lastPfn, e820, l5: lastPfn.maxArchPfn === 2 ** 40,
    gbpages: lines.includes('Using GB pages for direct mapping'), kaslrMemory: !/\bnokaslr\b/.test(cmdline), rest: lines.slice(i + 1),
  };
}

describe('init_mem_mapping on each log\'s own memblock state', () => {
  for (const log of logs) {
    const lines = kernelLines(log);
    // A log whose head was dropped (printk ring overflow) lacks the state to start from.
    const whole = lines.some((t) => fmtE820LastPfn.parse(t)) && lines.some((t) => M.memblockDumpHeaderLine.parse(t));
    it(log, { skip: whole ? false : 'log head dropped' }, () => {
      const st = stateFromLog(lines);
      const mine: string[] = [];
      st.mb.debug = (l) => mine.push(stripOffset(l));
      initMemMapping({
        mb: st.mb, e820: st.e820, maxPfn: st.maxPfn, brk: st.brk, gbpages: st.gbpages, l5: st.l5, kaslrMemory: st.kaslrMemory,
        printk: new TracePrintk(mine),
      });
      const expected: string[] = [];
      for (const t of st.rest) {
        if (!isMappingLine(t)) break;
        expected.push(stripOffset(t));
      }
      assert.deepEqual(mine, expected);
    });
  }
});

describe('reserve_brk() completes the first memblock dump', () => {
  const dump = (ts: string[]) => {
    const i = ts.indexOf('MEMBLOCK configuration:');
    const out: string[] = [];
    for (let j = i + 1; j < ts.length && /^ (memory|reserved)/.test(ts[j]!); j++) out.push(ts[j]!.trim());
    return out;
  };
  for (const log of logs.filter((f) => existsSync(join(examples, f.replace(/\.log$/, '.yaml'))))) {
    const lines = kernelLines(log);
    // A KASLR boot loads the kernel (and its brk) at a random address the machine file does not know.
    const kaslr = !/\bnokaslr\b/.test(lines.find((t) => t.startsWith('Command line:')) ?? '');
    it(log, { skip: kaslr ? 'KASLR: random image placement' : false }, () => {
      const spec = loadMachineFile(join(examples, log.replace(/\.log$/, '.yaml')));
      const m = bootMachine(machineNew(spec.name, spec.firmware));
      assert.deepEqual(dump(m.printk.lines.map((l) => l.text)), dump(lines));
    });
  }
});

describe('get_new_step_size', () => {
  const cases: [number, number][] = [
    [2 * M1, 512 * M1],
    [512 * M1, 128 * G],
    [128 * G, 32 * 1024 * G],
    [2 ** 53, 2 ** 61],
    [2 ** 61, 0], // shifted out of an unsigned long
  ];
  for (const [from, to] of cases) it(`${from} → ${to}`, () => assert.equal(getNewStepSize(from), to));
});

/** A memblock with RAM ranges [start, end) and the matching e820 table. */
function layout(ram: [number, number][], reserved: [number, number][] = []) {
  const mb = MB.memblockCreate();
  for (const [s, e] of ram) MB.memblockAdd(mb, s, e - s);
  for (const [s, e] of reserved) MB.memblockReserve(mb, s, e - s);
  const e820 = e820TableNew(ram.map(([s, e]) => ({ addr: s, size: e - s, type: E820Type.RAM })));
  return { mb, e820 };
}

const K4 = 0;
const P2M = 1 << 2;
const P1G = 1 << 3;

describe('split_mem_range', () => {
  // RAM from 4K: the ISA range cannot take a 2M page, [0, 2M) is not all RAM.
  //   0   4K                   1M
  //   |xxx|=====RAM============|
  const isa = layout([[0x1000, 0x9f000], [M1, 0xbffe0000]]);
  const big = layout([[M1, 0x140000000]]);
  const cases: [string, ReturnType<typeof layout>, number, number, number, [number, number, number][]][] = [
    ['ISA range, RAM from 4K', isa, 0, M1, P2M, [[0, M1, K4]]],
    ['ISA range, RAM from 0 to 4M', layout([[0, 4 * M1]]), 0, M1, P2M, [[0, M1, P2M]]],
    // |4K head|------------- 2M -------------|4K tail|
    // 1M      2M                       0xbfe00000   0xbffe0000
    ['low RAM, 2M pages', isa, M1, 0xbffe0000, P2M, [[M1, 2 * M1, K4], [2 * M1, 0xbfe00000, P2M], [0xbfe00000, 0xbffe0000, K4]]],
    // five runs, the most NR_RANGE_MR allows: 4K, 2M up to 1G, 1G, 2M tail, 4K tail
    ['low RAM, 1G pages', isa, M1, 0xbffe0000, P2M | P1G,
      [[M1, 2 * M1, K4], [2 * M1, G, P2M], [G, 2 * G, P2M | P1G], [2 * G, 0xbfe00000, P2M], [0xbfe00000, 0xbffe0000, K4]]],
    ['a whole GiB, 1G pages', big, 4 * G, 5 * G, P2M | P1G, [[4 * G, 5 * G, P2M | P1G]]],
    // the top 2M of a GiB that is all RAM widens to a 1G page
    ['2M inside RAM, widened to 1G', big, 5 * G - 2 * M1, 5 * G, P2M | P1G, [[5 * G - 2 * M1, 5 * G, P2M | P1G]]],
    // 2M runs on both sides of a GiB boundary merge
    ['2M across 1G boundaries, merged', big, 2 * M1, 0x13fe00000, P2M, [[2 * M1, 0x13fe00000, P2M]]],
    ['4K only (no PSE)', big, M1, 3 * G + 0x1000, 0, [[M1, 3 * G + 0x1000, K4]]],
  ];
  for (const [name, l, start, end, mask, want] of cases) {
    it(name, () => {
      const got = splitMemRange(l.mb, start, end, mask).map((r) => [r.start, r.end, r.pageSizeMask]);
      assert.deepEqual(got, want);
    });
  }
});

type RunOptions = { gbpages?: boolean; l5?: boolean; kaslr?: boolean; brk?: KernelBrk; printk?: Printk };

function run(l: ReturnType<typeof layout>, maxPfn: number, opts: RunOptions = {}) {
  const lines: string[] = [];
  l.mb.debug = (t) => lines.push(t);
  const r: InitMemMappingResult = initMemMapping({
    mb: l.mb, e820: l.e820, maxPfn, brk: opts.brk ?? DEBIAN_BRK, gbpages: opts.gbpages ?? false,
    l5: opts.l5 ?? false, kaslrMemory: opts.kaslr ?? false,
    ...(opts.printk ? { printk: opts.printk } : {}),
  });
  const allocs = lines.filter((t) => t.includes('alloc_low_pages')).map((t) => M.memblockPhysAllocRangeLine.parse(t)!);
  return { r, lines, allocs, brk: r.pages.filter((p) => p.from === 'brk').length, memblock: r.pages.filter((p) => p.from === 'memblock') };
}

const FIRST_MIB: [number, number] = [0, M1];
const KERNEL: [number, number] = [0x1000000, DEBIAN_BRK.end];

describe('memory_map_top_down', () => {
  it('2 GiB: every table fits in the brk buffer', () => {
    // probe → 0x7fc00000, so real_end = 0x7fe00000; steps [0x7fc00000, +2M), [0x60000000, …),
    // [0x40000000, …), [1M, 1G); then [0x7fe00000, 0x7ffe0000) on its own.
    // Tables: ISA PUD + PMD + PTE, the PMD of GiB 1, the PTE over 0x7fe00000.
    const x = run(layout([[0x1000, 0x9f000], [M1, 0x7ffe0000]], [FIRST_MIB, KERNEL]), 0x7ffe0);
    assert.deepEqual(x.lines.slice(0, 3), [
      `memblock_phys_alloc_range: 2097152 bytes align=0x200000 from=${hex(M1)} max_addr=${hex(0x7ffe0000)} init_mem_mapping`,
      `memblock_reserve: [${hex(0x7fc00000)}-${hex(0x7fdfffff)}] memblock_alloc_range_nid`,
      `memblock_phys_free: [${hex(0x7fc00000)}-${hex(0x7fdfffff)}] init_mem_mapping`,
    ]);
    assert.equal(x.brk, 5);
    assert.equal(x.memblock.length, 0);
    assert.equal(x.r.maxPfnMapped, 0x7ffe0);
  });

  // 5-level paging adds a P4D page under the pgd slot; KASLR a trampoline PUD (and P4D).
  const depth: [string, RunOptions, number][] = [
    ['4-level', {}, 5], ['5-level', { l5: true }, 6], ['4-level, KASLR', { kaslr: true }, 6], ['5-level, KASLR', { l5: true, kaslr: true }, 8],
  ];
  for (const [name, opts, brk] of depth) {
    it(`2 GiB, ${name}: ${brk} brk pages`, () => {
      const x = run(layout([[0x1000, 0x9f000], [M1, 0x7ffe0000]], [FIRST_MIB, KERNEL]), 0x7ffe0, opts);
      assert.deepEqual([x.brk, x.memblock.length], [brk, 0]);
    });
  }

  it('34 GiB: the brk buffer runs out and memblock takes over', () => {
    // Steps: [34G-2M, 34G), [33.5G, 34G-2M), then [1M, 33.5G). Low RAM overlaps the brk
    // buffer: its PMD (GiB 1) and PTE page (0x7fe00000) come from memblock. GiBs 4..32 need a
    // PMD each: 16 - 3 (ISA) - 1 (GiB 33) = 12 from brk, the other 17 from memblock.
    const x = run(layout([[0x1000, 0x9f000], [M1, 0x7ffe0000], [4 * G, 34 * G]], [FIRST_MIB, KERNEL]), (34 * G) / 4096);
    assert.equal(x.brk, 16);
    assert.equal(x.memblock.length, 2 + 17);
    for (const a of x.allocs) assert.deepEqual([a.from, a.maxAddr, a.size], [33.5 * G, 34 * G, 4096]);
    x.memblock.forEach((p, i) => assert.equal(p.addr, 34 * G - (i + 1) * 4096));
    assert.deepEqual(x.r.pgtBuf, { start: 0x4401, end: 0x4411, top: 0x4411 });
  });

  it('1 GiB pages need no PMD page for whole GiBs', () => {
    const printk = new Printk();
    const x = run(layout([[0x1000, 0x9f000], [M1, 0xbffe0000], [4 * G, 5 * G]], [FIRST_MIB, KERNEL]), (5 * G) / 4096, { gbpages: true, printk });
    // GiBs 1 and 4 become 1G leaves; GiB 2 ends at 0xbffe0000, so it needs a PMD page and a
    // PTE page. [1M, 0xbffe0000) is one region holding the brk buffer: both come from memblock.
    assert.equal(x.brk, 3);
    assert.equal(x.memblock.length, 2);
    for (const a of x.allocs) assert.deepEqual([a.from, a.maxAddr], [4.5 * G, 5 * G]);
    assert.deepEqual(printk.lines.map((l) => l.text), ['Using GB pages for direct mapping']);
  });

  it('no free 2 MiB block: warns and starts below the last 2 MiB boundary', () => {
    const printk = new Printk();
    const x = run(layout([[0x1000, 0x9f000], [M1, 0x3ffe0000]], [FIRST_MIB, [M1, 0x3ffe0000]]), 0x3ffe0, { printk });
    assert.deepEqual(printk.lines.map((l) => l.text), ['Failed to release memory for alloc_low_pages()']);
    assert.equal(x.lines.length, 1); // the probe's request, and nothing reserved
    assert.equal(x.brk, 4);
  });

  it('a region over the brk buffer that needs a table, with nothing free: the kernel panics', () => {
    // [0x2001000, …) holds the brk buffer and starts with 4K pages: a PTE page from memblock.
    const l = layout([[0x1000, 0x9f000], [M1, 0x2000000], [0x2001000, 0x3ffe0000]], [FIRST_MIB, [M1, 0x3ffe0000]]);
    assert.throws(() => run(l, 0x3ffe0), /alloc_low_pages: can not alloc memory/);
  });
});

describe('memory_map_bottom_up (movable_node)', () => {
  it('34 GiB: maps above _end first, and takes memblock pages right above it', () => {
    // [_end = 0x4430000, 34G) first: GiB 1 PMD and the 0x7fe00000 PTE from brk, then GiBs 4..33
    // need 30 PMDs, 16 - 3 - 2 = 11 from brk and 19 from memblock, lowest first above _end,
    // below max_pfn_mapped (0x7ffe0000, the end of low RAM mapped by the same step).
    const l = layout([[0x1000, 0x9f000], [M1, 0x7ffe0000], [4 * G, 34 * G]], [FIRST_MIB, KERNEL]);
    MB.memblockSetBottomUp(l.mb, true);
    const x = run(l, (34 * G) / 4096);
    assert.ok(!x.lines.some((t) => t.includes('init_mem_mapping')), 'no 2 MiB probe bottom-up');
    assert.equal(x.brk, 16);
    assert.equal(x.memblock.length, 19);
    for (const a of x.allocs) assert.deepEqual([a.from, a.maxAddr], [0x4430000, 0x7ffe0000]);
    x.memblock.forEach((p, i) => assert.equal(p.addr, 0x4430000 + i * 4096));
  });
});

describe('boot panics become BootError', () => {
  it('no memory for a page table', () => {
    const spec = machineFor('pc-1g.log')!;
    const m = machineNew(spec.name, {
      ...spec.firmware,
      e820: [{ addr: 0, size: 0x9fc00, type: 1 }, { addr: M1, size: 0x1f00000, type: 1 }, { addr: 0x2001000, size: 0x3dfdf000, type: 1 }],
      earlyReserved: [{ base: 0, size: 0x3ffe0000, what: 'everything' }],
    });
    assert.throws(() => bootMachine(m), (e: unknown) => e instanceof BootError && /alloc_low_pages/.test(e.message));
  });
});

describe('mapping formats', () => {
  for (const fmt of [gbpagesDirectMapping, probeFailed]) {
    it(fmt.name, () => assert.deepEqual(fmt.parse(fmt.emit({})), {}));
  }
});
