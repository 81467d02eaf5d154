// `meminit check`: exit 0 with the ok line on a clean boot, --json for scripts, exit 2 on bad input.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { run } from './run-cli.js';

describe('meminit check', () => {
  it('prints the ok line and exits 0 on a preset', () => {
    const r = run('check', 'pc-1g', '--strategy', 'legacy');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ok: 262144 pfns, \d+ free blocks checked\n$/);
  });

  it('--json on a machine file', () => {
    const r = run('check', 'examples/machines/q35-2g.yaml', '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { ok: boolean; total: number; violations: unknown[]; pfns: number };
    assert.equal(j.ok, true);
    assert.equal(j.total, 0);
    assert.deepEqual(j.violations, []);
    assert.ok(j.pfns > 0);
  });

  it('bad input: exit 2 with one line', () => {
    for (const args of [['check', 'no-such-preset'], ['check', 'pc-1g', '--strategy', 'fast'], ['check', 'missing/file.yaml']]) {
      const r = run(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '');
      assert.ok(r.err.trim().length > 0);
    }
  });
});
