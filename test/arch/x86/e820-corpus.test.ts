// Replays the e820 part of every real boot in test/corpus: the BIOS map and the command line
// go in, and the e820 lines of setup_arch() must come out exactly as the kernel printed them,
// followed by the memblock_add/memblock_reserve calls of e820__memblock_setup().
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { e820SetupArch } from '../../../src/arch/x86/e820-boot.js';
import { e820ParseMapText } from '../../../src/arch/x86/e820-input.js';
import { e820MemblockSetup } from '../../../src/arch/x86/e820-memblock.js';
import { e820MemblockOps } from '../../../src/arch/x86/e820.js';
import { parseKernelParams } from '../../../src/kernel/params.js';
import { Printk } from '../../../src/kernel/printk.js';
import { memblockCreate } from '../../../src/mm/memblock.js';
import { e820Formats, fmtCommandLine, fmtKernelCommandLine } from '../../../src/trace/formats/e820.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';
import { replayBootLog } from '../../../src/trace/replay.js';

const corpusDir = new URL('../../../../test/corpus/', import.meta.url);
const logs = readdirSync(corpusDir).filter((f) => f.endsWith('.log')).sort();

const stripTimestamp = (l: string): string => l.replace(/^\[\s*\d+\.\d+\] ?/, '');
/** Formats e820SetupArch() prints; "Kernel command line:" comes later, from start_kernel(). */
const predicted = e820Formats.filter((f) => f !== fmtKernelCommandLine);
const isPredicted = (l: string): boolean => predicted.some((f) => f.parse(l) !== undefined);

/** The log's lines up to the start of e820__memblock_setup(). */
function setupArchWindow(lines: string[]): string[] {
  const end = lines.findIndex((l) => /^(memblock_add: |MEMBLOCK configuration:|Zone ranges:)/.test(l));
  return lines.slice(0, end < 0 ? lines.length : end);
}

const MEMBLOCK_CALL = /^memblock_(add|reserve): \[0x([0-9a-f]+)-0x([0-9a-f]+)\] e820__memblock_setup\b/;
const MEMORY_DUMP = /^ memory\[0x[0-9a-f]+\]\t\[0x([0-9a-f]+)-0x([0-9a-f]+)\]/;

describe('e820 replay of test/corpus boots', () => {
  it('has logs', () => assert.ok(logs.length > 0));
  for (const name of logs) {
    it(name, () => {
      const text = readFileSync(new URL(name, corpusDir), 'utf8');
      const lines = text.split('\n').map(stripTimestamp);
      const logged = lines.map((l) => fmtCommandLine.parse(l)).find((v) => v !== undefined);
      assert.ok(logged !== undefined, 'no "Command line:" line');
      // The replay knows what the log alone cannot show: the whole command line when printk cut
      // it (from the /proc/cmdline capture) and 5-level paging (from max_arch_pfn).
      const machine = replayBootLog(lexBootLog(text, name)).machine;
      const cmdline = machine.params.cmdline;
      assert.ok(cmdline.startsWith(logged));
      const bios = e820ParseMapText(lines.join('\n'), { skipOtherLines: true });
      assert.deepEqual(bios.errors, []);

      const log = new Printk();
      const r = e820SetupArch({ e820: bios.entries }, parseKernelParams(cmdline), log, { la57: machine.firmware.cpu?.la57 ?? false });
      assert.ok('state' in r, `panic: ${'panic' in r ? r.panic : ''}`);
      const notCmd = (l: string): boolean => fmtCommandLine.parse(l) === undefined;
      const expected = setupArchWindow(lines).filter(isPredicted).filter(notCmd);
      assert.deepEqual(log.lines.map((l) => l.text).filter(notCmd), expected);

      const calls = lines.map((l) => MEMBLOCK_CALL.exec(l)).filter((m) => m !== null);
      const want = calls.map((m) => ({ op: m[1], base: parseInt(m[2]!, 16), size: parseInt(m[3]!, 16) - parseInt(m[2]!, 16) + 1 }));
      assert.deepEqual(e820MemblockOps(r.state.table), want);

      // After memblock_trim_memory(), the first MEMBLOCK dump lists memblock.memory.
      const mb = memblockCreate();
      e820MemblockSetup(mb, r.state.table);
      const dumpStart = lines.indexOf('MEMBLOCK configuration:');
      const dump: { base: number; end: number }[] = [];
      for (let i = dumpStart + 1; i < lines.length; i++) {
        const m = MEMORY_DUMP.exec(lines[i]!);
        if (!m) {
          if (lines[i]!.startsWith(' reserved')) break;
          continue;
        }
        dump.push({ base: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16) + 1 });
      }
      if (dumpStart >= 0) assert.deepEqual(mb.memory.regions.map((x) => ({ base: x.base, end: x.base + x.size })), dump);
    });
  }
});
