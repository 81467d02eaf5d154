// The end of setup_arch() after paging_init() and start_kernel()'s setup_command_line(), from
// every example machine file, against its corpus boot: the memblock requests of
// acpi_parse_hpet, io_apic_init_mappings, e820__reserve_resources, firmware_map_add_early,
// register_nosave_region and start_kernel (sizes, align, nid, from, max_addr; not the
// addresses, which depend on sparse_init() and others the model does not run yet), in order,
// interleaved with the lines those steps print.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setupArchTail } from '../../../src/arch/x86/setup-arch-tail.js';
import { SETUP_PHASES } from '../../../src/arch/x86/setup.js';
import { machineNew } from '../../../src/kernel/machine.js';
import { setupCommandLine } from '../../../src/kernel/setup-command-line.js';
import { loadMachineFile } from '../../../src/machine/load-file.js';
import type { MachineSpec } from '../../../src/machine/index.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';
import type { LineFormat } from '../../../src/trace/format.js';
import { hpetId, hpetInvalid } from '../../../src/trace/formats/acpi.js';
import { fmtE820NoPciGap, fmtE820NoPciGapWarn, fmtE820PciGap } from '../../../src/trace/formats/e820.js';
import { nosaveRegistered } from '../../../src/trace/formats/power.js';
import { TracePrintk, stripOffset } from '../../kernel/printk-trace.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log')).sort();


const CALLERS = ['acpi_parse_hpet', 'io_apic_init_mappings', 'e820__reserve_resources', 'firmware_map_add_early', 'register_nosave_region', 'start_kernel'];
const REQUEST = /^memblock_(alloc_try_nid|alloc_try_nid_raw|alloc_exact_nid_raw|phys_alloc_range): .* (\S+)$/;
const callerOf = (t: string): string | undefined => REQUEST.exec(stripOffset(t))?.[2];
const PRINTED: LineFormat<unknown>[] = [hpetId, hpetInvalid, nosaveRegistered, fmtE820PciGap, fmtE820NoPciGap, fmtE820NoPciGapWarn];
const isPrinted = (t: string) => PRINTED.some((f) => f.parse(t) !== undefined);
/** The lines the comparison keeps: requests of the steps above, and what they print. */
const isOurs = (t: string) => CALLERS.includes(callerOf(t) ?? '') || isPrinted(t);

/**
 * The log's window: from acpi_parse_hpet's line to setup_command_line()'s second allocation
 * (start_kernel allocates again later, after "Kernel command line:").
 */
function logWindow(file: string): string[] {
  const lines = lexBootLog(readFileSync(join(corpus, file), 'utf8'), file).kernel.map((l) => l.text);
  const start = lines.findIndex((t) => hpetId.parse(t) !== undefined || callerOf(t) === 'acpi_parse_hpet');
  assert.ok(start >= 0, 'no acpi_parse_hpet in the log');
  let seen = 0;
  const end = lines.findIndex((t, i) => i > start && callerOf(t) === 'start_kernel' && ++seen === 2);
  assert.ok(end > start, 'no setup_command_line allocations in the log');
  return lines.slice(start, end + 1);
}

/** Boot the machine through 'zones', then trace the setup_arch() tail and setup_command_line(). */
function modelTrace(spec: MachineSpec): string[] {
  const m = machineNew(spec.name, spec.firmware);
  for (const phase of SETUP_PHASES) {
    phase.run(m);
    if (phase.name === 'zones') break;
  }
  const out: string[] = [];
  m.memblock!.debug = (l) => out.push(l);
  m.printk = new TracePrintk(out);
  setupArchTail(m);
  setupCommandLine(m);
  return out.map(stripOffset).filter(isOurs);
}

function machineFor(log: string): MachineSpec | undefined {
  const yaml = join(examples, log.replace(/\.log$/, '.yaml'));
  return existsSync(yaml) ? loadMachineFile(yaml) : undefined;
}

describe('setup_arch() tail and setup_command_line() of the example machines against the corpus', () => {
  for (const log of logs) {
    const spec = machineFor(log);
    it(log, { skip: spec ? false : 'no machine file' }, () => {
      const window = logWindow(log);
      // Nothing else in the window asks memblock for memory: the steps above are all of it.
      assert.deepEqual(window.map(callerOf).filter((c) => c !== undefined && !CALLERS.includes(c)), []);
      const want = window.map(stripOffset).filter(isOurs);
      assert.ok(want.some((t) => callerOf(t) === 'e820__reserve_resources'), 'the window holds the steps');
      assert.deepEqual(modelTrace(spec!), want);
    });
  }
});
