// SPDX-License-Identifier: GPL-2.0-only
// The x86 firmware memory map: types, limits and the table shape
// (arch/x86/include/asm/e820/types.h, arch/x86/include/uapi/asm/bootparam.h).
import { MAX_NUMNODES } from '../../include/mmzone.js';

/** enum e820_type. Firmware may hand over any u32, so tables hold plain numbers. */
export const E820Type = {
  RAM: 1,
  RESERVED: 2,
  ACPI: 3,
  NVS: 4,
  UNUSABLE: 5,
  PMEM: 7,
  /** Legacy persistent memory ("memmap=nn!ss"), type 12 by convention, not from any spec. */
  PRAM: 12,
  /** EFI_MEMORY_SP ranges, kept away from the page allocator. */
  SOFT_RESERVED: 0xefffffff,
  /** RAM the kernel itself marked as in use (setup_data); never comes from firmware. */
  RESERVED_KERN: 128,
} as const;

/** struct e820_entry. `type` is a u32; 0 marks an entry wiped by e820__range_remove(). */
export interface E820Entry {
  addr: number;
  size: number;
  type: number;
}

/** struct e820_table: `entries.length` plays nr_entries. */
export interface E820Table {
  entries: E820Entry[];
}

/** E820_MAX_ENTRIES_ZEROPAGE: what fits in boot_params. */
export const E820_MAX_ENTRIES_ZEROPAGE = 128;
/** E820_MAX_ENTRIES: room for three entries per NUMA node on top of the zeropage ones (3200). */
export const E820_MAX_ENTRIES = E820_MAX_ENTRIES_ZEROPAGE + 3 * MAX_NUMNODES;

/** The legacy VGA/BIOS window (640 KiB .. 1 MiB) that trim_bios_range() takes out of RAM. */
export const BIOS_BEGIN = 0x000a0000;
export const BIOS_END = 0x00100000;
export const ISA_END_ADDRESS = 0x00100000;
/** HIGH_MEMORY: where the fake BIOS-88/e801 map starts its second RAM range. */
export const HIGH_MEMORY = 0x00100000;
/** LOWMEMSIZE(): 640 KiB of conventional memory in the fake map. */
export const LOWMEMSIZE = 0x000a0000;

/**
 * The kernel's ULLONG_MAX, kept as 2^64 (the nearest number) like PHYS_ADDR_MAX. Range ends
 * clamped to it by e820__range_update()/e820__range_remove() print their last byte as
 * 0xfffffffffffffffe, as the kernel does.
 */
export const U64_MAX = 2 ** 64;

/** The two tables besides e820_table, and the `userdef` flag of e820.c: one boot's e820 state. */
export interface E820State {
  /** e820_table: the map the kernel massages and hands to memblock. */
  table: E820Table;
  /** e820_table_kexec: the firmware map plus setup_data reservations, for a kexec'd kernel. */
  kexec: E820Table;
  /** e820_table_firmware: the sanitized firmware map as the kernel received it. */
  firmware: E820Table;
  /** Set by mem= / memmap=: e820__finish_early_params() then prints the "user" map. */
  userdef: boolean;
}

export const e820TableNew = (entries: readonly E820Entry[] = []): E820Table => ({
  entries: entries.map((e) => ({ ...e })),
});

export const e820TableCopy = (t: E820Table): E820Table => e820TableNew(t.entries);

export const e820StateNew = (): E820State => ({
  table: e820TableNew(),
  kexec: e820TableNew(),
  firmware: e820TableNew(),
  userdef: false,
});
