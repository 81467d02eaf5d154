// /proc/iomem and /proc/meminfo formats: every corpus capture parses and re-emits byte for byte,
// and parse(emit(x)) = x for made-up values (deep nesting, 64-bit addresses, wide numbers).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { emitIomem, iomemLine, parseIomem, ramBufferLine } from '../../src/trace/formats/iomem.js';
import { replayBootLog } from '../../src/trace/replay.js';
import { emitMeminfo, meminfoLine, parseMeminfo } from '../../src/trace/formats/meminfo.js';

const corpus = fileURLToPath(new URL('../../../test/corpus/', import.meta.url));
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log')).sort();

describe('iomem and meminfo captures round-trip byte for byte', () => {
  for (const name of logs) {
    const log = lexBootLog(readFileSync(corpus + name, 'utf8'), name);
    const iomem = log.captures.get('/proc/iomem');
    const meminfo = log.captures.get('/proc/meminfo');
    if (!iomem || !meminfo) continue;
    it(name, () => {
      assert.deepEqual(emitIomem(parseIomem(iomem.lines)), iomem.lines);
      assert.deepEqual(emitMeminfo(parseMeminfo(meminfo.lines)), meminfo.lines);
    });
  }
});

describe('single lines', () => {
  const iomem: [string, { depth: number; start: number; end: number; name: string }][] = [
    ['00000000-00000fff : Reserved', { depth: 0, start: 0, end: 0xfff, name: 'Reserved' }],
    ['  01000000-01e01d31 : Kernel code', { depth: 1, start: 0x1000000, end: 0x1e01d31, name: 'Kernel code' }],
    ['    b0000000-bfffffff : pnp 00:04', { depth: 2, start: 0xb0000000, end: 0xbfffffff, name: 'pnp 00:04' }],
    ['fd00000000-ffffffffff : Reserved', { depth: 0, start: 0xfd00000000, end: 0xffffffffff, name: 'Reserved' }],
  ];
  for (const [text, v] of iomem) {
    it(`iomem: ${text.trim()}`, () => {
      assert.equal(iomemLine.emit(v), text);
      assert.deepEqual(iomemLine.parse(text), v);
    });
  }
  const meminfo: [string, { field: string; value: number; kB: boolean }][] = [
    ['MemTotal:        4009148 kB', { field: 'MemTotal', value: 4009148, kB: true }],
    ['VmallocTotal:   34359738367 kB', { field: 'VmallocTotal', value: 34359738367, kB: true }],
    ['HugePages_Total:       0', { field: 'HugePages_Total', value: 0, kB: false }],
    ['HardwareCorrupted:     0 kB', { field: 'HardwareCorrupted', value: 0, kB: true }],
    ['Active(anon):       1848 kB', { field: 'Active(anon)', value: 1848, kB: true }],
  ];
  for (const [text, v] of meminfo) {
    it(`meminfo: ${text}`, () => {
      assert.equal(meminfoLine.emit(v), text);
      assert.deepEqual(meminfoLine.parse(text), v);
    });
  }
  it('parse(emit(x)) = x for any resource and any meminfo value', () => {
    fc.assert(fc.property(
      fc.nat(6), fc.bigInt({ min: 0n, max: 2n ** 52n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 52n - 1n }), fc.stringMatching(/^[A-Za-z0-9 :.\[\]-]{1,30}$/),
      (depth, a, b, name) => {
        const v = { depth, start: Number(a < b ? a : b), end: Number(a < b ? b : a), name };
        assert.deepEqual(iomemLine.parse(iomemLine.emit(v)), v);
      },
    ));
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_()]{0,20}$/), fc.nat(), fc.boolean(), (field, value, kB) => {
      const v = { field, value, kB };
      assert.deepEqual(meminfoLine.parse(meminfoLine.emit(v)), v);
    }));
  });
});

describe('e820: reserve RAM buffer', () => {
  it('round-trips, 32- and 64-bit', () => {
    for (const v of [{ start: 0x9fc00, end: 0x9ffff }, { start: 0x17fe00000, end: 0x17fffffff }]) {
      assert.deepEqual(ramBufferLine.parse(ramBufferLine.emit(v)), v);
    }
    assert.equal(ramBufferLine.emit({ start: 0x9fc00, end: 0x9ffff }), 'e820: reserve RAM buffer [mem 0x0009fc00-0x0009ffff]');
  });

  it('replay --check predicts the lines, and notices a doctored one', () => {
    const text = readFileSync(corpus + 'pc-4g.log', 'utf8');
    const ok = replayBootLog(lexBootLog(text, 'pc-4g.log'));
    assert.deepEqual(ok.mismatches, []);
    const bad = replayBootLog(lexBootLog(text.replace('reserve RAM buffer [mem 0xbffe0000-0xbfffffff]', 'reserve RAM buffer [mem 0xbffe0000-0xbffeffff]'), 'x.log'));
    assert.deepEqual(bad.mismatches.map((m) => [m.format, m.predicted]), [['e820.ram-buffer', 'e820: reserve RAM buffer [mem 0xbffe0000-0xbfffffff]']]);
  });
});
