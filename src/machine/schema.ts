// SPDX-License-Identifier: GPL-2.0-only
// The machine-file schema (docs/machine-files.md). Every mapping is strict, so a misspelt key
// is an error rather than a silently ignored setting. Cross-field rules (one way to give the
// RAM, no overlaps, node references) live in build.ts.
import { z } from 'zod';
import { E820_MAX_ENTRIES_ZEROPAGE, E820Type } from '../arch/x86/e820-types.js';
import { MAX_NUMNODES } from '../include/mmzone.js';
import { bytes, describeInput, intIn, ranged, SIZE_HINT } from './fields.js';
import { MAX_RAM_SLOTS, QEMU_MACHINES } from './qemu.js';
import { MAX_PXM_DOMAINS } from './srat.js';

/** NR_CPUS of Debian's amd64 config ("setup_percpu: NR_CPUS:8192"). */
export const MAX_CPUS = 8192;
/** NR_NODE_MEMBLKS (MAX_NUMNODES * 2): the most SRAT memory ranges Linux keeps. */
export const MAX_SRAT_MEMORY = MAX_NUMNODES * 2;
/** Linux maps proximity domains 0..255 only, so a bigger SLIT says nothing more. */
const MAX_SLIT_LOCALITIES = MAX_PXM_DOMAINS;

/** e820 type names a file may use, with their numbers (arch/x86/include/asm/e820/types.h). */
export const E820_TYPE_NAMES = {
  usable: E820Type.RAM, reserved: E820Type.RESERVED, acpi: E820Type.ACPI, nvs: E820Type.NVS,
  unusable: E820Type.UNUSABLE, pmem: E820Type.PMEM, pram: E820Type.PRAM, 'soft-reserved': E820Type.SOFT_RESERVED,
} as const;

const nodeId = intIn(0, MAX_NUMNODES - 1, 'a node id');
const pageRange = ranged({}, true);

const e820Type = z
  .union([z.enum(Object.keys(E820_TYPE_NAMES) as [keyof typeof E820_TYPE_NAMES]), intIn(1, 0xffffffff, 'an e820 type')], {
    error: (iss) => `expected one of ${Object.keys(E820_TYPE_NAMES).join(', ')} or a type number, got ${describeInput(iss.input)}`,
  })
  .transform((t) => (typeof t === 'number' ? t : E820_TYPE_NAMES[t]));

const node = z.strictObject({
  /** The ACPI proximity domain (QEMU's -numa node,nodeid=); default: the list position. */
  id: nodeId.optional(),
  /** A size laid out QEMU-style, or explicit ranges; left out for a memoryless node. */
  memory: z
    .union([bytes('size', { page: true }), z.array(pageRange).min(1)], {
      error: (iss) => `expected ${SIZE_HINT} or a list of ranges, got ${describeInput(iss.input)}`,
    })
    .optional(),
  cpus: intIn(0, MAX_CPUS, 'a cpu count').optional(),
});

const sratMemory = ranged(
  { node: nodeId, hotplug: z.boolean().optional(), nonVolatile: z.boolean().optional() },
  true,
);

const srat = z.strictObject({
  memory: z.array(sratMemory).max(MAX_SRAT_MEMORY).optional(),
  cpus: z.array(z.strictObject({ apic: intIn(0, 0xffffffff, 'an APIC id'), node: nodeId })).max(MAX_CPUS).optional(),
});

const dimm = z.strictObject({
  start: bytes('start', { page: true }).optional(),
  size: bytes('size', { page: true }),
  node: nodeId.optional(),
});

/** QEMU -cpu flags (`-cpu qemu64,+pdpe1gb,+la57`) that change memory init; see cpu-flags.ts. */
export const CPU_FLAGS = ['pdpe1gb', 'la57'] as const;

/** A SLIT distance: one byte (ACPI 6.4 5.2.17); 255 means unreachable. */
const distance = intIn(0, 255, 'a distance');

export const PMEM_TYPES = ['memmap', 'pram', 'pmem'] as const;
const pmem = z.strictObject({
  start: bytes('start', { page: true }).optional(),
  size: bytes('size', { page: true }),
  /** memmap: carve RAM with memmap=nn!ss; pram: an e820 type-12 entry; pmem: type 7. */
  type: z.enum(PMEM_TYPES).optional(),
  node: nodeId.optional(),
});

export const machineSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  machine: z.enum(QEMU_MACHINES).optional(),
  accel: z.enum(['tcg', 'kvm']).optional(),
  cpuVendor: z.enum(['amd', 'intel']).optional(),
  cpuFlags: z.array(z.enum(CPU_FLAGS)).optional(),
  maxRamBelow4G: bytes('size', { page: true }).optional(),
  cmdline: z.string().optional(),
  append: z.string().optional(),
  cpus: intIn(1, MAX_CPUS, 'a cpu count').optional(),
  memory: bytes('size', { page: true }).optional(),
  nodes: z.array(node).min(1).max(MAX_NUMNODES).optional(),
  e820: z.array(ranged({ type: e820Type }, false)).min(1).max(E820_MAX_ENTRIES_ZEROPAGE).optional(),
  srat: srat.optional(),
  /** The ACPI SLIT, rows by proximity domain (QEMU: -numa dist); square, checked in slit.ts. */
  distances: z.array(z.array(distance).min(1)).min(1).max(MAX_SLIT_LOCALITIES).optional(),
  maxmem: bytes('size', { page: true }).optional(),
  slots: intIn(1, MAX_RAM_SLOTS, 'a slot count').optional(),
  dimms: z.array(dimm).optional(),
  pmem: z.array(pmem).optional(),
  biosReserved: bytes('size', { page: true, zero: true }).optional(),
  initrd: bytes('size', { page: false, zero: true }).optional(),
  kernelStart: bytes('start', { page: true }).optional(),
  earlyReserved: z.array(ranged({ what: z.string().optional() }, false)).optional(),
  /** UEFI boots: the EFI memory map's Boot Services Code/Data descriptors (whole 4 KiB EFI pages). */
  efiBootServices: z.array(ranged({}, true)).min(1).optional(),
});

/** A machine file after schema validation: numbers parsed, ranges as { start, end }. */
export type MachineConfig = z.output<typeof machineSchema>;
export type NodeConfig = z.output<typeof node>;
export type PmemType = (typeof PMEM_TYPES)[number];
/** What a preset or a caller may hand to buildMachine(): the file's shape before parsing. */
export type MachineInput = z.input<typeof machineSchema>;
