// SPDX-License-Identifier: GPL-2.0-only
// Lines kernel/power/snapshot.c prints (pr_fmt "PM: hibernation: ") that meminit emits.
import { PAGE_SIZE } from '../../include/pfn.js';
import { lineFormat } from '../format.js';
import { hexAlt, parseHex } from '../printk.js';

/**
 * register_nosave_region(): "PM: hibernation: Registered nosave memory: [mem 0x0009f000-0x000fffff]",
 * the pfn range [startPfn, endPfn) of the call (not of the region it may have extended).
 */
export const nosaveRegistered = lineFormat<{ startPfn: number; endPfn: number }>(
  'power.nosave', 'register_nosave_region',
  /^PM: hibernation: Registered nosave memory: \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]$/,
  (m) => ({ startPfn: parseHex(m[1]!) / PAGE_SIZE, endPfn: (parseHex(m[2]!) + 1) / PAGE_SIZE }),
  (v) => `PM: hibernation: Registered nosave memory: [mem ${hexAlt(v.startPfn * PAGE_SIZE, 10)}-${hexAlt(v.endPfn * PAGE_SIZE - 1, 10)}]`,
);
