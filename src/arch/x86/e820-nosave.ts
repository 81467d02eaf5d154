// SPDX-License-Identifier: GPL-2.0-only
// e820__register_nosave_regions() (arch/x86/kernel/e820.c): everything in e820_table that is not
// RAM, below max_pfn, becomes a hibernation nosave region.
import { pfnDown, pfnUp } from '../../include/pfn.js';
import type { Machine } from '../../kernel/machine.js';
import { registerNosaveRegion } from '../../kernel/power/snapshot.js';
import { E820Type, type E820Table } from './e820-types.js';

/**
 * The [startPfn, endPfn) ranges e820__register_nosave_regions() registers, in order: the gap
 * before each RAM (or kernel-reserved RAM) entry, widened to whole pages, and the tail from the
 * last RAM byte to limitPfn. Example, q35 with 2 GiB: RAM [0x1000, 0x9fc00) and
 * [0x100000, 0x7ffe0000), limit 0x7ffe0 → [0x0, 0x1), [0x9f, 0x100), [0x7ffe0, 0x7ffe0) (empty).
 */
export function e820NosaveRanges(table: E820Table, limitPfn: number): [number, number][] {
  const out: [number, number][] = [];
  let lastAddr = 0;
  for (const e of table.entries) {
    if (e.type !== E820Type.RAM && e.type !== E820Type.RESERVED_KERN) continue;
    if (lastAddr < e.addr) out.push([pfnDown(lastAddr), pfnUp(e.addr)]);
    lastAddr = e.addr + e.size;
  }
  out.push([pfnDown(lastAddr), limitPfn]);
  return out;
}

/** Mirrors e820__register_nosave_regions(limit_pfn); setup_arch() passes max_pfn. */
export function e820RegisterNosaveRegions(m: Machine, limitPfn: number): void {
  for (const [start, end] of e820NosaveRanges(m.e820!.table, limitPfn)) registerNosaveRegion(m, start, end);
}
