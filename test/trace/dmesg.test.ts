// The boot-log lexer: prefixes stripped, capture sections split out, bad input refused.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { lexBootLog, LogError, stripPrefix } from '../../src/trace/dmesg.js';

describe('stripPrefix', () => {
  const cases: [string, string, boolean][] = [
    ['[    0.000000] Zone ranges:', 'Zone ranges:', true],
    ['[12345.678901] Zone ranges:', 'Zone ranges:', true],
    ['<6>[    0.000000] Zone ranges:', 'Zone ranges:', true],
    ['Nov 25 19:49:42 host kernel: Zone ranges:', 'Zone ranges:', true],
    ['2026-11-25T19:49:42+0000 host kernel: Zone ranges:', 'Zone ranges:', true],
    ['Zone ranges:', 'Zone ranges:', false],
    ['[    0.020192]  memory[0x0]\t[0x1000-0x9efff]', ' memory[0x0]\t[0x1000-0x9efff]', true],
  ];
  for (const [line, text, kernel] of cases) {
    it(JSON.stringify(line), () => assert.deepEqual(stripPrefix(line), { text, kernel }));
  }
});

describe('lexBootLog', () => {
  const log = [
    '[    0.000000] Linux version 6.1.0-56-amd64',
    '[    0.000000] Zone ranges:\r',
    '=== meminit-capture: /proc/zoneinfo ===',
    'Node 0, zone      DMA',
    '[    5.100000] a late kernel message',
    '        spanned  4095',
    '=== meminit-capture: end /proc/zoneinfo ===',
    '=== meminit-capture: /proc/buddyinfo ===',
    'truncated: no end marker',
  ].join('\n');
  const r = lexBootLog(log, 'x.log');

  it('numbers kernel lines from 1 and drops carriage returns', () => {
    assert.deepEqual(r.kernel.slice(0, 2), [
      { no: 1, text: 'Linux version 6.1.0-56-amd64' },
      { no: 2, text: 'Zone ranges:' },
    ]);
  });
  it('keeps capture lines apart and routes interleaved kernel lines to the log', () => {
    assert.deepEqual(r.captures.get('/proc/zoneinfo')?.lines, ['Node 0, zone      DMA', '        spanned  4095']);
    assert.ok(r.kernel.some((l) => l.no === 5 && l.text === 'a late kernel message'));
  });
  it('drops a capture section that never ends', () => {
    assert.equal(r.captures.has('/proc/buddyinfo'), false);
  });
  it('refuses empty and binary input, naming the file', () => {
    assert.throws(() => lexBootLog('', 'e.log'), (e: Error) => e instanceof LogError && /^e\.log: empty file/.test(e.message));
    assert.throws(() => lexBootLog('abc\u0000def', 'b.log'), /^LogError: b\.log: binary file \(NUL byte at offset 3\)/);
    assert.throws(() => lexBootLog('\u0001\u0002\u0003\u0004 text', 'c.log'), /does not look like text/);
  });
});
