// SPDX-License-Identifier: GPL-2.0-only
// Hibernation's nosave regions (kernel/power/snapshot.c): page ranges the snapshot must not
// save, registered at boot from the holes of the firmware map, each in a memblock allocation.
import { SMP_CACHE_BYTES } from '../../include/memblock.js';
import type { Machine } from '../machine.js';
import { panicAllocFailed } from '../panic.js';
import { memblockAlloc } from '../../mm/memblock.js';
import { nosaveRegistered } from '../../trace/formats/power.js';

/** sizeof(struct nosave_region): a list head and two pfns. */
export const NOSAVE_REGION_SIZE = 32;

/** One nosave region, pfns [startPfn, endPfn). */
export interface NosaveRegion {
  startPfn: number;
  endPfn: number;
}

/**
 * Mirrors register_nosave_region(): an empty range is ignored; a range that starts where the
 * last region ends extends it without allocating; otherwise a new region is allocated. Both
 * print the range asked for. Example: [0x0, 0x1) then [0x1, 0x10) → one region [0x0, 0x10), one
 * allocation, two lines.
 */
export function registerNosaveRegion(m: Machine, startPfn: number, endPfn: number): void {
  if (startPfn >= endPfn) return;
  const regions = (m.nosaveRegions ??= []);
  const last = regions[regions.length - 1];
  if (last && last.endPfn === startPfn) {
    last.endPfn = endPfn;
  } else {
    if (!memblockAlloc(m.memblock!, NOSAVE_REGION_SIZE, SMP_CACHE_BYTES, 'register_nosave_region')) {
      panicAllocFailed('register_nosave_region', NOSAVE_REGION_SIZE);
    }
    regions.push({ startPfn, endPfn });
  }
  m.printk.emit(nosaveRegistered, { startPfn, endPfn });
}
