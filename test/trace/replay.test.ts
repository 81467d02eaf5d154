// The replay on logs that are not a clean memblock=debug boot: without tracing, memblock lines
// only, truncated, with boot-loader setup_data, with lines it cannot read.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { replayBootLog, ReplayError } from '../../src/trace/replay.js';

const corpus = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/corpus/${name}`, import.meta.url)), 'utf8');
const replay = (text: string, name = 'x.log') => replayBootLog(lexBootLog(text, name));
const lines = (text: string) => text.split('\n');
const TRACE = /\] (memblock_[a-z_]+: |MEMBLOCK configuration:| memory size = | (memory|reserved)(\.cnt|\[0x))/;

describe('replay without memblock=debug', () => {
  const full = corpus('q35-6g-numa2.log');
  const plain = lines(full).filter((l) => !TRACE.test(l)).join('\n');

  it('still predicts every e820, NUMA and zone line exactly', () => {
    const r = replay(plain);
    assert.deepEqual(r.mismatches, []);
    assert.ok(r.predicted.some((l) => l.text === 'Zone ranges:'));
    assert.equal(r.allocations.length, 0);
    assert.ok(r.notes.some((n) => /no MEMBLOCK configuration dump/.test(n)));
  });

  it('gives the same zones as the traced replay', () => {
    const a = replay(full).machine.zones!;
    const b = replay(plain).machine.zones!;
    for (const [nid, pg] of a.nodes) {
      assert.deepEqual(b.nodes.get(nid)!.zones.map((z) => [z.zoneStartPfn, z.spannedPages, z.presentPages, z.managedEstimate]),
        pg.zones.map((z) => [z.zoneStartPfn, z.spannedPages, z.presentPages, z.managedEstimate]));
    }
  });
});

describe('replay of memblock lines only', () => {
  const only = lines(corpus('pc-1g.log')).filter((l) => /\] memblock_/.test(l)).join('\n');

  it('builds the machine from the trace and sizes it', () => {
    const r = replay(only);
    const mem = r.machine.memblock!.memory.regions.filter((x) => x.size > 0);
    // pc-1g: e820__memblock_setup() added [0x1000-0x9fbff] and [0x100000-0x3ffdffff].
    assert.deepEqual(mem.map((x) => [x.base, x.base + x.size]), [[0x1000, 0x9f000], [0x100000, 0x3ffe0000]]);
    assert.ok(r.machine.zones);
    assert.deepEqual(r.mismatches, []);
  });
});

describe('replay of a truncated log', () => {
  it('replays what is there and says the rest could not be checked', () => {
    const text = lines(corpus('pc-1g.log')).slice(0, 60).join('\n');
    const r = replay(text);
    assert.deepEqual(r.mismatches, []);
    assert.ok(r.notes.some((n) => /ends before zone sizing/.test(n)));
  });

  it('refuses a log with nothing to replay', () => {
    assert.throws(() => replay('Linux version 6.1.0\nhello\n', 'h.log'), (e: Error) => e instanceof ReplayError && /^h\.log: no BIOS-e820/.test(e.message));
  });
});

describe('replay of lines it cannot read', () => {
  it('names each line and goes on', () => {
    const text = corpus('q35-2g.log').replace(/BIOS-e820: \[mem 0x0000000000100000-(0x[0-9a-f]+)\] usable/, 'BIOS-e820: [mem 0x00000000001000zz-$1] usable');
    const no = lines(text).findIndex((l) => l.includes('1000zz')) + 1;
    const r = replay(text, 'bad.log');
    assert.ok(r.notes.includes(`bad.log:${no}: not readable as Linux 6.1 prints this line, ignored: BIOS-e820: [mem 0x00000000001000zz-0x000000007ffdffff] usable`), r.notes.join('\n'));
  });
});

describe('replay with boot-loader setup_data', () => {
  it('takes the ranges from the e820 update lines and predicts them', () => {
    const ls = lines(corpus('q35-2g.log'));
    const at = ls.findIndex((l) => l.includes('e820: update [mem 0x00000000-0x00000fff]'));
    const ts = '[    0.000000] ';
    ls.splice(at, 0,
      `${ts}e820: update [mem 0x7fe00018-0x7fe0a057] usable ==> usable`,
      `${ts}e820: update [mem 0x7fe00018-0x7fe0a057] usable ==> usable`,
      `${ts}extended physical RAM map:`);
    // The setup_data range is E820_TYPE_RESERVED_KERN: /proc/iomem shows System RAM split around it.
    const ram = ls.indexOf('00100000-7ffdffff : System RAM');
    ls.splice(ram, 1, '00100000-7fe00017 : System RAM');
    ls.splice(ls.indexOf('7ffe0000-7fffffff : Reserved'), 0, '7fe00018-7fe0a057 : System RAM', '7fe0a058-7ffdffff : System RAM');
    // … and e820__reserve_resources_late() pads the RAM entry that now ends at it.
    const buf = ls.findIndex((l) => l.includes('e820: reserve RAM buffer [mem 0x7ffe0000-0x7fffffff]'));
    ls.splice(buf, 0, ls[buf]!.replace('0x7ffe0000', '0x7fe00018'));
    const r = replay(ls.join('\n'));
    assert.deepEqual(r.mismatches, []);
    assert.equal(r.predicted.filter((l) => l.text === 'e820: update [mem 0x7fe00018-0x7fe0a057] usable ==> usable').length, 2);
  });
});
