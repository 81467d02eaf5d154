// printk number formats used by the memory-setup lines, and their inverses.
// Every kernel text format is declared once (see formats/) through these helpers,
// so emitting and parsing cannot drift apart.
import { PHYS_ADDR_MAX } from '../include/pfn.js';

const TWO_64 = 2 ** 64;

/** Lowercase hex of a non-negative integer up to 2^64 (2^64 itself prints as ~0). */
export function hex(v: number): string {
  if (v >= TWO_64) return 'ffffffffffffffff';
  return v.toString(16);
}

/** %#0NLx / %0Nllx: hex zero-padded to `digits` digits, with or without the 0x prefix. */
export function hexPad(v: number, digits: number, prefix = true): string {
  return (prefix ? '0x' : '') + hex(v).padStart(digits, '0');
}

/** %pa on x86_64 (phys_addr_t: 0x + 16 digits). "0x1000 → 0x0000000000001000" */
export const pa = (v: number): string => hexPad(v, 16);

/**
 * The kernel's %#0<width>Lx: "0x" then at least width-2 digits. Unlike C libraries, the kernel
 * prints the 0x prefix for zero too ("%#010Lx" of 0 → "0x00000000", "%#lx" of 0 → "0x0").
 */
export const hexAlt = (v: number, width = 0): string => '0x' + hex(v).padStart(Math.max(width - 2, 1), '0');

/**
 * Parse hex text (with or without 0x) into a number. Values beyond 2^53 lose precision, so
 * anything at or above 2^60 is taken as the all-ones sentinel PHYS_ADDR_MAX; callers reject
 * addresses at or beyond 2^52 where they matter.
 */
export function parseHex(s: string): number {
  const t = s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s;
  if (!/^[0-9a-fA-F]+$/.test(t)) return NaN;
  const trimmed = t.replace(/^0+(?=.)/, '');
  if (trimmed.length > 16) return NaN;
  if (trimmed.length === 16 && trimmed[0]! >= '1') {
    const v = BigInt('0x' + trimmed);
    if (v >= 1n << 60n) return PHYS_ADDR_MAX;
    return Number(v);
  }
  return parseInt(trimmed, 16);
}

/** Parse decimal text strictly ("12" → 12, "1x" → NaN). */
export function parseDec(s: string): number {
  return /^-?\d+$/.test(s) ? Number(s) : NaN;
}
