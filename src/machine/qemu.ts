// SPDX-License-Identifier: GPL-2.0-only
// Where QEMU 7.2 (pc-i440fx-7.2, pc-q35-7.2) puts guest RAM: the split around the 32-bit PCI
// hole (hw/i386/pc_piix.c pc_init1(), hw/i386/pc_q35.c pc_q35_init()), the relocation above
// AMD's HyperTransport window and the hotplug region (hw/i386/pc.c pc_memory_init()).
import { roundUp, SZ_1G } from '../include/pfn.js';
import { SZ_4G } from './units.js';

export const QEMU_MACHINES = ['pc', 'q35'] as const;
export type QemuMachine = (typeof QEMU_MACHINES)[number];

/** pc: the traditional 3.5 GiB of RAM below 4G, and the gigabyte-aligned 3 GiB used when RAM ≥ that. */
const PC_LOWMEM = 0xe0000000;
const PC_LOWMEM_ALIGNED = 0xc0000000;
/** q35: up to 2.75 GiB below the MMCONFIG window at 0xb0000000, else 2 GiB. */
const Q35_LOWMEM = 0xb0000000;
const Q35_LOWMEM_ALIGNED = 0x80000000;

/** AMD_HT_START/AMD_HT_END: the HyperTransport window just below 1 TiB, [start, end). */
export const AMD_HT_START = 0xfd00000000;
export const AMD_HT_END = 0x10000000000;
/** AMD_ABOVE_1TB_START: where RAM above 4G moves when it would run into the HT window. */
const AMD_ABOVE_1TB_START = 0x10000000000;
/** The default pci-hole64-size of both host bridges (32 GiB). */
const PCI_HOLE64_SIZE = 32 * SZ_1G;
/** ACPI_MAX_RAM_SLOTS. */
export const MAX_RAM_SLOTS = 256;

/**
 * RAM below 4G for `ram` bytes of guest RAM; mirrors pc_init1() and pc_q35_init():
 *   pc  1G → 1G,  3G → 3G,  3.5G → 3G (+512M above),  4G → 3G,   maxRamBelow4G=2G, 4G → 2G
 *   q35 2G → 2G,  2.75G → 2G (+768M above),  3G → 2G,  12G → 2G
 * `maxRamBelow4G` is QEMU's max-ram-below-4g machine option.
 */
export function qemuBelow4g(machine: QemuMachine, ram: number, maxRamBelow4G: number | undefined): number {
  let lowmem: number;
  if (machine === 'pc') {
    lowmem = maxRamBelow4G ?? PC_LOWMEM;
    // gigabyte_align: split at 3G rather than 3.5G, but only when RAM must be split at all.
    if (ram >= lowmem && lowmem > PC_LOWMEM_ALIGNED) lowmem = PC_LOWMEM_ALIGNED;
  } else {
    lowmem = ram >= Q35_LOWMEM ? Q35_LOWMEM_ALIGNED : Q35_LOWMEM;
    lowmem = Math.min(lowmem, maxRamBelow4G ?? SZ_4G);
  }
  return Math.min(ram, lowmem);
}

export interface QemuRamLayout {
  below4g: number;
  above4g: number;
  /** Where RAM above 4G starts: 4G, or 1T when it moved above the HT window. */
  aboveStart: number;
  /** The hotplug (device-memory) region, present when maxmem is set. */
  deviceMemory: { start: number; size: number } | undefined;
}

export interface QemuRamOptions {
  machine: QemuMachine;
  ram: number;
  maxRamBelow4G: number | undefined;
  amd: boolean;
  /** maxmem and slots, or undefined without memory hotplug. */
  hotplug: { maxmem: number; slots: number } | undefined;
}

/** pc_get_device_memory_range(): 1G-aligned after RAM, sized maxmem − ram plus 1G per slot. */
export function deviceMemoryAfter(aboveEnd: number, ram: number, hotplug: QemuRamOptions['hotplug']) {
  if (!hotplug) return undefined;
  return { start: roundUp(aboveEnd, SZ_1G), size: hotplug.maxmem - ram + hotplug.slots * SZ_1G };
}

/** Mirrors the RAM placement of pc_memory_init(). */
export function qemuRamLayout(o: QemuRamOptions): QemuRamLayout {
  const below4g = qemuBelow4g(o.machine, o.ram, o.maxRamBelow4G);
  const above4g = o.ram - below4g;
  let aboveStart = SZ_4G;
  if (o.amd) {
    // pc_max_used_gpa(): the end of the 64-bit PCI hole, which follows RAM and hotplug space.
    const dev = deviceMemoryAfter(aboveStart + above4g, o.ram, o.hotplug);
    const hole64Start = roundUp(dev ? dev.start + dev.size : aboveStart + above4g, SZ_1G);
    if (hole64Start + PCI_HOLE64_SIZE - 1 >= AMD_HT_START) aboveStart = AMD_ABOVE_1TB_START;
  }
  return { below4g, above4g, aboveStart, deviceMemory: deviceMemoryAfter(aboveStart + above4g, o.ram, o.hotplug) };
}
