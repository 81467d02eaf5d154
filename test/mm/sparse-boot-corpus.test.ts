// sparse_init()'s memblock calls on every machine file of the corpus, against its boot: each
// request line and the memblock_reserve/free lines after it, from the root array
// ("… sparse_init") to the last line before "Zone ranges:", code offsets stripped.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SETUP_PHASES, sparseInitMemblock } from '../../src/arch/x86/setup.js';
import { machineNew } from '../../src/kernel/machine.js';
import { loadMachineFile } from '../../src/machine/load-file.js';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { stripOffset } from '../kernel/printk-trace.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log')).sort();

const isMemblockLine = (t: string) => /^memblock_/.test(t);

/** The log's memblock lines from sparse_init()'s first request up to "Zone ranges:". */
function logBlock(file: string): string[] {
  const lines = lexBootLog(readFileSync(join(corpus, file), 'utf8'), file).kernel.map((l) => l.text);
  const i = lines.findIndex((t) => /^memblock_alloc\w*: .* sparse_init\+/.test(t));
  assert.ok(i >= 0, 'no sparse_init allocation in the log');
  const j = lines.findIndex((t, k) => k > i && t.startsWith('Zone ranges:'));
  return lines.slice(i, j).filter(isMemblockLine).map(stripOffset);
}

/** The machine file booted through NUMA init, then sparseInitMemblock(): its memblock lines and printk lines. */
function modelBlock(file: string): { lines: string[]; printk: string[] } {
  const spec = loadMachineFile(join(examples, file.replace(/\.log$/, '.yaml')));
  const m = machineNew(spec.name, spec.firmware);
  for (const phase of SETUP_PHASES.slice(0, SETUP_PHASES.findIndex((p) => p.name === 'numa') + 1)) phase.run(m);
  const lines: string[] = [];
  m.memblock!.debug = (l) => lines.push(stripOffset(l));
  const mark = m.printk.mark();
  sparseInitMemblock(m);
  return { lines: lines.filter(isMemblockLine), printk: m.printk.since(mark).map((l) => l.text) };
}

/**
 * Logs that differ for a reason outside sparse_init(), each with the edit that makes them equal
 * (asserted, so that a fix elsewhere shows up here).
 */
const KNOWN_GAPS: Record<string, { why: string; fix: (t: string) => string }> = {};

describe('sparse_init memblock calls of the example machines against the corpus', () => {
  for (const log of logs) {
    const has = existsSync(join(examples, log.replace(/\.log$/, '.yaml')));
    const gap = KNOWN_GAPS[log];
    it(gap ? `${log} (known gap: ${gap.why})` : log, { skip: has ? false : 'no machine file' }, () => {
      const mine = modelBlock(log);
      const kernel = logBlock(log);
      assert.deepEqual(mine.printk, [], 'a healthy boot prints nothing here');
      if (gap) {
        assert.notDeepEqual(mine.lines, kernel, 'the gap is closed: drop it from KNOWN_GAPS');
        assert.deepEqual(mine.lines.map(gap.fix), kernel);
      } else {
        assert.deepEqual(mine.lines, kernel);
      }
    });
  }
});
