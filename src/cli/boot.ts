// `meminit boot [MACHINE|PRESET]` and `meminit presets`.
import { bootMachine, BootError } from '../arch/x86/setup.js';
import { machineNew } from '../kernel/machine.js';
import { listPresets, loadPreset, MachineError } from '../machine/index.js';
import { loadMachineFile } from '../machine/load-file.js';
import { emitMachine, type Emit } from './replay.js';
import { EXIT_OK, UserError } from './errors.js';

function loadSpec(arg: string) {
  try {
    return /\.(ya?ml|json)$/i.test(arg) || arg.includes('/') ? loadMachineFile(arg) : loadPreset(arg);
  } catch (e) {
    if (e instanceof MachineError) throw new UserError(e.message);
    throw e;
  }
}

export function bootCommand(arg: string, emit: Emit, out: (s: string) => void): number {
  const spec = loadSpec(arg);
  const m = machineNew(spec.name, spec.firmware);
  try {
    bootMachine(m);
  } catch (e) {
    if (e instanceof BootError) throw new UserError(`${arg}: ${e.message}`);
    throw e;
  }
  out(emitMachine(m, emit));
  return EXIT_OK;
}

export function presetsCommand(out: (s: string) => void): number {
  for (const p of listPresets()) out(`${p.name.padEnd(20)} ${p.description}`);
  return EXIT_OK;
}
