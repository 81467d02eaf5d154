// meminit run / sysfs / --script as a user runs them: output, the kernel's errno text for a
// refused write, exit codes (0 all lines took, 1 one was refused, 2 a malformed script or input).
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'meminit-script-'));
const script = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const MEM = '/sys/devices/system/memory';

describe('meminit run', () => {
  it('onlines a DIMM block and shows the zone it joined', () => {
    const r = run('run', script('a.sh', `echo online_movable > ${MEM}/memory32/state\ncat ${MEM}/memory32/valid_zones\ncat /proc/zoneinfo\n`), 'hotplug');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Movable\n/);
    // Onlining recomputed the watermarks: the Movable zone has its share now (Movable keeps no lowmem reserve).
    assert.match(r.out, /Node 0, zone  Movable\n {8}min {6}[1-9]\d*\n {8}low {6}\d+\n {8}high {5}\d+\n {8}spanned  32768\n {8}present  32768\n {8}managed  32768\n {8}protection: \(0, 0, 0, 0, 0\)\n/);
  });

  it('prints the kernel\'s error for a refused write, goes on, and exits 1', () => {
    const p = script('b.sh', `echo bogus > ${MEM}/memory32/state\necho online_kernel > ${MEM}/memory32/state\ncat ${MEM}/memory32/state\n`);
    const r = run('run', p, 'hotplug');
    assert.equal(r.code, 1);
    assert.equal(r.err, `${p}:1: write error: Invalid argument\n`);
    assert.equal(r.out, 'online\n');
  });

  it('refuses a malformed script whole, naming file and line, before booting anything', () => {
    const p = script('c.sh', `cat ${MEM}/memory32/state\nalloc lots\n`);
    const r = run('run', p, 'hotplug');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(r.err, `meminit: ${p}:2: PAGES "lots" is not a non-negative integer\n`);
  });

  it('--json reports each line', () => {
    const r = run('run', script('d.sh', `echo offline > ${MEM}/memory32/state\n`), 'hotplug', '--json');
    assert.equal(r.code, 1);
    const d = JSON.parse(r.out) as { results: { line: number; errno: number; error: string }[] };
    assert.deepEqual(d.results.map((x) => [x.line, x.errno, x.error]), [[1, -22, 'write error: Invalid argument']]);
  });
});

describe('meminit sysfs', () => {
  it('cat and write one file; a write reads the file back', () => {
    assert.deepEqual(run('sysfs', 'cat', `${MEM}/block_size_bytes`), { code: 0, out: '8000000\n', err: '' });
    assert.deepEqual(run('sysfs', 'write', `${MEM}/memory40/state`, 'online_movable', '--machine', 'hotplug'), { code: 0, out: 'online\n', err: '' });
    assert.deepEqual(run('sysfs', 'cat', `${MEM}/probe`), { code: 1, out: '', err: `cat: ${MEM}/probe: Permission denied\n` });
    assert.equal(run('sysfs', 'write', `${MEM}/memory40/state`).code, 2);
  });
});

describe('--script on boot and replay', () => {
  it('replays a corpus boot, then runs the script on the machine it describes', () => {
    const r = run('replay', 'test/corpus/pc-4g-numa2-dimm-movable-node.log', '--script', 'examples/scripts/movable-node.sh');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Movable Normal\n0-1\n0-1\n/);
    assert.match(r.out, /check: 0 violation\(s\)/);
  });
});
