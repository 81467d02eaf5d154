// e820 table edits (update, remove, add), lookups, printed maps and end-of-RAM pfns, with the
// lines the kernel prints for each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  e820EndOfLowRamPfn,
  e820EndOfRamPfn,
  e820GetEntryType,
  e820MappedAll,
  e820MappedAny,
  e820MemblockOps,
  e820PrintTable,
  e820RangeAdd,
  e820RangeRemove,
  e820RangeUpdate,
  e820UpdateTablePrint,
  maxArchPfn,
} from '../../../src/arch/x86/e820.js';
import { E820_MAX_ENTRIES, E820Type, U64_MAX, e820TableNew, type E820Entry } from '../../../src/arch/x86/e820-types.js';
import { Printk } from '../../../src/kernel/printk.js';

const { RAM, RESERVED, ACPI, PRAM, SOFT_RESERVED, RESERVED_KERN } = E820Type;
const K = 0x1000;
type Row = [addr: number, size: number, type: number];
const table = (rows: Row[]) => e820TableNew(rows.map(([addr, size, type]) => ({ addr, size, type })));
const rows = (entries: E820Entry[]): Row[] => entries.map((e) => [e.addr, e.size, e.type]);
const texts = (log: Printk): string[] => log.lines.map((l) => l.text);

describe('e820RangeUpdate (__e820__range_update)', () => {
  // entry [0x10000, 0x20000) RAM; each case retypes a range to RESERVED.
  const cases: { name: string; start: number; size: number; want: Row[]; updated: number; line: string }[] = [
    {
      name: 'covering the entry retypes it in place',
      start: 0x8000, size: 0x20000,
      want: [[0x10000, 0x10000, RESERVED]], updated: 0x10000,
      line: 'e820: update [mem 0x00008000-0x00027fff] usable ==> reserved',
    },
    {
      name: 'inside the entry splits it in three (head in place, range and tail appended)',
      start: 0x14000, size: 0x4000,
      want: [[0x10000, 0x4000, RAM], [0x14000, 0x4000, RESERVED], [0x18000, 0x8000, RAM]], updated: 0x4000,
      line: 'e820: update [mem 0x00014000-0x00017fff] usable ==> reserved',
    },
    {
      name: 'over the head: the entry keeps its tail, the head is appended',
      start: 0x8000, size: 0xc000,
      want: [[0x14000, 0xc000, RAM], [0x10000, 0x4000, RESERVED]], updated: 0x4000,
      line: 'e820: update [mem 0x00008000-0x00013fff] usable ==> reserved',
    },
    {
      name: 'over the tail: the entry keeps its head, the tail is appended',
      start: 0x1c000, size: 0x10000,
      want: [[0x10000, 0xc000, RAM], [0x1c000, 0x4000, RESERVED]], updated: 0x4000,
      line: 'e820: update [mem 0x0001c000-0x0002bfff] usable ==> reserved',
    },
    {
      name: 'outside the entry changes nothing',
      start: 0x20000, size: 0x1000,
      want: [[0x10000, 0x10000, RAM]], updated: 0,
      line: 'e820: update [mem 0x00020000-0x00020fff] usable ==> reserved',
    },
    {
      name: 'a size reaching past 2^64 is clamped and printed as ULLONG_MAX - 1',
      start: 0x18000, size: U64_MAX,
      want: [[0x10000, 0x8000, RAM], [0x18000, 0x8000, RESERVED]], updated: 0x8000,
      line: 'e820: update [mem 0x00018000-0xfffffffffffffffe] usable ==> reserved',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = table([[0x10000, 0x10000, RAM]]);
      const log = new Printk();
      assert.equal(e820RangeUpdate(t, c.start, c.size, RAM, RESERVED, log), c.updated);
      assert.deepEqual(rows(t.entries), c.want);
      assert.deepEqual(texts(log), [c.line]);
    });
  }

  it('only touches entries of the old type, across several entries', () => {
    const t = table([[0, 0x4000, RAM], [0x4000, 0x4000, ACPI], [0x8000, 0x4000, RAM]]);
    const log = new Printk();
    assert.equal(e820RangeUpdate(t, 0x2000, 0x8000, RAM, PRAM, log), 0x4000);
    assert.deepEqual(rows(t.entries), [
      [0, 0x2000, RAM], [0x4000, 0x4000, ACPI], [0xa000, 0x2000, RAM], [0x2000, 0x2000, PRAM], [0x8000, 0x2000, PRAM],
    ]);
    assert.deepEqual(texts(log), ['e820: update [mem 0x00002000-0x00009fff] usable ==> persistent (type 12)']);
  });

  it('prints RESERVED_KERN as usable (setup_data marking)', () => {
    const log = new Printk();
    e820RangeUpdate(table([[0, 0x100000, RAM]]), 0x9000, 0x30, RAM, RESERVED_KERN, log);
    assert.deepEqual(texts(log), ['e820: update [mem 0x00009000-0x0000902f] usable ==> usable']);
  });

  it('throws on old == new, the kernel BUG_ON', () => {
    assert.throws(() => e820RangeUpdate(table([]), 0, K, RAM, RAM, new Printk()), /BUG_ON/);
  });
});

describe('e820RangeRemove (e820__range_remove)', () => {
  it('zeroes a fully covered entry in place until the next sanitize', () => {
    const t = table([[0, 0x9fc00, RAM], [0xa0000, 0x20000, RAM], [0x100000, 0x100000, RAM]]);
    const log = new Printk();
    assert.equal(e820RangeRemove(t, 0xa0000, 0x60000, RAM, true, log), 0x20000);
    assert.deepEqual(rows(t.entries), [[0, 0x9fc00, RAM], [0, 0, 0], [0x100000, 0x100000, RAM]]);
    assert.deepEqual(texts(log), ['e820: remove [mem 0x000a0000-0x000fffff] usable']);
  });

  it('cuts a hole: the tail is appended', () => {
    const t = table([[0, 0x10000, RAM]]);
    assert.equal(e820RangeRemove(t, 0x4000, 0x4000, RAM, true, new Printk()), 0x4000);
    assert.deepEqual(rows(t.entries), [[0, 0x4000, RAM], [0x8000, 0x8000, RAM]]);
  });

  it('trims heads and tails of partly covered entries', () => {
    const t = table([[0, 0x8000, RAM], [0x8000, 0x8000, RAM]]);
    assert.equal(e820RangeRemove(t, 0x6000, 0x4000, RAM, true, new Printk()), 0x4000);
    assert.deepEqual(rows(t.entries), [[0, 0x6000, RAM], [0xa000, 0x6000, RAM]]);
  });

  it('with checkType, other types survive', () => {
    const t = table([[0, 0x8000, RESERVED]]);
    assert.equal(e820RangeRemove(t, 0, 0x8000, RAM, true, new Printk()), 0);
    assert.deepEqual(rows(t.entries), [[0, 0x8000, RESERVED]]);
  });

  it('without checkType, every type goes and the line ends with the bare space', () => {
    const t = table([[0, 0x8000, RESERVED], [0x8000, 0x8000, RAM]]);
    const log = new Printk();
    assert.equal(e820RangeRemove(t, 0x4000, 0x8000, 0, false, log), 0x8000);
    assert.deepEqual(rows(t.entries), [[0, 0x4000, RESERVED], [0xc000, 0x4000, RAM]]);
    assert.deepEqual(texts(log), ['e820: remove [mem 0x00004000-0x0000bfff] ']);
  });

  it('mem=-style removal to ULLONG_MAX', () => {
    const t = table([[0x100000, 0x7ff00000, RAM], [0x100000000, 0x80000000, RAM]]);
    const log = new Printk();
    e820RangeRemove(t, 0x40000000, U64_MAX - 0x40000000, RAM, true, log);
    assert.deepEqual(rows(t.entries), [[0x100000, 0x3ff00000, RAM], [0, 0, 0]]);
    assert.deepEqual(texts(log), ['e820: remove [mem 0x40000000-0xfffffffffffffffe] usable']);
  });

  it('a zero-sized removal inside an entry still splits it (kernel quirk)', () => {
    const t = table([[0, 0x1000, RESERVED]]);
    e820RangeRemove(t, 0x400, 0, 0, false, new Printk());
    assert.deepEqual(rows(t.entries), [[0, 0x400, RESERVED], [0x400, 0xc00, RESERVED]]);
  });
});

describe('e820RangeAdd (__e820__range_add)', () => {
  it('appends without sorting, and refuses past E820_MAX_ENTRIES with a line', () => {
    const t = table([]);
    const log = new Printk();
    for (let i = 0; i < E820_MAX_ENTRIES; i++) e820RangeAdd(t, (E820_MAX_ENTRIES - i) * K, K, RAM, log);
    assert.equal(t.entries[0]!.addr, E820_MAX_ENTRIES * K);
    e820RangeAdd(t, 0xfed00000, 0x1000, RESERVED, log);
    assert.equal(t.entries.length, E820_MAX_ENTRIES);
    assert.deepEqual(texts(log), ['too many entries; ignoring [mem 0xfed00000-0xfed00fff]']);
  });
});

describe('lookups', () => {
  const t = table([[0, 0x9f000, RAM], [0x9f000, 0x1000, RESERVED], [0x100000, 0x100000, RAM], [0x200000, 0x100000, RAM]]);
  it('e820MappedAny', () => {
    assert.equal(e820MappedAny(t, 0x9f800, 0xa0000, RESERVED), true);
    assert.equal(e820MappedAny(t, 0xa0000, 0x100000, 0), false);
  });
  it('e820MappedAll walks across touching entries', () => {
    assert.equal(e820MappedAll(t, 0x100000, 0x300000, RAM), true);
    assert.equal(e820MappedAll(t, 0x9e000, 0xa0000, RAM), false);
  });
  it('e820GetEntryType', () => {
    assert.equal(e820GetEntryType(t, 0x9f000, 0xa0000), RESERVED);
    assert.equal(e820GetEntryType(t, 0xa0000, 0xa1000), -22);
  });
});

describe('printed maps', () => {
  it('e820PrintTable prints every type label of 6.1', () => {
    const t = table([
      [0, K, RAM], [K, K, RESERVED], [2 * K, K, ACPI], [3 * K, K, E820Type.NVS], [4 * K, K, E820Type.UNUSABLE],
      [5 * K, K, E820Type.PMEM], [6 * K, K, PRAM], [7 * K, K, SOFT_RESERVED], [8 * K, K, RESERVED_KERN], [9 * K, K, 6],
    ]);
    const log = new Printk();
    e820PrintTable(t, 'BIOS-e820', log);
    assert.deepEqual(texts(log), [
      'BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] usable',
      'BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] reserved',
      'BIOS-e820: [mem 0x0000000000002000-0x0000000000002fff] ACPI data',
      'BIOS-e820: [mem 0x0000000000003000-0x0000000000003fff] ACPI NVS',
      'BIOS-e820: [mem 0x0000000000004000-0x0000000000004fff] unusable',
      'BIOS-e820: [mem 0x0000000000005000-0x0000000000005fff] persistent (type 7)',
      'BIOS-e820: [mem 0x0000000000006000-0x0000000000006fff] persistent (type 12)',
      'BIOS-e820: [mem 0x0000000000007000-0x0000000000007fff] soft reserved',
      'BIOS-e820: [mem 0x0000000000008000-0x0000000000008fff] usable',
      'BIOS-e820: [mem 0x0000000000009000-0x0000000000009fff] type 6',
    ]);
  });

  it('a removed entry printed before sanitizing shows its u64 wrap-around, as the kernel does', () => {
    const log = new Printk();
    e820PrintTable(table([[0, 0, 0]]), 'T', log);
    assert.deepEqual(texts(log), ['T: [mem 0x0000000000000000-0xffffffffffffffff] type 0']);
  });

  it('e820UpdateTablePrint prints the "modified" map only when sanitizing happened', () => {
    const log = new Printk();
    e820UpdateTablePrint(table([[0, K, RAM]]), log);
    assert.deepEqual(texts(log), []);
    e820UpdateTablePrint(table([[K, K, RAM], [0, K, RAM]]), log);
    assert.deepEqual(texts(log), ['modified physical RAM map:', 'modified: [mem 0x0000000000000000-0x0000000000001fff] usable']);
  });
});

describe('end of RAM (e820_end_pfn)', () => {
  const t = table([[0, 0x9fc00, RAM], [0x100000, 0x7fedc000, RAM], [0x7ffdc000, 0x24000, RESERVED], [0x100000000, 0x80000000, RAM]]);
  it('e820EndOfRamPfn: the end of the highest RAM, and the line', () => {
    const log = new Printk();
    assert.equal(e820EndOfRamPfn(t, log), 0x180000);
    assert.deepEqual(texts(log), ['last_pfn = 0x180000 max_arch_pfn = 0x400000000']);
  });
  it('e820EndOfLowRamPfn: RAM below 4 GiB; partial pages are dropped', () => {
    const log = new Printk();
    assert.equal(e820EndOfLowRamPfn(t, log), 0x7ffdc);
    assert.deepEqual(texts(log), ['last_pfn = 0x7ffdc max_arch_pfn = 0x400000000']);
  });
  it('caps at MAX_ARCH_PFN, which 5-level paging raises', () => {
    assert.equal(maxArchPfn(), 0x400000000);
    assert.equal(maxArchPfn(true), 0x10000000000);
    const big = table([[0, 2 ** 47, RAM]]);
    assert.equal(e820EndOfRamPfn(big, new Printk()), 0x400000000);
    assert.equal(e820EndOfRamPfn(big, new Printk(), true), 2 ** 35);
  });
  it('a RAM entry crossing the limit ends the walk at the limit', () => {
    assert.equal(e820EndOfLowRamPfn(table([[0xc0000000, 0x80000000, RAM]]), new Printk()), 0x100000);
  });
  it('no RAM prints 0x0 (the kernel\'s %#lx)', () => {
    const log = new Printk();
    assert.equal(e820EndOfRamPfn(table([[0, K, RESERVED]]), log), 0);
    assert.deepEqual(texts(log), ['last_pfn = 0x0 max_arch_pfn = 0x400000000']);
  });
});

describe('e820MemblockOps (what e820__memblock_setup hands memblock)', () => {
  it('RAM and RESERVED_KERN to memory, SOFT_RESERVED to reserved, the rest nowhere', () => {
    const t = table([
      [0, 0x1000, RESERVED], [0x1000, 0x9ec00, RAM], [0x100000, 0x1000, RESERVED_KERN],
      [0x200000, 0x100000, SOFT_RESERVED], [0x300000, 0x1000, ACPI], [0x400000, 0x1000, PRAM],
    ]);
    assert.deepEqual(e820MemblockOps(t), [
      { op: 'add', base: 0x1000, size: 0x9ec00 },
      { op: 'add', base: 0x100000, size: 0x1000 },
      { op: 'reserve', base: 0x200000, size: 0x100000 },
    ]);
  });
});
