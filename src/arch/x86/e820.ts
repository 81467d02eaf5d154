// SPDX-License-Identifier: GPL-2.0-only
// The e820 table operations of arch/x86/kernel/e820.c: add, update, remove, the lookups, the
// printed maps, and the end-of-RAM pfn. The sanitizer lives in e820-sanitize.ts.
import type { Printk } from '../../kernel/printk.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../../include/pfn.js';
import {
  fmtE820Entry,
  fmtE820LastPfn,
  fmtE820MapHeader,
  fmtE820Remove,
  fmtE820TooMany,
  fmtE820Update,
  type E820MapHeader,
} from '../../trace/formats/e820.js';
import { E820_MAX_ENTRIES, E820Type, type E820Table, U64_MAX } from './e820-types.js';
import { e820UpdateTable } from './e820-sanitize.js';

/** [start, start + size) clamped to ULLONG_MAX, as update/remove do before printing. */
function clampRange(start: number, size: number): { size: number; end: number } {
  if (start + size >= U64_MAX) return { size: U64_MAX - start, end: U64_MAX };
  return { size, end: start + size };
}

/** Mirrors __e820__range_add(): append one entry, or complain when the table is full. */
export function e820RangeAdd(table: E820Table, start: number, size: number, type: number, log: Printk): void {
  if (table.entries.length >= E820_MAX_ENTRIES) {
    log.emit(fmtE820TooMany, { start, end: start + size });
    return;
  }
  table.entries.push({ addr: start, size, type });
}

/**
 * Mirrors __e820__range_update(): retype the `oldType` parts of [start, start + size) to
 * `newType`, appending the pieces it splits off (the table needs e820UpdateTable() after).
 * Returns the number of bytes retyped. The loop also visits the entries it appends, as the
 * kernel's does. A range inside one entry splits it in three:
 *
 *   before  [0]   RRRRRRRRRRRR      range [s, e) in the middle of entry 0
 *   after   [0]   RRRR________      the head stays in place
 *           [n]   ____NNNN____      appended: the range, new type
 *           [n+1] ________RRRR      appended: the tail, old type
 */
export function e820RangeUpdate(
  table: E820Table,
  start: number,
  size: number,
  oldType: number,
  newType: number,
  log: Printk,
): number {
  if (oldType === newType) throw new Error(`e820__range_update: old and new type are both ${oldType} (kernel BUG_ON)`);
  const r = clampRange(start, size);
  size = r.size;
  const end = r.end;
  log.emit(fmtE820Update, { start, end, oldType, newType });

  let updated = 0;
  const entries = table.entries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.type !== oldType) continue;
    const entryEnd = entry.addr + entry.size;

    if (entry.addr >= start && entryEnd <= end) {
      entry.type = newType;
      updated += entry.size;
      continue;
    }
    if (entry.addr < start && entryEnd > end) {
      e820RangeAdd(table, start, size, newType, log);
      e820RangeAdd(table, end, entryEnd - end, entry.type, log);
      entry.size = start - entry.addr;
      updated += size;
      continue;
    }
    const finalStart = Math.max(start, entry.addr);
    const finalEnd = Math.min(end, entryEnd);
    if (finalStart >= finalEnd) continue;
    e820RangeAdd(table, finalStart, finalEnd - finalStart, newType, log);
    updated += finalEnd - finalStart;
    // What is left is a head or a tail of the entry: shrink first, then move a tail's start.
    entry.size -= finalEnd - finalStart;
    if (entry.addr < finalStart) continue;
    entry.addr = finalEnd;
  }
  return updated;
}

/**
 * Mirrors e820__range_remove(): cut [start, start + size) out of the entries (only those of
 * `oldType` when `checkType`). Fully covered entries are zeroed in place, not dropped, until
 * the next e820UpdateTable(). Returns the number of bytes removed.
 */
export function e820RangeRemove(
  table: E820Table,
  start: number,
  size: number,
  oldType: number,
  checkType: boolean,
  log: Printk,
): number {
  const r = clampRange(start, size);
  size = r.size;
  const end = r.end;
  log.emit(fmtE820Remove, checkType ? { start, end, type: oldType } : { start, end });

  let removed = 0;
  const entries = table.entries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (checkType && entry.type !== oldType) continue;
    const entryEnd = entry.addr + entry.size;

    if (entry.addr >= start && entryEnd <= end) {
      removed += entry.size;
      entry.addr = 0;
      entry.size = 0;
      entry.type = 0;
      continue;
    }
    if (entry.addr < start && entryEnd > end) {
      e820RangeAdd(table, end, entryEnd - end, entry.type, log);
      entry.size = start - entry.addr;
      removed += size;
      continue;
    }
    const finalStart = Math.max(start, entry.addr);
    const finalEnd = Math.min(end, entryEnd);
    if (finalStart >= finalEnd) continue;
    removed += finalEnd - finalStart;
    entry.size -= finalEnd - finalStart;
    if (entry.addr < finalStart) continue;
    entry.addr = finalEnd;
  }
  return removed;
}

/** Mirrors _e820__mapped_any(): does any entry (of `type`, unless 0) touch [start, end)? */
export function e820MappedAny(table: E820Table, start: number, end: number, type: number): boolean {
  return table.entries.some((e) => (type === 0 || e.type === type) && e.addr < end && e.addr + e.size > start);
}

/**
 * Mirrors __e820__mapped_all(): the entry that completes the cover of [start, end) by entries
 * of `type` (any type when 0), walking in table order, or undefined. Needs a sanitized table.
 */
function e820MappedAllEntry(table: E820Table, start: number, end: number, type: number) {
  for (const entry of table.entries) {
    if (type !== 0 && entry.type !== type) continue;
    if (entry.addr >= end || entry.addr + entry.size <= start) continue;
    if (entry.addr <= start) start = entry.addr + entry.size;
    if (start >= end) return entry;
  }
  return undefined;
}

/** Mirrors e820__mapped_all(). */
export const e820MappedAll = (table: E820Table, start: number, end: number, type: number): boolean =>
  e820MappedAllEntry(table, start, end, type) !== undefined;

/** Mirrors e820__get_entry_type(): the type covering all of [start, end), or -EINVAL (-22). */
export const e820GetEntryType = (table: E820Table, start: number, end: number): number =>
  e820MappedAllEntry(table, start, end, 0)?.type ?? -22;

/** Mirrors e820__print_table(): one line per entry, prefixed with `who`. */
export function e820PrintTable(table: E820Table, who: string, log: Printk): void {
  for (const e of table.entries) log.emit(fmtE820Entry, { who, addr: e.addr, size: e.size, type: e.type });
}

/** A header line and the map below it, the pair every caller of e820__print_table() prints. */
export function e820PrintMap(table: E820Table, header: E820MapHeader, who: string, log: Printk): void {
  log.emit(fmtE820MapHeader, header);
  e820PrintTable(table, who, log);
}

/** Mirrors e820__update_table_print(): sanitize, and print the "modified" map when it changed anything. */
export function e820UpdateTablePrint(table: E820Table, log: Printk): void {
  if (e820UpdateTable(table) !== 0) return;
  e820PrintMap(table, 'modified', 'modified', log);
}

/**
 * MAX_ARCH_PFN on x86_64: MAXMEM >> PAGE_SHIFT, with MAX_PHYSMEM_BITS 46 under 4-level paging
 * (0x400000000) and 52 when the CPU runs 5-level paging (0x10000000000).
 */
export const maxArchPfn = (la57 = false): number => 2 ** ((la57 ? 52 : 46) - PAGE_SHIFT);

/**
 * Mirrors e820_end_pfn(): the end pfn of the highest `type` entry below `limitPfn`, capped at
 * MAX_ARCH_PFN, printed as "last_pfn = … max_arch_pfn = …". Relies on a sorted table: the
 * first entry crossing the limit ends the walk.
 */
function e820EndPfn(table: E820Table, limitPfn: number, type: number, archPfn: number, log: Printk): number {
  let lastPfn = 0;
  for (const e of table.entries) {
    if (e.type !== type) continue;
    const startPfn = Math.floor(e.addr / PAGE_SIZE);
    const endPfn = Math.floor((e.addr + e.size) / PAGE_SIZE);
    if (startPfn >= limitPfn) continue;
    if (endPfn > limitPfn) {
      lastPfn = limitPfn;
      break;
    }
    if (endPfn > lastPfn) lastPfn = endPfn;
  }
  if (lastPfn > archPfn) lastPfn = archPfn;
  log.emit(fmtE820LastPfn, { lastPfn, maxArchPfn: archPfn });
  return lastPfn;
}

/** Mirrors e820__end_of_ram_pfn(): max_pfn. */
export const e820EndOfRamPfn = (table: E820Table, log: Printk, la57 = false): number =>
  e820EndPfn(table, maxArchPfn(la57), E820Type.RAM, maxArchPfn(la57), log);

/** Mirrors e820__end_of_low_ram_pfn(): max_low_pfn, RAM below 4 GiB. */
export const e820EndOfLowRamPfn = (table: E820Table, log: Printk, la57 = false): number =>
  e820EndPfn(table, 2 ** (32 - PAGE_SHIFT), E820Type.RAM, maxArchPfn(la57), log);

/** One call e820__memblock_setup() makes for an entry. */
export interface E820MemblockOp {
  op: 'add' | 'reserve';
  base: number;
  size: number;
}

/**
 * The memblock calls e820__memblock_setup() makes, in table order: RAM and RESERVED_KERN go to
 * memblock.memory, SOFT_RESERVED to memblock.reserved (and not to memory, so the page
 * allocator never sees it), every other type nowhere.
 */
export function e820MemblockOps(table: E820Table): E820MemblockOp[] {
  const ops: E820MemblockOp[] = [];
  for (const e of table.entries) {
    if (e.type === E820Type.SOFT_RESERVED) ops.push({ op: 'reserve', base: e.addr, size: e.size });
    if (e.type === E820Type.RAM || e.type === E820Type.RESERVED_KERN) ops.push({ op: 'add', base: e.addr, size: e.size });
  }
  return ops;
}
