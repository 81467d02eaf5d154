// SPDX-License-Identifier: GPL-2.0-only
// Built-in machines, written in the machine-file format and built by the same code, so a
// preset is exactly the file that docs/machine-files.md would show for it.
import { buildMachine } from './build.js';
import { MachineError } from './errors.js';
import type { MachineInput } from './schema.js';
import type { MachineSpec } from './types.js';

interface Preset {
  name: string;
  description: string;
  machine: MachineInput;
}

const PRESETS: readonly Preset[] = [
  {
    name: 'default',
    description: 'q35, 2 nodes x 4G with 2 cpus each, the 2G-4G PCI hole, 1G of node 1 as pmem (memmap=1G!0x240000000)',
    machine: {
      machine: 'q35',
      nodes: [{ memory: '4G', cpus: 2 }, { memory: '4G', cpus: 2 }],
      pmem: [{ start: '0x240000000', size: '1G', type: 'memmap' }],
    },
  },
  {
    name: 'seed',
    description: "the seed thread's machine: pc, one node of 384G, no SRAT",
    machine: { machine: 'pc', memory: '384G' },
  },
  {
    name: 'pc-1g',
    description: 'pc (i440fx), 1G, all RAM below 4G (corpus pc-1g)',
    machine: { machine: 'pc', memory: '1G' },
  },
  {
    name: 'q35-4g',
    description: 'q35, 4G: 2G below the PCI hole, 2G from 4G',
    machine: { machine: 'q35', memory: '4G' },
  },
  {
    name: 'numa4-memoryless',
    description: 'q35, 4 nodes x 1 cpu: 2G, memoryless, 2G, 2G',
    machine: {
      machine: 'q35',
      nodes: [{ memory: '2G', cpus: 1 }, { cpus: 1 }, { memory: '2G', cpus: 1 }, { memory: '2G', cpus: 1 }],
    },
  },
  {
    name: 'movable',
    description: 'q35, 4G, movablecore=1G: ZONE_MOVABLE from the top of Normal (corpus q35-4g-movablecore)',
    machine: { machine: 'q35', memory: '4G', append: 'movablecore=1G' },
  },
  {
    name: 'hotplug',
    description: 'pc, 2G, slots=4 maxmem=8G, two coldplugged DIMMs (512M, 1G) that come up offline (corpus pc-2g-dimm-online)',
    machine: { machine: 'pc', memory: '2G', slots: 4, maxmem: '8G', dimms: [{ size: '512M' }, { size: '1G' }] },
  },
];

/** Name and one-line description of every preset, in display order. */
export function listPresets(): { name: string; description: string }[] {
  return PRESETS.map(({ name, description }) => ({ name, description }));
}

/** The preset called `name`; an unknown name is a MachineError listing the known ones. */
export function loadPreset(name: string): MachineSpec {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new MachineError(`unknown preset "${name}"; available: ${PRESETS.map((x) => x.name).join(', ')}`);
  return buildMachine({ ...p.machine, name: p.name, description: p.description }, `preset ${name}`, name);
}
