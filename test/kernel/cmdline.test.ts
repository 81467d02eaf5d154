// The command-line primitives: next_arg() quoting, parse_args() and "--", simple_strtoull()
// bases, memparse() suffixes and wrap-around, kstrtobool(), parse_option_str(), sysfs_streq().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  kstrtobool,
  memparse,
  nextArg,
  parameq,
  parseArgs,
  parseOptionStr,
  simpleStrtoull,
  sysfsStreq,
} from '../../src/kernel/cmdline.js';

describe('parseArgs / nextArg (parse_args, next_arg)', () => {
  const cases: [string, [string, string | undefined][], string | undefined][] = [
    ['', [], undefined],
    ['   ', [], undefined],
    ['console=ttyS0  memblock=debug\tnokaslr ', [['console', 'ttyS0'], ['memblock', 'debug'], ['nokaslr', undefined]], undefined],
    ['a=b=c', [['a', 'b=c']], undefined],
    ['foo="bar baz" x', [['foo', 'bar baz'], ['x', undefined]], undefined],
    ['"foo=bar baz" x', [['foo', 'bar baz'], ['x', undefined]], undefined],
    ['"quoted word"', [['quoted word', undefined]], undefined],
    ['foo=a"b c"d', [['foo', 'a"b c"d']], undefined],
    ['foo=', [['foo', '']], undefined],
    ['foo="', [['foo', '']], undefined],
    ['=a=b', [['=a', 'b']], undefined],
    ['mem=1G -- single init=x', [['mem', '1G']], 'single init=x'],
    ['a --=x', [['a', undefined], ['--', 'x']], undefined],
    ['a\u00a0b', [['a', undefined], ['b', undefined]], undefined],
  ];
  for (const [cmdline, args, after] of cases) {
    it(JSON.stringify(cmdline), () => {
      const r = parseArgs(cmdline);
      assert.deepEqual(r.args.map((a) => [a.param, a.val]), args);
      assert.equal(r.afterDashes, after);
    });
  }

  it('nextArg returns the index of the next argument past the spaces', () => {
    assert.deepEqual(nextArg('a=1   b', 0), { param: 'a', val: '1', next: 6 });
  });

  it('parameq: dashes and underscores are the same', () => {
    assert.ok(parameq('movable-node', 'movable_node'));
    assert.ok(parameq('memory-hotplug.memmap-on-memory', 'memory_hotplug.memmap_on_memory'));
    assert.ok(!parameq('mem', 'memmap'));
  });
});

describe('simpleStrtoull (base 0)', () => {
  const cases: [string, bigint, number][] = [
    ['123abc', 123n, 3],
    ['0x1fZ', 0x1fn, 4],
    ['0X1F', 0x1fn, 4],
    ['0755', 0o755n, 4],
    ['089', 0n, 1],
    ['0x', 0n, 1],
    ['0xg', 0n, 1],
    ['abc', 0n, 0],
    ['', 0n, 0],
    ['-5', 0n, 0],
    ['18446744073709551616', 0n, 20],
  ];
  for (const [s, value, end] of cases) {
    it(JSON.stringify(s), () => assert.deepEqual(simpleStrtoull(s), { value, end }));
  }
  it('starts at a position', () => assert.deepEqual(simpleStrtoull('1G@0x100', 3), { value: 0x100n, end: 8 }));
});

describe('memparse', () => {
  const cases: [string, bigint, number][] = [
    ['4096', 4096n, 4],
    ['4k', 4096n, 2],
    ['64K', 65536n, 3],
    ['512M', 512n << 20n, 4],
    ['3G', 3n << 30n, 2],
    ['2g', 2n << 30n, 2],
    ['1T', 1n << 40n, 2],
    ['1p', 1n << 50n, 2],
    ['1E', 1n << 60n, 2],
    ['0x80000000', 0x80000000n, 10],
    ['0x10M', 0x10n << 20n, 5],
    ['010k', 8n << 10n, 4],
    ['16E', 0n, 3],
    ['1Gfoo', 1n << 30n, 2],
    ['1x', 1n, 1],
    // A bare suffix is consumed though no digit came before it.
    ['G', 0n, 1],
    ['', 0n, 0],
  ];
  for (const [s, value, end] of cases) {
    it(JSON.stringify(s), () => assert.deepEqual(memparse(s), { value, end }));
  }
});

describe('kstrtobool, parseOptionStr, sysfsStreq', () => {
  it('kstrtobool reads the first letters', () => {
    const t: [string, boolean | undefined][] = [
      ['1', true], ['y', true], ['Yes', true], ['true', true], ['on', true], ['ON', true],
      ['0', false], ['n', false], ['false', false], ['off', false], ['oF', false],
      ['o', undefined], ['', undefined], ['2', undefined], ['enable', undefined],
    ];
    for (const [s, b] of t) assert.equal(kstrtobool(s), b, s);
  });
  it('parseOptionStr matches whole comma-separated words', () => {
    assert.ok(parseOptionStr('mirror', 'mirror'));
    assert.ok(parseOptionStr('foo,mirror', 'mirror'));
    assert.ok(!parseOptionStr('mirrored', 'mirror'));
    assert.ok(!parseOptionStr('', 'mirror'));
  });
  it('sysfsStreq allows one trailing newline', () => {
    assert.ok(sysfsStreq('online', 'online'));
    assert.ok(sysfsStreq('online\n', 'online'));
    assert.ok(!sysfsStreq('online ', 'online'));
  });
});
