// SPDX-License-Identifier: GPL-2.0-only
// The firmware memory map of /sys/firmware/memmap (drivers/firmware/memmap.c): at boot, one
// memblock-allocated entry per range of the map the firmware handed over.
import { SMP_CACHE_BYTES } from '../../include/memblock.js';
import type { Machine } from '../../kernel/machine.js';
import { memblockAlloc } from '../../mm/memblock.js';

/** sizeof(struct firmware_map_entry): start, end, type, list head (16) and a kobject (64). */
export const FIRMWARE_MAP_ENTRY_SIZE = 104;

/** One /sys/firmware/memmap entry: [start, end) and the e820 type it was added with. */
export interface FirmwareMapEntry {
  start: number;
  end: number;
  type: number;
}

/**
 * Mirrors firmware_map_add_early(): allocate the entry from memblock and append it to the map;
 * a failed allocation only WARNs and drops the entry. `end` is exclusive here, as the caller
 * passes it (the kernel stores end - 1).
 */
export function firmwareMapAddEarly(m: Machine, start: number, end: number, type: number): boolean {
  if (!memblockAlloc(m.memblock!, FIRMWARE_MAP_ENTRY_SIZE, SMP_CACHE_BYTES, 'firmware_map_add_early')) return false;
  (m.firmwareMap ??= []).push({ start, end, type });
  return true;
}
