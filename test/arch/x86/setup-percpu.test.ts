// SPDX-License-Identifier: GPL-2.0-only
// setup_per_cpu_areas() of every example machine against its corpus boot: the memblock requests
// (sizes, alignments, nids, bounds, callers) and the setup_percpu / percpu / pcpu-alloc lines,
// in the kernel's order. Earlier phases are not all modelled yet, so allocations land
// elsewhere: addresses are compared relative to the allocations of this phase.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initCpuToNode, numaInitArray } from '../../../src/arch/x86/numa-cpu.js';
import { SETUP_PHASES } from '../../../src/arch/x86/setup.js';
import { setupPerCpuAreas } from '../../../src/arch/x86/setup-percpu.js';
import { machineNew, type Machine } from '../../../src/kernel/machine.js';
import { loadMachineFile } from '../../../src/machine/load-file.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';
import * as M from '../../../src/trace/formats/memblock.js';
import * as P from '../../../src/trace/formats/percpu.js';
import { TracePrintk, stripOffset } from '../../kernel/printk-trace.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log') && existsSync(join(examples, f.replace(/\.log$/, '.yaml'))));


const PERCPU_FORMATS = [P.setupPercpu, P.percpuEmbedded, P.percpuNoNode, P.pcpuAllocHeader, P.pcpuAllocUnits];
const isPercpuPrint = (t: string) => PERCPU_FORMATS.some((f) => f.parse(t) !== undefined);
/**
 * memblock lines of setup_per_cpu_areas(): its callers, the reservations its allocations make,
 * and the reserved array doubling one of them may cause.
 */
const isPercpuMemblock = (t: string) =>
  M.memblockDoubledLine.parse(t) !== undefined ||
  /^memblock_\w+: .* (pcpu_\w+|alloc_bootmem_cpumask_var|memblock_alloc_range_nid|memblock_double_array|memblock_free)(\+0x[0-9a-f]+\/0x[0-9a-f]+)?$/.test(t);

/**
 * Without memblock_double_array()'s lines: when the reserved array fills up depends on how many
 * regions the phases before left (pc-8g-numa-fake200 doubles it among the cpumasks). Its lines
 * are the notice, the free of the old array (if memblock had allocated it) and the new array's
 * reservation.
 */
function withoutDoubling(block: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < block.length; i++) {
    if (M.memblockDoubledLine.parse(block[i]!) === undefined) {
      out.push(block[i]!);
      continue;
    }
    if (/^memblock_phys_free: .* (memblock_double_array|memblock_free)$/.test(block[i + 1] ?? '')) i++;
    if (/^memblock_reserve: .* memblock_double_array$/.test(block[i + 1] ?? '')) i++;
  }
  return out;
}

/** The log's lines from "setup_percpu:" up to the first line setup_per_cpu_areas() did not print. */
function logBlock(file: string): string[] {
  const lines = lexBootLog(readFileSync(join(corpus, file), 'utf8'), file).kernel.map((l) => l.text);
  const i = lines.findIndex((t) => P.setupPercpu.parse(t) !== undefined);
  assert.ok(i >= 0, 'no setup_percpu line');
  const out: string[] = [];
  for (let j = i; j < lines.length && (isPercpuPrint(lines[j]!) || isPercpuMemblock(lines[j]!)); j++) out.push(stripOffset(lines[j]!));
  return out;
}

/**
 * Addresses made relative: a free reads "R<k>+0x<offset>", inside the block's k-th reservation;
 * a reservation keeps only its size, since where it lands depends on the phases before (and,
 * for the small ones, on the holes they left).
 */
function relative(block: string[]): string[] {
  const reserved: [number, number][] = [];
  const where = (base: number): string | undefined => {
    const k = reserved.findIndex(([s, e]) => base >= s && base < e);
    return k < 0 ? undefined : `R${k}+0x${(base - reserved[k]![0]).toString(16)}`;
  };
  return block.map((t) => {
    const r = M.memblockReserveLine.parse(t);
    if (r) {
      reserved.push([r.base, r.base + r.size]);
      return `memblock_reserve: ${r.size} bytes ${r.caller}`;
    }
    const f = M.memblockPhysFreeLine.parse(t);
    if (f) return `memblock_phys_free: ${where(f.base) ?? '?'} ${f.size} bytes ${f.caller}`;
    return t;
  });
}


/** The example machine of a log, booted through the 'zones' phase. */
function machineAtZones(log: string): Machine {
  const spec = loadMachineFile(join(examples, log.replace(/\.log$/, '.yaml')));
  const m = machineNew(spec.name, spec.firmware);
  for (const phase of SETUP_PHASES) {
    phase.run(m);
    if (phase.name === 'zones') break;
  }
  return m;
}

function modelBlock(log: string): string[] {
  const m = machineAtZones(log);
  const out: string[] = [];
  m.memblock!.debug = (l) => out.push(l);
  m.printk = new TracePrintk(out);
  setupPerCpuAreas(m);
  return out;
}

describe('setup_per_cpu_areas of the example machines against the corpus', () => {
  for (const log of logs) {
    it(log, () => {
      assert.deepEqual(relative(withoutDoubling(modelBlock(log))), relative(withoutDoubling(logBlock(log))));
    });
  }
});

describe('the cpu → node map percpu groups by', () => {
  it('numa_init_array deals cpus round-robin over the online nodes', () => {
    assert.deepEqual(numaInitArray(5, [2, 0]), [0, 2, 0, 2, 0]);
  });
  // Whose cpus share a group, as the corpus shows it (pcpu-alloc: [0] 0 [1] 1 …).
  const cases: [string, number[]][] = [
    ['pc-4g.log', [0, 0]], // no SRAT: one node
    ['pc-4g-numa-fake4.log', [0, 1]], // no SRAT, 4 fake nodes: round-robin
    ['pc-4g-numa2-hotplug.log', [0, 0]], // both cpus on node 0; node 1 is only hotplug space
    ['q35-6g-numa3-memless.log', [0, 1]], // cpu 1 on memoryless node 1, onlined by init_cpu_to_node()
    ['pc-8g-numa4-slit-fake2u.log', [0, 2, 4, 6]], // the first fake node of each physical one
    ['q35-4g-numa2-fake512m.log', [0, 1]],
    ['q35-6g-numa2-numa-off.log', [0, 0]],
  ];
  for (const [log, want] of cases) {
    it(log, () => {
      const m = machineAtZones(log);
      const { cpuToNode, online } = initCpuToNode(m.numa!, m.firmware.srat, m.firmware.nrCpus);
      assert.deepEqual(cpuToNode, want);
      for (const nid of want) assert.ok(online.has(nid));
    });
  }
});
