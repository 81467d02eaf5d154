// Replays every trace under test/memblock-traces/ through meminit's memblock and compares the
// output, line by line, with what the real 6.1 mm/memblock.c printed for the same trace
// (NAME.expected; see test/memblock-traces/README.md for how those were produced).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runMemblockTrace } from './memblock-trace-run.js';

const dir = new URL('../../../test/memblock-traces/', import.meta.url);
const traces = readdirSync(dir).filter((f) => f.endsWith('.trace')).sort();

test('there are ground-truth traces', () => {
  assert.ok(traces.length >= 30, `only ${traces.length} traces`);
});

for (const name of traces) {
  test(`kernel memblock trace ${name}`, () => {
    const text = readFileSync(new URL(name, dir), 'utf8');
    const harness = readFileSync(new URL(name.replace(/\.trace$/, '.expected'), dir), 'utf8').replace(/\n$/, '').split('\n');
    // The harness is built without inlining: the old array's free after a doubling names
    // memblock_free, where Debian's 6.1 (and so meminit) names memblock_double_array.
    const expected = harness.map((l, k) =>
      k > 0 && / is doubled to /.test(harness[k - 1]!) ? l.replace(/^(memblock_phys_free: \[\S+\]) memblock_free$/, '$1 memblock_double_array') : l);
    const got = runMemblockTrace(text);
    const i = expected.findIndex((l, k) => got[k] !== l);
    if (i !== -1 || got.length !== expected.length) {
      const k = i === -1 ? expected.length : i;
      assert.fail(`first difference at output line ${k + 1}\n  kernel:  ${JSON.stringify(expected[k])}\n  meminit: ${JSON.stringify(got[k])}`);
    }
  });
}
