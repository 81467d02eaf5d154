// --json on every command that reports (one JSON document on stdout, nothing else), and the exit
// codes each --help documents.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { root, run } from './run-cli.js';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const pc1g = join(root, 'test', 'corpus', 'pc-1g.log');

describe('--json', () => {
  const cases: [string, string[], (j: any) => void][] = [
    ['presets', ['presets', '--json'], (j) => assert.ok(j.some((p: { name: string }) => p.name === 'pc-1g'))],
    ['boot', ['boot', 'pc-1g', '--json'], (j) => assert.equal(j.machine.name, 'pc-1g')],
    ['boot --memmap', ['boot', 'pc-1g', '--memmap', '--workers', '0', '--json'], (j) => assert.equal(j.memmap.sections, 8)],
    ['replay --check', ['replay', pc1g, '--check', '--json'], (j) => {
      assert.equal(j.ok, true);
      assert.deepEqual(j.mismatches, []);
      assert.ok(j.matched > 100);
    }],
    ['proc iomem', ['proc', 'iomem', 'pc-1g', '--json'], (j) => assert.equal(j.data[0].name, 'Reserved')],
    ['page', ['page', '0x1000', 'pc-1g', '--json'], (j) => assert.equal(j.zone, 'DMA32')],
    ['check', ['check', 'pc-1g', '--json'], (j) => assert.equal(j.ok, true)],
  ];
  for (const [name, args, test] of cases) {
    it(`${name}: one JSON document on stdout, nothing on stderr, exit 0`, () => {
      const r = run(...args);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      test(JSON.parse(r.out));
    });
  }

  it('replay --check --json on a doctored log: one document with ok false, exit 1', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'meminit-json-')), 'doctored.log');
    writeFileSync(f, readFileSync(pc1g, 'utf8').replace(/^MemTotal: +\d+ kB$/m, 'MemTotal:         999999 kB'));
    const r = run('replay', f, '--check', '--json');
    assert.equal(r.code, 1, r.err);
    const j = JSON.parse(r.out) as { ok: boolean; mismatches: { format: string; kernel: string }[] };
    assert.equal(j.ok, false);
    assert.deepEqual(j.mismatches.map((m) => [m.format, m.kernel]), [['meminfo', 'MemTotal: 999999 kB']]);
  });

  it('--json with another --emit is bad input (exit 2)', () => {
    const r = run('replay', pc1g, '--json', '--emit', 'dmesg');
    assert.equal(r.code, 2);
    assert.match(r.err, /--json prints one JSON document/);
  });
});

describe('exit codes in --help', () => {
  for (const cmd of ['boot', 'replay', 'page', 'proc', 'check', 'bench', 'serve', 'presets']) {
    it(cmd, () => {
      const r = run(cmd, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, /Exit codes: 0 [^\n]*2 bad input/);
      assert.match(r.out, /Examples:\n {2}meminit /);
    });
  }
});
