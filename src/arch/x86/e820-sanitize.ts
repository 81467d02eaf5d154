// SPDX-License-Identifier: GPL-2.0-only
// The e820 sanitizer (e820__update_table() in arch/x86/kernel/e820.c): turn any list of
// possibly overlapping, unordered entries into a sorted map without overlaps, where
// overlapping ranges take the highest type number and touching ranges of one type merge.
//
//   input (types 1, 2):   11111111____      output:  1111________
//                         ____22______                ____22______
//                         _________111                ______11_111
//
// (the two RAM pieces around the gap at 8 stay apart: only touching ranges merge).
import { E820_MAX_ENTRIES, E820Type, type E820Entry, type E820Table, U64_MAX } from './e820-types.js';

/** PRAM and soft-reserved ranges may mark node or device boundaries: never merged (e820_nomerge()). */
const e820Nomerge = (type: number): boolean => type === E820Type.PRAM || type === E820Type.SOFT_RESERVED;

/** struct change_member: one start or end of an entry. */
interface ChangePoint {
  addr: number;
  entry: E820Entry;
}

const isEndPoint = (cp: ChangePoint): boolean => cp.addr !== cp.entry.addr;

/**
 * cpcompare(): by address; at one address starts come before ends, so a range that ends
 * where a same-type range starts never closes (that is what merges touching ranges).
 */
function cpcompare(a: ChangePoint, b: ChangePoint): number {
  if (a.addr !== b.addr) return a.addr > b.addr ? 1 : -1;
  return Number(isEndPoint(a)) - Number(isEndPoint(b));
}

/**
 * Mirrors e820__update_table(): returns -1 and leaves the table alone when it has fewer than
 * two entries or an entry wraps past 2^64, else rewrites it and returns 0. Zero-sized (and
 * removed, type 0) entries disappear. The output holds at most E820_MAX_ENTRIES entries; the
 * kernel silently drops the rest, and so does this.
 */
export function e820UpdateTable(table: E820Table): number {
  const entries = table.entries;
  if (entries.length < 2) return -1;
  if (entries.length > E820_MAX_ENTRIES) throw new Error(`e820 table holds ${entries.length} entries (max ${E820_MAX_ENTRIES})`);
  for (const e of entries) if (e.addr + e.size >= U64_MAX && e.size !== 0) return -1;

  const points: ChangePoint[] = [];
  for (const entry of entries) {
    if (entry.size === 0) continue;
    points.push({ addr: entry.addr, entry }, { addr: entry.addr + entry.size, entry });
  }
  // The kernel's heapsort is not stable, but the result cannot depend on the order of equal
  // points: they share an address, and only the type after the last of them matters.
  points.sort(cpcompare);

  const overlap: E820Entry[] = [];
  const out: E820Entry[] = [];
  let pending: E820Entry | undefined;
  let lastType = 0;
  for (const cp of points) {
    if (!isEndPoint(cp)) overlap.push(cp.entry);
    else overlap.splice(overlap.indexOf(cp.entry), 1);

    let currentType = 0;
    for (const e of overlap) if (e.type > currentType) currentType = e.type;
    if (currentType === lastType && !e820Nomerge(currentType)) continue;

    // Close the open entry at this point; an empty one (several points at one address) is dropped.
    if (lastType !== 0 && pending) {
      pending.size = cp.addr - pending.addr;
      if (pending.size !== 0) {
        out.push(pending);
        if (out.length >= E820_MAX_ENTRIES) break;
      }
      pending = undefined;
    }
    if (currentType !== 0) pending = { addr: cp.addr, size: 0, type: currentType };
    lastType = currentType;
  }

  table.entries = out;
  return 0;
}
