// `meminit proc FILE [MACHINE|PRESET]`: the /proc files meminit models (src/fs/proc), for a machine
// booted with its struct pages.
import { memInit } from '../arch/x86/mem-init.js';
import { bootMachine, BootError } from '../arch/x86/setup.js';
import { machineNew, type Machine } from '../kernel/machine.js';
import type { DeferredStrategy } from '../mm/deferred-work.js';
import { MemmapBudgetError } from '../mm/sparse.js';
import { loadSpec, memmapBudget } from './boot.js';
import { EXIT_OK, UserError } from './errors.js';

import { procFile, type ProcFile } from '../fs/proc/index.js';

export { PROC_FILES, procFile, type ProcFile } from '../fs/proc/index.js';

/** Boot `machine` with its struct pages (the state every /proc file is read from). */
export function bootForProc(machine: string, strategy: DeferredStrategy): Machine {
  const spec = loadSpec(machine);
  const m = machineNew(spec.name, spec.firmware);
  try {
    bootMachine(m);
    memInit(m, { strategy, memmap: { budgetBytes: memmapBudget() } });
  } catch (e) {
    if (e instanceof BootError || e instanceof MemmapBudgetError) throw new UserError(`${machine}: ${e.message}`);
    throw e;
  }
  return m;
}

export function procCommand(file: ProcFile, machine: string, o: { strategy: DeferredStrategy; json?: boolean }, out: (s: string) => void): number {
  const m = bootForProc(machine, o.strategy);
  const { lines, data } = procFile(m, file);
  out(o.json ? JSON.stringify({ file: `/proc/${file}`, machine: m.name, lines, data }, null, 2) : lines.join('\n'));
  return EXIT_OK;
}
