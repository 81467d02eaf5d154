// `meminit boot --memmap`: struct pages, the buddy allocator and deferred init from the command
// line, on worker threads or the main thread; a memmap too big for the host is refused up front.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root, run } from './run-cli.js';

describe('meminit boot --memmap', () => {
  it('runs deferred init on worker threads and prints the kernel line and a summary', () => {
    const r = run('boot', 'pc-1g', '--memmap', '--workers', '2');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^node 0 deferred pages initialised in \d+ms$/m);
    assert.match(r.out, /^meminit: 8 sections of struct pages \(16 MiB\); \d+ pages managed, \d+ of them initialised by deferred init \(parallel, up to 2 threads per node\)$/m);
  });

  it('--workers 0 runs on the main thread; the strategy does not change the result', () => {
    const a = run('boot', 'pc-1g', '--memmap', '--workers', '0', '--strategy', 'legacy');
    const b = run('boot', 'pc-1g', '--memmap', '--strategy', 'maxorder');
    assert.equal(a.code, 0, a.err);
    const summary = (s: string): string => s.split('\n').find((l) => l.startsWith('meminit: 8 sections'))!.replace(/ \(.*\)$/, '');
    assert.equal(summary(a.out), summary(b.out));
    assert.match(a.out, /\(legacy, on the main thread\)/);
  });

  it('threads or not, the same zoneinfo, watermarks included; a UEFI machine frees its boot-services memory as the kernel did', () => {
    const file = join(root, 'examples', 'machines', 'q35-4g-uefi.yaml');
    const threads = run('boot', file, '--memmap', '--workers', '2', '--emit', 'zoneinfo');
    const main = run('boot', file, '--memmap', '--workers', '0', '--emit', 'zoneinfo');
    assert.equal(threads.code, 0, threads.err);
    assert.match(threads.out, /^ {8}min {6}\d+$/m);
    assert.equal(threads.out, main.out);
    const kernel = readFileSync(join(root, 'test', 'corpus', 'q35-4g-uefi.log'), 'utf8').match(/efi: Freeing EFI boot services memory: \d+K/)![0];
    for (const workers of ['0', '2']) assert.ok(run('boot', file, '--memmap', '--workers', workers).out.split('\n').includes(kernel), `--workers ${workers}`);
  });

  it('without --memmap, boot prints what it always did', () => {
    const r = run('boot', 'pc-1g');
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.out, /deferred pages initialised|sections of struct pages/);
  });

  it('refuses a machine whose memmap does not fit, in one line, exit 2', () => {
    const r = run('boot', 'pc-1g', '--memmap', '--memmap-budget', '8M');
    assert.equal(r.code, 2);
    assert.equal(r.err, 'meminit: pc-1g: 8 present sections: the memmap needs 16777216 bytes (0.02 GiB), only 8388608 bytes (0.01 GiB) are available\n');
  });

  it('a machine whose boot allocations cannot be met: the kernel\'s panic in one line, exit 2, for boot, check and proc', () => {
    // 80M of RAM, all reserved but 384K at the top: NODE_DATA fits, the percpu first chunk does not.
    const dir = mkdtempSync(join(tmpdir(), 'meminit-panic-'));
    const file = join(dir, 'full.yaml');
    writeFileSync(file, [
      'e820:', '  - { start: 0, end: 0x9fc00, type: usable }', '  - { start: 0x100000, end: 0x5000000, type: usable }',
      'earlyReserved:', '  - { start: 0x0, end: 0x10000, what: first 64K }', '  - { start: 0x100000, end: 0x1000000, what: firmware }',
      '  - { start: 0x1000000, end: 0x4fa0000, what: kernel image }', '',
    ].join('\n'));
    for (const args of [['boot', file], ['boot', file, '--memmap'], ['check', file], ['proc', 'zoneinfo', file]]) {
      const r = run(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, new RegExp(`^meminit: ${file.replace(/[.]/g, '\\.')}: kernel would panic: pcpu_build_alloc_info: .*\n$`), args.join(' '));
    }
  });

  it('rejects a bad --workers or --strategy', () => {
    assert.equal(run('boot', 'pc-1g', '--memmap', '--workers', 'many').code, 2);
    assert.equal(run('boot', 'pc-1g', '--memmap', '--strategy', 'fast').code, 2);
    assert.equal(run('boot', 'pc-1g', '--memmap', '--memmap-budget', 'lots').code, 2);
  });
});
