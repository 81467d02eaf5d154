// The memblock line formats (src/trace/formats/memblock.ts): parse(emit(x)) = x for every
// format, real kernel lines survive parse → emit byte for byte, and a real memblock_dump_all()
// block parses and re-emits exactly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_NUMNODES } from '../../src/include/mmzone.js';
import { PHYS_ADDR_MAX } from '../../src/include/pfn.js';
import type { LineFormat } from '../../src/trace/format.js';
import * as F from '../../src/trace/formats/memblock.js';

const addr = fc.oneof(fc.integer({ min: 0, max: 2 ** 52 }), fc.constant(0), fc.constant(PHYS_ADDR_MAX));
const size = fc.oneof(fc.integer({ min: 0, max: 2 ** 52 }), fc.constant(0), fc.constant(PHYS_ADDR_MAX));
const nid = fc.oneof(fc.integer({ min: -1, max: MAX_NUMNODES }), fc.constant(-1));
const caller = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z_][a-z0-9_.]{0,20}\+0x[0-9a-f]{1,4}\/0x[0-9a-f]{1,4}$/));
const align = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 }).map((s) => 2 ** s));

function roundTrips<T>(f: LineFormat<T>, arb: fc.Arbitrary<T>): void {
  test(`${f.name}: parse(emit(x)) = x`, () => {
    fc.assert(fc.property(arb, (v) => assert.deepEqual(f.parse(f.emit(v)), { ...v })), { numRuns: 300 }); // records from fc have no prototype
  });
}

describe('round trips', () => {
  const range = fc.record({ base: addr, size, caller });
  for (const f of [F.memblockAddLine, F.memblockRemoveLine, F.memblockReserveLine, F.memblockPhysFreeLine, F.memblockFreeLateLine])
    roundTrips(f, range);
  roundTrips(F.memblockAddNodeLine, fc.record({ base: addr, size, nid, flags: fc.integer({ min: 0, max: 15 }), caller }));
  roundTrips(F.memblockPhysAllocRangeLine, fc.record({ size, align, from: addr, maxAddr: addr, caller }));
  for (const f of [F.memblockAllocTryNidLine, F.memblockAllocTryNidRawLine, F.memblockAllocExactNidRawLine])
    roundTrips(f, fc.record({ size, align, nid, from: addr, maxAddr: addr, caller }));
  const name = fc.constantFrom('memory', 'reserved');
  roundTrips(F.memblockDoubledLine, fc.record({ name, max: fc.integer({ min: 256, max: 2 ** 30 }), base: addr, size }));
  roundTrips(F.memblockDoubleFailedLine, fc.record({ name, from: fc.nat(), to: fc.nat() }));
  roundTrips(F.memblockMirrorFallbackLine, fc.record({ size }));
  roundTrips(F.memblockDumpSizeLine, fc.record({ memorySize: size, reservedSize: size }));
  roundTrips(F.memblockDumpCntLine, fc.record({ name, cnt: fc.integer({ min: 1, max: 2 ** 20 }) }));
  roundTrips(
    F.memblockDumpRegionLine,
    fc.record({ name, idx: fc.nat({ max: 4096 }), base: addr, size, nid, flags: fc.integer({ min: 0, max: 15 }) }),
  );
  test('memblock.dump_header', () => assert.deepEqual(F.memblockDumpHeaderLine.parse(F.memblockDumpHeaderLine.emit({})), {}));
});

// Lines from real memblock=debug boots (timestamps stripped).
const REAL_LINES: [LineFormat<unknown>, string][] = [
  [F.memblockAllocTryNidLine, 'memblock_alloc_try_nid: 192 bytes align=0x80 nid=0 from=0x0000000000000000 max_addr=0x0000000000000000 sparse_init_nid+0xa0/0x4ac'],
  [F.memblockAllocTryNidRawLine, 'memblock_alloc_try_nid_raw: 14680064 bytes align=0x1000 nid=1 from=0x0000000001000000 max_addr=0x0000000000000000 sparse_init_nid+0x154/0x4ac'],
  [F.memblockAllocTryNidLine, 'memblock_alloc_try_nid: 88 bytes align=0x80 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 start_kernel+0x110/0x734'],
  [F.memblockReserveLine, 'memblock_reserve: [0x0000000000791000-0x00000000007910bf] memblock_alloc_range_nid+0x158/0x1fc'],
  [F.memblockReserveLine, 'memblock_reserve: [0x00000000006b8000-0x00000000006b7fff] setup_arch+0x44c/0x58c'],
  [F.memblockPhysAllocRangeLine, 'memblock_phys_alloc_range: 4096 bytes align=0x1000 from=0x0000000000000000 max_addr=0x0000000000000000 alloc_pmd_fixmap+0x14/0x1c'],
  [F.memblockDoubledLine, 'memblock: reserved is doubled to 256 at [0x000000017fffd000-0x000000017fffe7ff]'],
  [F.memblockRemoveLine, 'memblock_remove: [0x0000000000000000-0xfffffffffffffffe] reserve_regions+0x56/0x134'],
];

describe('real kernel lines', () => {
  for (const [f, line] of REAL_LINES)
    test(`${f.name}: ${line.slice(0, 50)}…`, () => {
      const v = f.parse(line);
      assert.ok(v, 'parses');
      assert.equal(f.emit(v), line);
    });

  test('a zero-size reservation prints end = base - 1', () => {
    assert.deepEqual(F.memblockReserveLine.parse('memblock_reserve: [0x00000000006b8000-0x00000000006b7fff] setup_arch+0x44c/0x58c'), {
      base: 0x6b8000,
      size: 0,
      caller: 'setup_arch+0x44c/0x58c',
    });
  });

  test('size ~0 from 0 prints 0xfffffffffffffffe and parses back to PHYS_ADDR_MAX', () => {
    assert.equal(F.memblockRemoveLine.parse(REAL_LINES[7]![1])!.size, PHYS_ADDR_MAX);
  });

  test('lines of other formats are not taken', () => {
    assert.equal(F.memblockAddLine.parse(REAL_LINES[3]![1]), undefined);
    assert.equal(F.memblockAllocTryNidLine.parse(REAL_LINES[1]![1]), undefined);
    assert.equal(F.memblockPhysAllocRangeLine.parse(REAL_LINES[0]![1]), undefined);
  });
});

describe('memblock_dump_all block', () => {
  const text = readFileSync(new URL('../../../test/memblock-traces/real-dump-ip27.txt', import.meta.url), 'utf8');
  const lines = text.replace(/\n$/, '').split('\n');

  test('a real dump parses, its sizes add up, and it re-emits byte for byte', () => {
    const d = F.parseMemblockDump(lines);
    assert.ok(d);
    assert.equal(d.end, lines.length);
    assert.equal(d.memory.length, 0x1c);
    assert.equal(d.reserved.length, 0xe);
    assert.equal(d.memory.reduce((s, r) => s + r.size, 0), d.memorySize);
    assert.equal(d.reserved.reduce((s, r) => s + r.size, 0), d.reservedSize);
    assert.deepEqual(d.memory[4], { base: 0x100000000, size: 0x24000000, flags: 0, nid: 1 });
    assert.equal(d.reserved[0]!.nid, MAX_NUMNODES);
    const again = F.emitMemblockDump(
      { name: 'memory', regions: d.memory, totalSize: d.memorySize },
      { name: 'reserved', regions: d.reserved, totalSize: d.reservedSize },
    );
    assert.deepEqual(again, lines);
  });

  test('timestamps stripped by the lexer leave the kernel spacing; tabs turned to spaces still parse', () => {
    const withNoise = ['some other line', 'MEMBLOCK configuration:', ...lines.slice(1).map((l) => l.replace('\t', '     ')), 'after'];
    const d = F.parseMemblockDump(withNoise);
    assert.ok(d);
    assert.equal(d.end, withNoise.length - 1);
    assert.deepEqual(d.memory, F.parseMemblockDump(lines)!.memory);
  });

  test('a truncated or out-of-order block is rejected', () => {
    assert.equal(F.parseMemblockDump(lines.slice(0, 20)), undefined);
    const swapped = [...lines];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    assert.equal(F.parseMemblockDump(swapped), undefined);
  });

  test('an empty array prints its dummy entry: end wraps to ~0, "on node 0" only for the zeroed initial one', () => {
    const dummy = (nid: number) => ({ name: 'memory', regions: [{ base: 0, size: 0, flags: 0, nid }], totalSize: 0 });
    const out = F.emitMemblockDump(dummy(0), { ...dummy(MAX_NUMNODES), name: 'reserved' });
    assert.deepEqual(out, [
      'MEMBLOCK configuration:',
      ' memory size = 0x0000000000000000 reserved size = 0x0000000000000000',
      ' memory.cnt  = 0x1',
      ' memory[0x0]\t[0x0000000000000000-0xffffffffffffffff], 0x0000000000000000 bytes on node 0 flags: 0x0',
      ' reserved.cnt  = 0x1',
      ' reserved[0x0]\t[0x0000000000000000-0xffffffffffffffff], 0x0000000000000000 bytes flags: 0x0',
    ]);
  });
});
