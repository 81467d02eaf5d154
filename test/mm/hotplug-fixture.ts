// Machines with memory hotplug for the hotplug tests: a machine file's input booted with its
// struct pages (init counters on), memory blocks set up, its DIMMs plugged as ACPI does at boot.
import { memInit } from '../../src/arch/x86/mem-init.js';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { acpiMemoryHotplugBoot } from '../../src/drivers/acpi/acpi-memhotplug.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { buildMachine } from '../../src/machine/index.js';
import { sysfsRead, sysfsWrite } from '../../src/fs/sysfs.js';

/** pc, 2G, two DIMMs at 4G (512M: memory32-35, 1G: memory36-43), one node (the `hotplug` preset). */
export const PC_2G_DIMMS = { machine: 'pc', memory: '2G', slots: 4, maxmem: '8G', dimms: [{ size: '512M' }, { size: '1G' }] };

export function hotplugMachine(input: object = PC_2G_DIMMS, reserved: 'keep' | 'drop' = 'keep'): Machine {
  const spec = buildMachine(input, 'test', 'test');
  const m = machineNew(spec.name, spec.firmware);
  bootMachine(m);
  let bad: { errno: number } | undefined;
  memInit(m, { strategy: 'maxorder', memmap: { trackInit: true }, subsysInitcall: (mm) => { bad = acpiMemoryHotplugBoot(mm, spec.dimms, { reserved }); } });
  if (bad) throw new Error(`DIMM add failed: ${bad.errno}`);
  return m;
}

export const MEM = '/sys/devices/system/memory';

/** cat of a sysfs file, trimmed; throws on an errno. */
export function cat(m: Machine, path: string): string {
  const r = sysfsRead(m, path);
  if (!r.ok) throw new Error(`cat ${path}: errno ${r.errno}`);
  return r.text.trim();
}

/** echo VALUE > memoryN/ATTR: 0 or the negative errno. */
export const blockWrite = (m: Machine, id: number, attr: string, value: string): number => sysfsWrite(m, `${MEM}/memory${id}/${attr}`, `${value}\n`);
