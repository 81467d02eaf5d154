// A bare machine for the setup_arch() tail's unit tests: an e820 state, 256 MiB of memblock
// memory from 1 MiB, and every memblock request and printed line in one trace.
import type { AcpiPlatform } from '../../../src/arch/x86/firmware.js';
import { e820TableNew, type E820Entry } from '../../../src/arch/x86/e820-types.js';
import { machineNew, type Machine } from '../../../src/kernel/machine.js';
import { memblockAdd, memblockCreate } from '../../../src/mm/memblock.js';
import { TracePrintk } from '../../kernel/printk-trace.js';

export interface TailFixture {
  m: Machine;
  /** memblock=debug lines (caller names without offsets) and printk lines, in order. */
  trace: string[];
}

export function tailMachine(opts: { table?: E820Entry[]; firmware?: E820Entry[]; maxPfn?: number; cmdline?: string; acpi?: AcpiPlatform } = {}): TailFixture {
  const table = opts.table ?? [];
  const m = machineNew('tail', { e820: table, srat: undefined, cmdline: opts.cmdline ?? '', nrCpus: 1, earlyReserved: [], ...(opts.acpi ? { acpi: opts.acpi } : {}) });
  m.e820 = { table: e820TableNew(table), kexec: e820TableNew(table), firmware: e820TableNew(opts.firmware ?? table), userdef: false };
  m.maxPfn = opts.maxPfn ?? 0;
  const mb = memblockCreate();
  memblockAdd(mb, 0x100000, 0x10000000);
  m.memblock = mb;
  const trace: string[] = [];
  mb.debug = (l) => trace.push(l);
  m.printk = new TracePrintk(trace);
  return { m, trace };
}

/** The trace's allocation requests as "size caller". */
export const requests = (trace: string[]): string[] =>
  trace.flatMap((t) => {
    const r = /^memblock_alloc_try_nid: (\d+) bytes align=0x40 nid=-1 from=0x0+ max_addr=0x0+ (\S+)$/.exec(t);
    return r ? [`${r[1]} ${r[2]}`] : [];
  });
