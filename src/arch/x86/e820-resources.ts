// SPDX-License-Identifier: GPL-2.0-only
// e820__reserve_resources() (arch/x86/kernel/e820.c): a struct resource for every entry of
// e820_table (the kernel's map, after mem=/memmap= and the page-0/BIOS-window trims), then the
// untouched firmware map (e820_table_firmware) exported to /sys/firmware/memmap.
import { SMP_CACHE_BYTES } from '../../include/memblock.js';
import { RESOURCE_SIZE } from '../../include/ioport.js';
import { firmwareMapAddEarly } from '../../drivers/firmware/memmap.js';
import type { Machine } from '../../kernel/machine.js';
import { panicAllocFailed } from '../../kernel/panic.js';
import { memblockAlloc } from '../../mm/memblock.js';

/** The e820_res array: one 64-byte resource per e820_table entry, whatever its type; 9 entries → 576. */
export const e820ResourcesSize = (nrEntries: number): number => RESOURCE_SIZE * nrEntries;

/**
 * Mirrors e820__reserve_resources(): the e820_res array (which resources go in the iomem tree
 * now and which wait for e820__reserve_resources_late() is not modelled), then
 * firmware_map_add_early() for each e820_table_firmware entry.
 */
export function e820ReserveResources(m: Machine): void {
  const { table, firmware } = m.e820!;
  const size = e820ResourcesSize(table.entries.length);
  if (!memblockAlloc(m.memblock!, size, SMP_CACHE_BYTES, 'e820__reserve_resources')) panicAllocFailed('e820__reserve_resources', size);
  for (const e of firmware.entries) firmwareMapAddEarly(m, e.addr, e.addr + e.size, e.type);
}
