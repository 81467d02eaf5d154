// e820__update_table(): overlaps resolved by the highest type, sorted output, touching
// same-type ranges merged (except PRAM and soft-reserved). Each case is drawn as columns of
// 0x1000-byte units: the input rows above, the expected entries below.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { e820UpdateTable } from '../../../src/arch/x86/e820-sanitize.js';
import { E820_MAX_ENTRIES, E820Type, type E820Entry } from '../../../src/arch/x86/e820-types.js';

const { RAM, RESERVED, ACPI, NVS, PRAM, SOFT_RESERVED, RESERVED_KERN } = E820Type;
const U = 0x1000;
type Row = [start: number, end: number, type: number];
const toEntries = (rows: Row[]): E820Entry[] => rows.map(([s, e, type]) => ({ addr: s * U, size: (e - s) * U, type }));

function sanitize(rows: Row[]): { ret: number; out: Row[] } {
  const table = { entries: toEntries(rows) };
  const ret = e820UpdateTable(table);
  return { ret, out: table.entries.map((e) => [e.addr / U, (e.addr + e.size) / U, e.type]) };
}

const cases: { name: string; diagram: string; input: Row[]; want: Row[] }[] = [
  {
    name: 'a reserved hole inside RAM splits it',
    diagram: 'in  1111111111 / __22______   out 11 22 111111',
    input: [[0, 10, RAM], [2, 4, RESERVED]],
    want: [[0, 2, RAM], [2, 4, RESERVED], [4, 10, RAM]],
  },
  {
    name: 'RAM inside reserved disappears',
    diagram: 'in  2222222222 / __11______   out 2222222222',
    input: [[0, 10, RESERVED], [2, 4, RAM]],
    want: [[0, 10, RESERVED]],
  },
  {
    name: 'a partial overlap goes to the higher type',
    diagram: 'in  11111_____ / ___333____   out 111 333',
    input: [[0, 5, RAM], [3, 6, ACPI]],
    want: [[0, 3, RAM], [3, 6, ACPI]],
  },
  {
    name: 'three overlapping types',
    diagram: 'in  111111____ / __4444____ / ____3333__   out 11 4444 33',
    input: [[0, 6, RAM], [2, 6, NVS], [4, 8, ACPI]],
    want: [[0, 2, RAM], [2, 6, NVS], [6, 8, ACPI]],
  },
  {
    name: 'unordered input comes out sorted',
    diagram: 'in  ______22 / 11______ / ___111__   out 11 111 22',
    input: [[6, 8, RESERVED], [0, 2, RAM], [3, 6, RAM]],
    want: [[0, 2, RAM], [3, 6, RAM], [6, 8, RESERVED]],
  },
  {
    name: 'touching ranges of one type merge, across input order',
    diagram: 'in  ____1111 / 1111____   out 11111111',
    input: [[4, 8, RAM], [0, 4, RAM]],
    want: [[0, 8, RAM]],
  },
  {
    name: 'touching ranges of different types stay apart',
    diagram: 'in  1111____ / ____2222   out 1111 2222',
    input: [[0, 4, RAM], [4, 8, RESERVED]],
    want: [[0, 4, RAM], [4, 8, RESERVED]],
  },
  {
    name: 'a gap keeps same-type ranges apart',
    diagram: 'in  111_____ / ____1111   out 111 1111',
    input: [[0, 3, RAM], [4, 8, RAM]],
    want: [[0, 3, RAM], [4, 8, RAM]],
  },
  {
    name: 'duplicates collapse',
    diagram: 'in  2222 / 2222 / 2222   out 2222',
    input: [[0, 4, RESERVED], [0, 4, RESERVED], [0, 4, RESERVED]],
    want: [[0, 4, RESERVED]],
  },
  {
    name: 'PRAM never merges, and splits wherever a range below it starts or ends',
    diagram: 'in  PPPP____ / ____PPPP / _11_____   out P P P P',
    input: [[0, 4, PRAM], [4, 8, PRAM], [1, 3, RAM]],
    want: [[0, 1, PRAM], [1, 3, PRAM], [3, 4, PRAM], [4, 8, PRAM]],
  },
  {
    name: 'soft-reserved never merges and beats every other type',
    diagram: 'in  SSSS____ / ____SSSS / 22222222   out SSSS SSSS',
    input: [[0, 4, SOFT_RESERVED], [4, 8, SOFT_RESERVED], [0, 8, RESERVED]],
    want: [[0, 4, SOFT_RESERVED], [4, 8, SOFT_RESERVED]],
  },
  {
    name: 'RESERVED_KERN (128) wins over RAM',
    diagram: 'in  11111111 / __KK____   out 11 KK 1111',
    input: [[0, 8, RAM], [2, 4, RESERVED_KERN]],
    want: [[0, 2, RAM], [2, 4, RESERVED_KERN], [4, 8, RAM]],
  },
  {
    name: 'empty and removed (type 0) entries vanish',
    diagram: 'in  1111____ / ____ (size 0) / 0000 (type 0)   out 1111',
    input: [[0, 4, RAM], [5, 5, RESERVED], [4, 8, 0]],
    want: [[0, 4, RAM]],
  },
];

describe('e820UpdateTable (e820__update_table)', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.diagram}`, () => {
      assert.deepEqual(sanitize(c.input), { ret: 0, out: c.want });
    });
  }

  it('leaves a single entry alone and returns -1, even an empty one', () => {
    assert.deepEqual(sanitize([[3, 3, RAM]]), { ret: -1, out: [[3, 3, RAM]] });
    assert.deepEqual(sanitize([]), { ret: -1, out: [] });
  });

  it('refuses a table with an entry that wraps past 2^64', () => {
    const table = { entries: [{ addr: 0x1000, size: 2 ** 64, type: RAM }, { addr: 0, size: 0x1000, type: RAM }] };
    assert.equal(e820UpdateTable(table), -1);
    assert.equal(table.entries.length, 2);
  });

  it('sorts and merges many entries', () => {
    // 1000 one-unit RAM entries given in reverse order, every tenth one reserved.
    const rows: Row[] = [];
    for (let i = 999; i >= 0; i--) rows.push([i, i + 1, i % 10 === 9 ? RESERVED : RAM]);
    const { out } = sanitize(rows);
    assert.equal(out.length, 200);
    assert.deepEqual(out.slice(0, 3), [[0, 9, RAM], [9, 10, RESERVED], [10, 19, RAM]]);
  });

  it('stops at E820_MAX_ENTRIES output entries, as the kernel does', () => {
    // 1600 pairs: RAM [100i, 100i+50) with a reserved hole [100i+20, 100i+30) → 4800 pieces.
    const entries: E820Entry[] = [];
    for (let i = 0; i < 1600; i++) {
      entries.push({ addr: i * 100, size: 50, type: RAM }, { addr: i * 100 + 20, size: 10, type: RESERVED });
    }
    const table = { entries };
    assert.equal(e820UpdateTable(table), 0);
    assert.equal(table.entries.length, E820_MAX_ENTRIES);
    // 3198 pieces fill pairs 0..1065; pair 1066 gets its RAM head and its hole in.
    assert.deepEqual(table.entries.at(-1), { addr: 106620, size: 10, type: RESERVED });
  });

  it('matches a per-unit model on random tables', () => {
    // Model: cut at every start/end, give each piece the highest covering type, then merge
    // neighbours of one mergeable type.
    const NOMERGE = new Set<number>([PRAM, SOFT_RESERVED]);
    function model(rows: Row[]): Row[] {
      const cuts = [...new Set(rows.filter(([s, e]) => e > s).flatMap(([s, e]) => [s, e]))].sort((a, b) => a - b);
      const out: Row[] = [];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const [s, e] = [cuts[i]!, cuts[i + 1]!];
        const type = Math.max(0, ...rows.filter(([a, b]) => a <= s && b >= e && b > a).map((r) => r[2]));
        if (type === 0) continue;
        const last = out.at(-1);
        if (last && last[1] === s && last[2] === type && !NOMERGE.has(type)) last[1] = e;
        else out.push([s, e, type]);
      }
      return out;
    }
    const row = fc
      .tuple(fc.nat(40), fc.nat(12), fc.constantFrom(RAM, RAM, RESERVED, ACPI, NVS, 5, 7, PRAM, RESERVED_KERN, SOFT_RESERVED))
      .map(([s, len, t]): Row => [s, s + len, t]);
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 20 }), (rows) => {
        assert.deepEqual(sanitize(rows).out, model(rows));
      }),
      { numRuns: 500 },
    );
  });
});
