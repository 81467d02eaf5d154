// SPDX-License-Identifier: GPL-2.0-only
// Number formatting for the page: pfns and addresses in hex, sizes in binary units.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

export const hex = (n: number): string => `0x${n.toString(16)}`;

/** 1536 → "1.5 KiB", 2^30 → "1 GiB": at most three significant digits. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${parseFloat(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2))} ${units[u]}`;
}

/**
 * An axis label for address `a` on ticks `step` bytes apart, exact in the largest unit the step
 * allows at most four binary places in: 7.625 GiB on 128 MiB ticks, 7840 MiB on 32 MiB ticks.
 */
export function tickLabel(a: number, step: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let u = units.length - 1;
  while (u > 0 && step < 1024 ** u / 16) u--;
  return `${parseFloat((a / 1024 ** u).toFixed(4))} ${units[u]}`;
}

export const pagesToBytes = (pages: number): string => bytes(pages * PAGE_SIZE);

/** 1234567 → "1 234 567". */
export const count = (n: number): string => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');

export const ms = (t: number): string => (t >= 100 ? `${t.toFixed(0)} ms` : t >= 1 ? `${t.toFixed(1)} ms` : `${(t * 1000).toFixed(0)} µs`);

/** A pfn with its physical address: "0x9f (phys 0x9f000)". */
export const pfnWithPhys = (pfn: number): string => `${hex(pfn)} (phys ${hex(pfn * PAGE_SIZE)})`;
