// SPDX-License-Identifier: GPL-2.0-only
// A Board is what a RAM description (memory:, nodes: or e820:) turns into before persistent
// memory, DIMMs and early reservations are added: the firmware map and SRAT by proximity domain.
import type { FirmwareE820Entry } from '../arch/x86/firmware.js';
import type { FieldPath } from './errors.js';
import type { SratRange } from './srat.js';

/** 64 MiB: less cannot hold Debian's kernel image (16 MiB to 68 MiB) and initrd. */
export const MIN_RAM = 64 * 1024 * 1024;
/** Two cpus when nothing says otherwise, as in every corpus boot. */
export const DEFAULT_CPUS = 2;

export interface Board {
  e820: FirmwareE820Entry[];
  /** qemu: laid out here, map kept sorted as SeaBIOS sorts it; e820: as written, in that order. */
  layout: 'qemu' | 'e820';
  /** SRAT memory entries, or undefined when the machine has no SRAT. */
  sratMemory: SratRange[] | undefined;
  /** SRAT cpu entries in APIC order (empty without an SRAT). */
  cpus: { apic: number; pxm: number }[];
  nrCpus: number;
  /** Proximity domains `node` fields may name (empty without an SRAT). */
  pxms: ReadonlySet<number>;
  deviceMemory: { start: number; size: number; pxm: number } | undefined;
  /** Where pmem ranges without a start go (above RAM and hotplug space); undefined: start required. */
  freeAbove: number | undefined;
  /** The field that gave the RAM (for messages about RAM as a whole). */
  ramPath: FieldPath;
}
