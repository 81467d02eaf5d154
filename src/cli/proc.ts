// `meminit proc FILE [MACHINE|PRESET]`: the /proc files meminit models, for a machine booted with its
// struct pages (zoneinfo's geometry and managed pages, buddyinfo, pagetypeinfo).
import { memInit } from '../arch/x86/mem-init.js';
import { bootMachine, BootError } from '../arch/x86/setup.js';
import { machineNew } from '../kernel/machine.js';
import type { DeferredStrategy } from '../mm/deferred-work.js';
import type { Buddy } from '../mm/page-alloc.js';
import { MemmapBudgetError } from '../mm/sparse.js';
import { buddyinfo, pagetypeinfo } from '../mm/vmstat.js';
import { emitBuddyinfo } from '../trace/formats/buddyinfo.js';
import { emitPagetypeinfo } from '../trace/formats/pagetypeinfo.js';
import { emitZoneinfo } from '../trace/formats/zoneinfo.js';
import { loadSpec, memmapBudget } from './boot.js';
import { EXIT_OK, UserError } from './errors.js';
import { zoneinfoOf } from './replay.js';

export const PROC_FILES = ['zoneinfo', 'buddyinfo', 'pagetypeinfo'] as const;
export type ProcFile = (typeof PROC_FILES)[number];

export function procCommand(file: ProcFile, machine: string, o: { strategy: DeferredStrategy }, out: (s: string) => void): number {
  const spec = loadSpec(machine);
  const m = machineNew(spec.name, spec.firmware);
  try {
    bootMachine(m);
    memInit(m, { strategy: o.strategy, memmap: { budgetBytes: memmapBudget() } });
  } catch (e) {
    if (e instanceof BootError || e instanceof MemmapBudgetError) throw new UserError(`${machine}: ${e.message}`);
    throw e;
  }
  const b = m.buddy as Buddy;
  const managed = new Map<string, number>();
  for (const pg of m.zones!.nodes.values()) for (const z of pg.zones) managed.set(`${pg.nodeId}:${z.name}`, z.managedPages);
  const lines = file === 'zoneinfo' ? emitZoneinfo(zoneinfoOf(m, managed))
    : file === 'buddyinfo' ? emitBuddyinfo(buddyinfo(b))
      : emitPagetypeinfo(pagetypeinfo(b));
  out(lines.join('\n'));
  return EXIT_OK;
}
