// `meminit boot [MACHINE|PRESET] [--memmap …]` and `meminit presets`.
import { totalmem } from 'node:os';
import { memInit } from '../arch/x86/mem-init.js';
import { bootMachine, BootError } from '../arch/x86/setup.js';
import { acpiMemoryHotplugBoot } from '../drivers/acpi/acpi-memhotplug.js';
import { errnoText } from '../drivers/base/memory.js';
import { machineNew, type Machine } from '../kernel/machine.js';
import { listPresets, loadPreset, MachineError, type MachineSpec } from '../machine/index.js';
import { loadMachineFile } from '../machine/load-file.js';
import type { DeferredNodeReport } from '../mm/deferred-run.js';
import type { DeferredStrategy } from '../mm/deferred-work.js';
import { forEachValidSection, MemmapBudgetError } from '../mm/sparse.js';
import { memInitThreads } from '../node/deferred-threads.js';
import { Progress } from './progress.js';
import { emitMachine, type Emit } from './replay.js';
import { EXIT_OK, UserError } from './errors.js';
import type { HotplugReserved } from './run.js';

/** A machine file (a path or .yaml/.yml/.json name) or a preset name, with one-line errors. */
export function loadSpec(arg: string) {
  try {
    return /\.(ya?ml|json)$/i.test(arg) || arg.includes('/') ? loadMachineFile(arg) : loadPreset(arg);
  } catch (e) {
    if (e instanceof MachineError) throw new UserError(e.message);
    throw e;
  }
}

/**
 * Memory hotplug as boot sets it up (memInit()'s subsysInitcall): memory blocks, then the
 * machine's DIMMs added by ACPI. Undefined when there is nothing to do: no DIMMs and no `reserved`
 * mode asked for (the hotplug commands ask, to have memory blocks). A refused DIMM is a bad machine.
 */
export function hotplugAtBoot(spec: MachineSpec, arg: string, reserved?: HotplugReserved): ((m: Machine) => void) | undefined {
  if (reserved === undefined && !spec.dimms.length) return undefined;
  return (m) => {
    const bad = acpiMemoryHotplugBoot(m, spec.dimms, { reserved: reserved ?? 'keep' });
    if (bad) throw new UserError(`${arg}: DIMM at 0x${bad.start.toString(16)} (${bad.size} bytes): add_memory failed: ${errnoText(bad.errno)}`);
  };
}

/**
 * A machine file or preset booted with its struct pages on this thread (memInit: memblock_free_all,
 * deferred init, and its DIMMs as ACPI adds them), for the commands that read them; a bad machine
 * or a memmap over the host's budget is a one-line UserError. `hotplug`: set up memory hotplug
 * with that mode even without DIMMs.
 */
export function bootWithMemmap(arg: string, strategy: DeferredStrategy, o: { trackInit?: boolean; hotplug?: HotplugReserved } = {}): { m: Machine; spec: MachineSpec } {
  const spec = loadSpec(arg);
  const m = machineNew(spec.name, spec.firmware);
  const subsysInitcall = hotplugAtBoot(spec, arg, o.hotplug);
  try {
    bootMachine(m);
    memInit(m, { strategy, memmap: { budgetBytes: memmapBudget(), ...(o.trackInit ? { trackInit: true } : {}) }, ...(subsysInitcall ? { subsysInitcall } : {}) });
  } catch (e) {
    if (e instanceof BootError || e instanceof MemmapBudgetError) throw new UserError(`${arg}: ${e.message}`);
    throw e;
  }
  return { m, spec };
}

export interface BootMemmapOptions {
  strategy: DeferredStrategy;
  /** Worker threads per node (padata max_threads for parallel); 0 runs deferred init on the main thread. */
  workers: number;
  /** Host memory the memmap may take; more is refused before anything is allocated. */
  budgetBytes: number;
}

/** The memmap may take half of the host's memory: the rest is for V8, the workers and the OS. */
export const memmapBudget = (): number => Math.floor(totalmem() / 2);

export interface MemmapSummary {
  sections: number;
  memmapMiB: number;
  managedPages: number;
  deferredPages: number;
  strategy: DeferredStrategy;
  workers: number;
}

/** The memInit phase for the CLI: struct pages, memblock_free_all, deferred init, the initcalls. */
async function bootMemmap(m: Machine, arg: string, o: BootMemmapOptions, subsysInitcall?: (m: Machine) => void): Promise<MemmapSummary> {
  const bars = new Progress();
  const progress = (step: 'memmap' | 'deferred', nid: number, done: number, total: number): void =>
    bars.update(`${step}${nid}`, step === 'memmap' ? 'memmap allocation' : `node ${nid} deferred init`, done, total);
  const opts = { strategy: o.strategy, memmap: { budgetBytes: o.budgetBytes }, ...(bars.active ? { progress } : {}), ...(subsysInitcall ? { subsysInitcall } : {}) };
  let reports: DeferredNodeReport[];
  try {
    reports = o.workers === 0 ? memInit(m, { ...opts, maxThreads: 1 }) : (await memInitThreads(m, { ...opts, maxThreads: o.workers })).reports;
  } catch (e) {
    if (e instanceof BootError || e instanceof MemmapBudgetError) throw new UserError(`${arg}: ${e.message}`);
    throw e;
  } finally {
    bars.done();
  }
  const sections = [...forEachValidSection(m.memmap!)].length;
  let managed = 0;
  for (const pg of m.zones!.nodes.values()) for (const z of pg.zones) managed += z.managedPages;
  const deferred = reports.reduce((n, r) => n + r.pages, 0);
  return { sections, memmapMiB: sections * 2, managedPages: managed, deferredPages: deferred, strategy: o.strategy, workers: o.workers };
}

/** One summary line for the memmap phase. */
function memmapLine(s: MemmapSummary): string {
  const how = s.workers === 0 ? 'on the main thread' : s.strategy === 'parallel' ? `up to ${s.workers} threads per node` : 'one thread per node';
  return `meminit: ${s.sections} sections of struct pages (${s.memmapMiB} MiB); ${s.managedPages} pages managed, ${s.deferredPages} of them initialised by deferred init (${s.strategy}, ${how})`;
}

/** --script on boot: memory hotplug after the struct pages, then the script's lines (exit 1 if one failed). */
export interface BootScriptOptions {
  script: string;
  reserved: 'keep' | 'drop';
  err: (s: string) => void;
}

export async function bootCommand(
  arg: string, emit: Emit, out: (s: string) => void, memmap?: BootMemmapOptions, script?: BootScriptOptions,
): Promise<number> {
  const { loadScript, printResults } = await import('./run.js');
  const lines = script ? loadScript(script.script) : undefined;
  const spec = loadSpec(arg);
  const m = machineNew(spec.name, spec.firmware);
  try {
    bootMachine(m);
  } catch (e) {
    if (e instanceof BootError) throw new UserError(`${arg}: ${e.message}`);
    throw e;
  }
  const s = memmap ? await bootMemmap(m, arg, memmap, hotplugAtBoot(spec, arg, script?.reserved)) : undefined;
  out(emitMachine(m, emit, s && emit === 'json' ? { memmap: s } : {}) + (s && emit === 'summary' ? memmapLine(s) + '\n' : ''));
  if (!script || !lines) return EXIT_OK;
  const { runScript } = await import('../shell/script.js');
  return printResults(script.script, runScript(m, lines), out, script.err);
}

export function presetsCommand(out: (s: string) => void, o: { json?: boolean } = {}): number {
  const list = listPresets().map((p) => ({ name: p.name, description: p.description }));
  if (o.json) out(JSON.stringify(list, null, 2));
  else for (const p of list) out(`${p.name.padEnd(20)} ${p.description}`);
  return EXIT_OK;
}
