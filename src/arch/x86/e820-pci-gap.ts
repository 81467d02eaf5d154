// SPDX-License-Identifier: GPL-2.0-only
// e820__setup_pci_gap() (arch/x86/kernel/e820.c): the biggest hole in e820_table below 4 GiB
// becomes pci_mem_start, where PCI BARs the firmware left unassigned get placed.
import { PAGE_SIZE, SZ_1M } from '../../include/pfn.js';
import type { Machine } from '../../kernel/machine.js';
import { fmtE820NoPciGap, fmtE820NoPciGapWarn, fmtE820PciGap } from '../../trace/formats/e820.js';
import type { E820Table } from './e820-types.js';

/** MAX_GAP_END: the search stops at 4 GiB. */
export const MAX_GAP_END = 0x100000000;
/** The smallest gap e820__setup_pci_gap() takes. */
export const MIN_PCI_GAP = 0x400000;

/**
 * Mirrors e820_search_gap(): walk the table from the top, keeping the lowest start seen; the
 * largest gap of at least minSize between an entry's end and that start wins, the lower one on a
 * tie. Example, q35 with 2 GiB: entries ending at 0x80000000 and 0xc0000000, next starts
 * 0xb0000000 and 0xfed1c000 → [0xc0000000, 0xfed1c000).
 */
export function e820SearchGap(table: E820Table, minSize: number): { start: number; size: number } | undefined {
  let last = MAX_GAP_END;
  let best: { start: number; size: number } | undefined;
  let size = minSize;
  for (let i = table.entries.length - 1; i >= 0; i--) {
    const e = table.entries[i]!;
    const end = e.addr + e.size;
    if (last > end && last - end >= size) {
      size = last - end;
      best = { start: end, size };
    }
    if (e.addr < last) last = e.addr;
  }
  return best;
}

/** Mirrors e820__setup_pci_gap(): with no gap, 4 MiB from 1 MiB above max_pfn, and two errors. */
export function e820SetupPciGap(m: Machine): number {
  let gap = e820SearchGap(m.e820!.table, MIN_PCI_GAP);
  if (!gap) {
    gap = { start: m.maxPfn * PAGE_SIZE + SZ_1M, size: MIN_PCI_GAP };
    m.printk.emit(fmtE820NoPciGap, true);
    m.printk.emit(fmtE820NoPciGapWarn, true);
  }
  m.printk.emit(fmtE820PciGap, { start: gap.start, end: gap.start + gap.size });
  return gap.start;
}
