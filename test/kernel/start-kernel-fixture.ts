// A bare Machine for the start_kernel() allocation tests: a memblock with the RAM ranges given,
// the command line, the CPU count, and one trace of memblock=debug and printk lines in order.
import type { NumaState } from '../../src/arch/x86/numa.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { memblockAdd, memblockCreate, memblockReserve } from '../../src/mm/memblock.js';
import { TracePrintk } from './printk-trace.js';

export interface TinyMachine {
  m: Machine;
  /** memblock=debug and printk lines, interleaved as the kernel prints them. */
  trace: string[];
}

export interface TinyOptions {
  /** RAM as [start, end) byte ranges. */
  ram: [number, number][];
  reserved?: [number, number][];
  cmdline?: string;
  nrCpus?: number;
  /** node_possible_map; default [0]. */
  possible?: number[];
}

export function tinyMachine(o: TinyOptions): TinyMachine {
  const m = machineNew('tiny', { e820: [], srat: undefined, cmdline: o.cmdline ?? '', nrCpus: o.nrCpus ?? 2, earlyReserved: [] });
  const mb = memblockCreate();
  for (const [s, e] of o.ram) memblockAdd(mb, s, e - s);
  for (const [s, e] of o.reserved ?? []) memblockReserve(mb, s, e - s);
  m.memblock = mb;
  m.maxPfn = Math.max(...o.ram.map(([, e]) => e)) / 4096;
  m.numa = { possible: o.possible ?? [0] } as NumaState;
  const trace: string[] = [];
  mb.debug = (t) => trace.push(t);
  m.printk = new TracePrintk(trace);
  return { m, trace };
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
/** "memblock_alloc_try_nid: 9 bytes align=0x40 nid=-1 from=… max_addr=… start_kernel", shortened to "9 0x40 start_kernel". */
export const requests = (trace: string[]): string[] =>
  trace.flatMap((t) => {
    const r = /^memblock_alloc_try_nid(?:_raw)?: (\d+) bytes align=(0x[0-9a-f]+) nid=-?\d+ from=0x0+ max_addr=(0x[0-9a-f]+) (\S+)$/.exec(t);
    if (!r) return [];
    return [`${r[1]} ${r[2]}${BigInt(r[3]!) ? ` max=${BigInt(r[3]!).toString(16)}` : ''} ${r[4]}`];
  });
