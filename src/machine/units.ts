// SPDX-License-Identifier: GPL-2.0-only
// Sizes and addresses the way machine files spell them (4096, "0x1000", "4K", "3.5G") and the
// way messages print them back.
import { MAX_PHYS_ADDR } from '../include/pfn.js';

/** memparse() suffixes, case-insensitive; an optional "iB"/"B" after them is accepted too. */
const UNIT: Readonly<Record<string, number>> = {
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60,
};

export const SZ_4K = 0x1000;
export const SZ_64K = 0x10000;
export const SZ_2M = 0x200000;
export const SZ_4G = 0x100000000;

/**
 * Bytes in one spelling of a size or address, or undefined if it is none:
 * 4096, "4096", "0x1000", "4K", "4KiB", "3.5G" (a fraction only when it makes whole bytes).
 */
export function parseBytes(v: number | string): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const s = v.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return Number(BigInt(s));
  if (/^[0-9]+$/.test(s)) return Number(s);
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([kmgtpe])(?:i?b)?$/i.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]) * UNIT[m[2]!.toLowerCase()]!;
  return Number.isInteger(n) ? n : undefined;
}

export const hex = (n: number): string => `0x${n.toString(16)}`;

/** The largest unit that divides n exactly, as memparse() reads it back: "512M", "1G", else hex. */
export function sizeString(n: number): string {
  for (const u of ['E', 'P', 'T', 'G', 'M', 'K']) {
    const unit = UNIT[u.toLowerCase()]!;
    if (n >= unit && n % unit === 0) return `${n / unit}${u}`;
  }
  return hex(n);
}

/** "[mem 0x1000-0x1fff]": the kernel's inclusive spelling of [start, end). */
export const memRange = (start: number, end: number): string => `[mem ${hex(start)}-${hex(end - 1)}]`;

/** Why a value is out of range, or undefined: the one limit every address obeys. */
export const beyondPhysLimit = (end: number): string | undefined =>
  end > MAX_PHYS_ADDR ? `reaches beyond 2^52 (${hex(MAX_PHYS_ADDR)}), the largest physical address` : undefined;
