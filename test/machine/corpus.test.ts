// Every example machine that mirrors a corpus boot (examples/machines/NAME.yaml ↔
// test/corpus/NAME.log) yields the firmware that boot saw: the BIOS-e820 map, the SRAT lines,
// the cpu count, the command line and the reservations made before memblock=debug traced.
// Two things the log shows only in part: printk cuts a long "Command line:" (the initramfs's
// /proc/cmdline capture has it whole), and numa=off boots never parse the SRAT's entries.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Firmware } from '../../src/arch/x86/firmware.js';
import { loadMachineFile } from '../../src/machine/load-file.js';
import { mergeSpans, type Span } from '../../src/machine/spans.js';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { e820Lines, sratCpuLines, sratLines } from './fixture.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const mirrored = readdirSync(examples).filter((f) => f.endsWith('.yaml') && existsSync(join(corpus, f.replace(/\.yaml$/, '.log'))));

/** Log lines without their "[    0.000000] " timestamps. */
const bodyOf = (log: string): string[] => log.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\]\s?/, ''));
const span = (m: RegExpMatchArray, i: number): Span => ({ start: Number(m[i]), end: Number(m[i + 1]) + 1 });

/**
 * A message as printk stores it: vscnprintf() into LOG_LINE_MAX (992) bytes, less the NUL and
 * the two-byte KERN_INFO header, keeps 989 characters; the 1812-character command line of
 * pc-4g-memmap-200holes prints as "Command line: " and its first 975 characters.
 */
const printkCut = (text: string): string => text.slice(0, 989);

/** The reserved regions of the first MEMBLOCK dump, and the ranges memblock_reserve() traced before it. */
function firstDump(lines: string[]): { reserved: Span[]; traced: Span[] } {
  const at = lines.indexOf('MEMBLOCK configuration:');
  const traced = lines.slice(0, at).map((l) => /^memblock_reserve: \[(0x[0-9a-f]+)-(0x[0-9a-f]+)\]/.exec(l)).filter((m) => m !== null).map((m) => span(m, 1));
  const reserved: Span[] = [];
  for (const l of lines.slice(at + 1)) {
    const m = /^\s*reserved\[0x[0-9a-f]+\]\s+\[(0x[0-9a-f]+)-(0x[0-9a-f]+)\]/.exec(l);
    if (m) reserved.push(span(m, 1));
    else if (reserved.length > 0 && !/^\s*reserved/.test(l)) break;
  }
  return { reserved, traced };
}

/** node_distance() from the firmware: the SLIT between the nodes of its proximity domains, else 10 local, 20 remote. */
function nodeDistance(fw: Firmware, numaOff: boolean, from: number, to: number): number {
  const pxmOf = new Map([...(fw.srat?.memory ?? []), ...(fw.srat?.cpus ?? [])].map((e) => [e.nid, e.pxm]));
  const row = numaOff ? undefined : fw.srat?.slit?.[pxmOf.get(from) ?? -1];
  return row?.[pxmOf.get(to) ?? -1] ?? (from === to ? 10 : 20);
}

describe('example machines match the corpus boots', () => {
  it('every corpus boot has one (README says so)', () => {
    const boots = readdirSync(corpus).filter((f) => f.endsWith('.log')).map((f) => f.replace(/\.log$/, ''));
    assert.deepEqual(boots.filter((b) => !existsSync(join(examples, `${b}.yaml`))), []);
  });

  for (const file of mirrored) {
    it(file, () => {
      const fw = loadMachineFile(join(examples, file)).firmware;
      const text = readFileSync(join(corpus, file.replace(/\.yaml$/, '.log')), 'utf8');
      const lines = bodyOf(text);
      const grab = (re: RegExp) => lines.map((l) => re.exec(l)?.[1]).filter((x): x is string => x !== undefined);

      assert.deepEqual(e820Lines(fw), grab(/^BIOS-e820: (.*)$/));
      // ACPI lists every table it finds, SRAT included, before numa=off can skip parsing it.
      assert.equal(fw.srat !== undefined, lines.some((l) => l.startsWith('ACPI: SRAT 0x')));
      const numaOff = fw.cmdline.split(' ').includes('numa=off');
      assert.equal(numaOff, lines.includes('NUMA turned off'));
      if (!numaOff) assert.deepEqual(sratLines(fw), grab(/^ACPI: SRAT: (Node .*)$/).map((l) => l.replace(/\[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]/, (_, a: string, b: string) => `[mem 0x${a.padStart(8, '0')}-0x${b.padStart(8, '0')}]`)));
      if (!numaOff) assert.deepEqual(sratCpuLines(fw), grab(/^SRAT: (PXM .*)$/));
      assert.equal(fw.srat === undefined, lines.includes('No NUMA configuration found'));
      assert.deepEqual([printkCut(`Command line: ${fw.cmdline}`)], grab(/^(Command line: .*)$/));
      const captures = lexBootLog(text, file).captures;
      const proc = captures.get('/proc/cmdline');
      if (proc) assert.deepEqual([fw.cmdline], proc.lines);
      // numa=fake nodes get distances of their own making; every other boot exports the SLIT's.
      const nodes = captures.get('/sys/devices/system/node');
      if (nodes && !fw.cmdline.split(' ').some((a) => a.startsWith('numa=fake='))) {
        const rows = nodes.lines.map((l) => /^node(\d+) .*distance=([\d,]+)$/.exec(l)).filter((m) => m !== null);
        const nids = rows.map((m) => Number(m[1]));
        assert.deepEqual(rows.map((m) => m[2]), nids.map((i) => nids.map((j) => nodeDistance(fw, numaOff, i, j)).join(',')));
      }
      assert.deepEqual([String(fw.nrCpus)], grab(/^smpboot: Allowing (\d+) CPUs/));

      // The first dump holds exactly our early reservations plus what was traced before it;
      // with KASLR the kernel image is elsewhere on every boot, so only nokaslr boots compare.
      if (!fw.cmdline.split(' ').includes('nokaslr')) return;
      const { reserved, traced } = firstDump(lines);
      const ours = fw.earlyReserved.map((r) => ({ start: r.base, end: r.base + r.size }));
      assert.deepEqual(mergeSpans([...ours, ...traced]), mergeSpans(reserved));
    });
  }
});
