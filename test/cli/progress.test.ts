// Progress bars: drawn in place on a terminal, never on a pipe; colour only without NO_COLOR.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Progress, type ProgressStream } from '../../src/cli/progress.js';
import { run } from './run-cli.js';

function fakeTty(isTTY: boolean): ProgressStream & { out: string } {
  return { isTTY, columns: 60, out: '', write(s: string) { this.out += s; return true; } };
}

/** A clock the test moves by hand. */
function clock(): { now: () => number; t: number } {
  const c = { t: 0, now: () => c.t };
  return c;
}

const strip = (s: string): string => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

describe('Progress', () => {
  it('draws nothing when the stream is not a terminal', () => {
    const s = fakeTty(false);
    const p = new Progress({ stream: s, env: {}, showAfterMs: 0, intervalMs: 0 });
    assert.equal(p.active, false);
    p.update('a', 'memmap allocation', 5, 10);
    p.done();
    assert.equal(s.out, '');
  });

  it('draws one line per bar, redrawn in place, then erases them', () => {
    const s = fakeTty(true);
    const c = clock();
    const p = new Progress({ stream: s, env: { NO_COLOR: '1' }, now: c.now, showAfterMs: 0, intervalMs: 0 });
    c.t = 1;
    p.update('m', 'memmap allocation', 48, 96);
    assert.equal(strip(s.out), '\rmemmap allocation [#############-------------]  50%  48/96\n');
    p.update('n0', 'node 0 deferred init', 3, 9);
    assert.ok(s.out.includes('\x1b[1A'), 'moves up over the line it drew');
    const last = strip(s.out.slice(s.out.lastIndexOf('\x1b[1A'))).split('\n');
    assert.match(last[0]!, /memmap allocation \[#+-+\]  50%  48\/96$/);
    assert.match(last[1]!, /node 0 deferred init \[#+-+\]  33%  3\/9$/);
    p.done();
    assert.ok(s.out.endsWith('\x1b[2A'), 'the cursor goes back to where the bars began');
  });

  it('colours the bar unless NO_COLOR is set', () => {
    const a = fakeTty(true);
    new Progress({ stream: a, env: {}, showAfterMs: 0, intervalMs: 0 }).update('x', 'x', 1, 2);
    assert.match(a.out, /\x1b\[32m/);
    const b = fakeTty(true);
    new Progress({ stream: b, env: { NO_COLOR: '1' }, showAfterMs: 0, intervalMs: 0 }).update('x', 'x', 1, 2);
    assert.doesNotMatch(b.out, /\x1b\[32m/);
  });

  it('stays quiet for quick runs and throttles redraws', () => {
    const s = fakeTty(true);
    const c = clock();
    const p = new Progress({ stream: s, env: { NO_COLOR: '1' }, now: c.now, showAfterMs: 300, intervalMs: 100 });
    c.t = 200;
    p.update('a', 'a', 1, 10);
    assert.equal(s.out, '', 'nothing before 300 ms');
    c.t = 400;
    p.update('a', 'a', 2, 10);
    const once = s.out;
    assert.notEqual(once, '');
    c.t = 450;
    p.update('a', 'a', 3, 10);
    assert.equal(s.out, once, 'no redraw within 100 ms');
  });

  it('fits the terminal width', () => {
    const s = { ...fakeTty(true), columns: 30 };
    new Progress({ stream: s, env: { NO_COLOR: '1' }, showAfterMs: 0, intervalMs: 0 }).update('a', 'a long label for a bar', 1, 2);
    assert.ok(strip(s.out).trim().length <= 29, strip(s.out));
  });
});

describe('the CLI on a pipe', () => {
  it('replay and boot --memmap write no progress to a non-terminal stderr', () => {
    const r = run('boot', 'pc-1g', '--memmap', '--workers', '0');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
  });
});
