// What the platform hands the kernel before memory init: the BIOS e820 map, the ACPI SRAT
// affinity entries, the command line and the early reservations made before memblock=debug
// starts tracing. Machine files and presets are turned into this; a boot log is parsed into it.

import type { E820Entry } from './e820-types.js';
import type { KernelImageSizes } from './kernel-image.js';

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
  /** The ACPI SLIT beside it: slit[i][j] is the distance from proximity domain i to j. Absent: no SLIT. */
  slit?: number[][];
}

/** An early reservation made before memblock tracing starts (kernel image, initrd, first 64 KiB …). */
export interface EarlyReservation {
  base: number;
  size: number;
  what: string;
}

/** One EFI memory descriptor's physical range (phys_addr, num_pages << EFI_PAGE_SHIFT). */
export interface EfiMemoryRange {
  base: number;
  size: number;
}

/**
 * The kernel image's brk area, physical addresses (arch/x86/kernel/setup.c, vmlinux.lds.S). It
 * follows __end_of_kernel_reserve; dmi_alloc() and early_alloc_pgt_buf() take their space from
 * it before reserve_brk() reserves the used part, so the page-table buffer is its last pages.
 */
export interface KernelBrk {
  /** __brk_base, where _brk_start points. */
  start: number;
  /** _brk_end when reserve_brk() runs. */
  end: number;
  /** __brk_limit: 64 KiB of slop plus every RESERVE_BRK(); _end is the next page boundary. */
  limit: number;
}

/** The boot CPU's features that shape the direct mapping; absent means no. */
export interface CpuFeatures {
  /** X86_FEATURE_GBPAGES (cpuid pdpe1gb): 1 GiB pages for the direct mapping. */
  gbpages?: boolean;
  /** X86_FEATURE_LA57: 5-level paging. */
  la57?: boolean;
}

/** What acpi_boot_init() reads from the ACPI tables that leads to memblock allocations. */
export interface AcpiPlatform {
  /** The HPET table: event timer block id, base address and sequence number; undefined: no HPET table. */
  hpet: { id: number; address: number; sequence: number } | undefined;
  /** I/O APIC entries of the MADT (nr_ioapics). */
  nrIoapics: number;
}

export interface Firmware {
  e820: FirmwareE820Entry[];
  /** undefined: the platform has no SRAT, so the kernel fakes one node. */
  srat: Srat | undefined;
  cmdline: string;
  nrCpus: number;
  /** Reservations in place when e820__memblock_setup() runs. */
  earlyReserved: EarlyReservation[];
  /**
   * A UEFI boot's EFI memory map descriptors of type Boot Services Code or Data, in map order;
   * absent on a BIOS boot (no EFI memory map). efi-quirks.ts reserves and later frees them.
   */
  efiBootServices?: EfiMemoryRange[];
  /**
   * The kernel image booted (its section sizes and what it frees after boot), when the model boots
   * one: a machine file boots Debian's 6.1. Absent in a replay, whose log tells those frees.
   */
  image?: KernelImageSizes;
  /** Where the boot loader put the initrd (RAMDISK): free_initrd_mem() gives it back after the initcalls. */
  initrd?: { base: number; size: number };
  /** Where the kernel's brk area is; default: Debian 6.1 nokaslr (DEBIAN_BRK in brk.ts). */
  brk?: KernelBrk;
  /** Default: QEMU's qemu64 model, as in most corpus boots (no 1 GiB pages, no LA57). */
  cpu?: CpuFeatures;
  /** Default: QEMU's pc and q35 tables (QEMU_ACPI in acpi-boot.ts: one HPET, one IOAPIC). */
  acpi?: AcpiPlatform;
}
