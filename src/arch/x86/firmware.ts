// What the platform hands the kernel before memory init: the BIOS e820 map, the ACPI SRAT
// affinity entries, the command line and the early reservations made before memblock=debug
// starts tracing. Machine files and presets are turned into this; a boot log is parsed into it.

import type { E820Entry } from './e820-types.js';

/** One BIOS e820 entry as the boot loader hands it over (type: 1 usable, 2 reserved, 12 PRAM …). */
export type FirmwareE820Entry = E820Entry;

/** One ACPI SRAT memory affinity entry ("ACPI: SRAT: Node 0 PXM 0 [mem …]"); end is exclusive. */
export interface SratMemory {
  nid: number;
  pxm: number;
  start: number;
  end: number;
  hotplug: boolean;
  nonVolatile: boolean;
}

/** One ACPI SRAT processor affinity entry ("ACPI: SRAT: PXM 0 -> APIC 0x00 -> Node 0"). */
export interface SratCpu {
  apic: number;
  pxm: number;
  nid: number;
}

export interface Srat {
  memory: SratMemory[];
  cpus: SratCpu[];
}

/** An early reservation made before memblock tracing starts (kernel image, initrd, first 64 KiB …). */
export interface EarlyReservation {
  base: number;
  size: number;
  what: string;
}

export interface Firmware {
  e820: FirmwareE820Entry[];
  /** undefined: the platform has no SRAT, so the kernel fakes one node. */
  srat: Srat | undefined;
  cmdline: string;
  nrCpus: number;
  /** Reservations in place when e820__memblock_setup() runs. */
  earlyReserved: EarlyReservation[];
}
