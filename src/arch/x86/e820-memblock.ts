// SPDX-License-Identifier: GPL-2.0-only
// e820__memblock_setup() (arch/x86/kernel/e820.c): hand the final e820 table to memblock.
import { PAGE_SIZE } from '../../include/pfn.js';
import {
  type Memblock,
  memblockAdd,
  memblockAllowResize,
  memblockDumpAll,
  memblockReserve,
  memblockTrimMemory,
} from '../../mm/memblock.js';
import { e820MemblockOps } from './e820.js';
import type { E820Table } from './e820-types.js';

/** The %pS of the memblock=debug trace lines, without the build-specific offset. */
const CALLER = 'e820__memblock_setup';

/**
 * Mirrors e820__memblock_setup(): let memblock grow its arrays (EFI maps may exceed 128
 * entries), add the usable entries to memblock.memory and reserve the soft-reserved ones,
 * trim memory regions to whole pages ("0x1000-0x9fbff" becomes "0x1000-0x9efff"), and dump
 * memblock under memblock=debug.
 */
export function e820MemblockSetup(mb: Memblock, table: E820Table): void {
  memblockAllowResize(mb);
  for (const { op, base, size } of e820MemblockOps(table)) {
    if (op === 'add') memblockAdd(mb, base, size, CALLER);
    else memblockReserve(mb, base, size, CALLER);
  }
  memblockTrimMemory(mb, PAGE_SIZE);
  memblockDumpAll(mb);
}
