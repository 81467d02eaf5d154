// The command line as a user meets it: exit codes, one-line errors, --check on real and doctored logs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root, run } from './run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'meminit-cli-'));

const corpusLog = join(root, 'test', 'corpus', 'q35-6g-numa3-memless.log');

describe('meminit replay', () => {
  it('--check on a real boot exits 0 and says how much matched', () => {
    const r = run('replay', corpusLog, '--check');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /predictions match the kernel, 0 mismatches; 62\/62 memblock allocations where the kernel put them/);
  });

  it('--check on a doctored boot exits 1 naming the line and both texts', () => {
    const text = readFileSync(corpusLog, 'utf8').replace('On node 0, zone DMA: 97 pages', 'On node 0, zone DMA: 98 pages');
    const f = join(tmp, 'doctored.log');
    writeFileSync(f, text);
    const no = text.split('\n').findIndex((l) => l.includes('zone DMA: 98 pages')) + 1;
    const r = run('replay', f, '--check');
    assert.equal(r.code, 1);
    assert.ok(r.err.startsWith(`${f}:${no}: `), r.err);
    assert.match(r.err, /doctored\.log:\d+: zone\.unavailable: kernel printed\n {4}On node 0, zone DMA: 98 pages in unavailable ranges\n {2}meminit predicted\n {4}On node 0, zone DMA: 97 pages in unavailable ranges/);
  });

  it('--check notices an allocation the kernel put elsewhere', () => {
    const text = readFileSync(corpusLog, 'utf8').replace('memblock_reserve: [0x00000001fffcb000-0x00000001fffd2fff]', 'memblock_reserve: [0x00000001fffca000-0x00000001fffd1fff]');
    const f = join(tmp, 'moved.log');
    writeFileSync(f, text);
    const r = run('replay', f, '--check');
    assert.equal(r.code, 1);
    assert.match(r.err, /moved\.log:\d+: memblock\.alloc: kernel printed\n {4}memblock_alloc_try_nid\(32768 bytes, align 0x40, nid -1\) from sparse_init\S* at \[0x1fffca000-0x1fffd1fff\]\n {2}meminit predicted\n {4}at \[0x1fffcb000-0x1fffd2fff\]/);
  });

  it('--emit zoneinfo prints the zones of every online node with their managed pages', () => {
    const r = run('replay', corpusLog, '--emit', 'zoneinfo');
    assert.equal(r.code, 0);
    // The kernel's own /proc/zoneinfo of that boot (its capture) says the same.
    assert.match(r.out, /^Node 0, zone      DMA\n        min      57\n        low      71\n        high     85\n        spanned  4095\n        present  3998\n        managed  3840\n        protection: \(0, 1914, 2890, 2890, 2890\)\n  start_pfn:           1\n/);
    assert.match(r.out, /Node 1, zone   Normal\n        min      0\n        low      0\n        high     0\n        spanned  0\n        present  0\n        managed  0\n        protection: \(0, 0, 0, 0, 0\)\n/);
    assert.match(r.out, /Node 2, zone   Normal\n        min      11487\n        low      14358\n        high     17229\n        spanned  786432\n        present  786432\n        managed  773788\n        protection: \(0, 0, 0, 0, 0\)\n  start_pfn:           1310720\n/);
  });

  it('--emit json carries each allocation with the address picked', () => {
    const r = run('replay', corpusLog, '--emit', 'json');
    const j = JSON.parse(r.out) as { allocations: { api: string; predicted: number; kernel: number }[]; machine: { totalPages: number } };
    assert.equal(j.machine.totalPages, 1548000);
    assert.equal(j.allocations.length, 62);
    assert.ok(j.allocations.every((a) => a.predicted === a.kernel));
  });

  const bad: [string, string[], RegExp][] = [
    ['a missing file', ['replay', join(tmp, 'nope.log')], /^meminit: .*nope\.log: cannot read \(ENOENT\)\n$/],
    ['a directory', ['replay', tmp], /: not a regular file\n$/],
    ['an empty file', ['replay', (writeFileSync(join(tmp, 'empty.log'), ''), join(tmp, 'empty.log'))], /empty\.log: empty file/],
    ['a binary file', ['replay', (writeFileSync(join(tmp, 'bin.log'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1])), join(tmp, 'bin.log'))], /bin\.log: binary file \(NUL byte at offset 4\)/],
    ['a text file that is no boot log', ['replay', (writeFileSync(join(tmp, 'txt.log'), 'hello\nworld\n'), join(tmp, 'txt.log'))], /txt\.log: no BIOS-e820, MEMBLOCK or memblock lines: nothing to replay/],
    ['an unknown --emit', ['replay', corpusLog, '--emit', 'xml'], /argument 'xml' is invalid\. Allowed choices are dmesg, memblock, zoneinfo, json, summary/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown preset', ['boot', 'nosuchpreset'], /nosuchpreset.*default/],
    ['a bench node too small', ['bench', '--size', '1G'], /^bench: --size 1G: give a size of 2G or more, e\.g\. 64G\n$/],
    ['an unknown bench strategy', ['bench', '--strategies', 'legacy,fast'], /^bench: --strategies: unknown strategy "fast"/],
  ];
  for (const [what, args, re] of bad) {
    it(`refuses ${what} with exit 2 and one line, no stack trace`, () => {
      const r = run(...args);
      assert.equal(r.code, 2, r.err + r.out);
      assert.match(r.err, re);
      assert.doesNotMatch(r.err, /\n\s+at /);
    });
  }
});

describe('meminit boot', () => {
  it('boots the default machine', () => {
    const r = run('boot');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Command line: /);
    assert.match(r.out, /\nZone ranges:\n {2}DMA {6}\[mem 0x0000000000001000-0x0000000000ffffff\]\n/);
    assert.match(r.out, /\nBuilt 2 zonelists, mobility grouping on\. {2}Total pages: \d+\n/);
    assert.match(r.out, /\nmeminit: node 1 defers struct page init from pfn 0x[0-9a-f]+/);
  });

  it('boots the seed machine (one node of 384 GiB) without touching its pages', () => {
    const r = run('boot', 'seed', '--emit', 'json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { machine: { nodes: { presentPages: number }[] } };
    assert.equal(j.machine.nodes.length, 1);
    assert.ok(j.machine.nodes[0]!.presentPages > 0.99 * (384 * 2 ** 30) / 4096);
  });

  it('help of each command shows examples', () => {
    for (const cmd of ['boot', 'replay']) {
      const r = run(cmd, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, /Examples:\n {2}meminit /);
    }
  });
});

describe('every example in --help runs', () => {
  for (const cmd of ['boot', 'replay', 'page', 'proc', 'run', 'sysfs cat', 'sysfs write']) {
    it(`${cmd} --help examples`, () => {
      const help = run(...cmd.split(' '), '--help').out;
      const examples = [...help.matchAll(/^ {2}meminit (\S.*)$/gm)].map((m) => m[1]!)
        .filter((e) => !e.includes('boot.log')); // needs the user's own dmesg
      assert.ok(examples.length >= 1, help);
      for (const e of examples) {
        const r = run(...e.split(/\s+/));
        assert.equal(r.code, 0, `meminit ${e}: ${r.err}`);
        assert.ok(r.out.length > 0, `meminit ${e} printed nothing`);
      }
    });
  }
});

describe('meminit page', () => {
  it('decodes a reserved page of the kernel image: PG_reserved, refcount 1, lru linked to itself', () => {
    const r = run('page', '0x1000', 'pc-1g');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^page:0xffffea0000040000 refcount:1 mapcount:-1 .* pfn:0x1000\n/);
    assert.match(r.out, /\nflags: 0x[0-9a-f]{16}\(reserved\) node:0 zone:DMA32\n/);
    assert.match(r.out, /\nlru: next 0xffffea0000040008 \(pfn 0x1000, itself\) prev 0xffffea0000040008 \(pfn 0x1000, itself\)\n/);
  });

  it('decodes the head of a free MAX_ORDER block in the deferred part', () => {
    const r = run('page', '0x30000', 'pc-1g', '--json');
    assert.equal(r.code, 0, r.err);
    const d = JSON.parse(r.out) as { refcount: number; mapcount: string; buddyOrder: number; zone: string; migratetype: string; flags: string[] };
    assert.deepEqual([d.refcount, d.mapcount, d.buddyOrder, d.zone, d.migratetype, d.flags], [0, 'buddy', 10, 'DMA32', 'Movable', []]);
  });

  it('refuses a pfn without a struct page, and a malformed pfn, with exit 2', () => {
    const a = run('page', '0x80000', 'pc-1g');
    assert.equal(a.code, 2);
    assert.match(a.err, /^meminit: pc-1g: pfn 0x80000 has no struct page/);
    const b = run('page', '12ab', 'pc-1g');
    assert.equal(b.code, 2);
    assert.match(b.err, /^meminit: pfn "12ab": expected a page frame number/);
  });
});

describe('meminit proc', () => {
  it('prints /proc/buddyinfo in the kernel\'s layout, one line per populated zone', () => {
    const r = run('proc', 'buddyinfo', 'pc-1g');
    assert.equal(r.code, 0, r.err);
    const kernel = readFileSync(join(root, 'test', 'corpus', 'pc-1g.log'), 'utf8').split('=== meminit-capture: /proc/buddyinfo ===\n')[1]!.split('\n===')[0]!.split('\n');
    const shape = (l: string): string => l.replace(/\d+/g, 'N');
    assert.deepEqual(r.out.split('\n').filter((l) => l.length).map(shape), kernel.map(shape));
  });

  it('refuses a /proc file it does not model', () => {
    const r = run('proc', 'vmstat', 'pc-1g');
    assert.equal(r.code, 2);
    assert.match(r.err, /Allowed choices are zoneinfo, buddyinfo, pagetypeinfo, iomem, meminfo/);
  });

  it('prints the e820 lines of /proc/iomem as the pc-1g boot has them, without its device lines', () => {
    const r = run('proc', 'iomem', 'pc-1g');
    assert.equal(r.code, 0, r.err);
    const kernel = readFileSync(join(root, 'test', 'corpus', 'pc-1g.log'), 'utf8').split('=== meminit-capture: /proc/iomem ===\n')[1]!.split('\n===')[0]!.split('\n');
    const devices = /PCI Bus|Video ROM|System ROM|IOAPIC|HPET|PNP|Local APIC/;
    const mine = r.out.split('\n').filter((l) => l.length);
    assert.deepEqual(mine, kernel.filter((l) => !devices.test(l)));
  });

  it('prints MemTotal, MemFree and the direct map of /proc/meminfo; --json gives the fields', () => {
    const r = run('proc', 'meminfo', 'pc-1g');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^MemTotal: +\d+ kB\nMemFree: +\d+ kB\nVmallocTotal:   34359738367 kB\n/);
    assert.match(r.out, /\nHugepagesize:       2048 kB\n/);
    const j = JSON.parse(run('proc', 'meminfo', 'pc-1g', '--json').out) as { file: string; data: { field: string; value: number }[] };
    assert.equal(j.file, '/proc/meminfo');
    const dm = j.data.filter((f) => f.field.startsWith('DirectMap')).reduce((n, f) => n + f.value, 0);
    // pc-1g: [0, 1M) and RAM [1M, 0x3ffe0000) are mapped: the sum of the kernel's DirectMap lines.
    assert.equal(dm, 1024 + (0x3ffe0000 - 0x100000) / 1024);
  });
});

describe('meminit bench', () => {
  it('--json --out: every strategy and thread count inits the same deferred pages; floors per thread count; the file holds the same document', () => {
    const out = join(tmp, 'bench.json');
    const r = run('bench', '--size', '2G', '--rounds', '1', '--workers', '0,2', '--json', '--out', out);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as {
      node: { deferredPages: number }; floor: { bytes: number; ms: number };
      floors: { threads: { threads: number; ms: number }[] }; runs: { strategy: string; workers: number; pages: number; initMs: number; mpagesPerSec: number }[];
    };
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), j);
    assert.deepEqual(j.runs.map((x) => `${x.strategy}/${x.workers}`), ['legacy/0', 'maxorder/0', 'parallel/0', 'parallel/2']);
    // 2 GiB from pfn 0: DMA32 is deferred from a section boundary on, and nothing is reserved there.
    assert.ok(j.node.deferredPages > 0);
    for (const x of j.runs) {
      assert.equal(x.pages, j.node.deferredPages, `${x.strategy}/${x.workers}`);
      assert.ok(x.initMs > 0 && x.mpagesPerSec > 0);
    }
    assert.equal(j.floor.bytes, j.node.deferredPages * 64, 'the floor fills the struct pages of exactly those sections');
    assert.deepEqual(j.floors.threads.map((f) => f.threads), [2]);
    assert.ok(j.floors.threads[0]!.ms > 0);
  });

  it('--out into a directory that does not exist: exit 2, one line, no file', () => {
    const r = run('bench', '--size', '2G', '--rounds', '1', '--workers', '0', '--strategies', 'maxorder', '--out', join(tmp, 'nope', 'b.json'));
    assert.equal(r.code, 2);
    assert.match(r.err, /^bench: --out .*nope\/b\.json: ENOENT: cannot write the results\n$/);
  });
});
