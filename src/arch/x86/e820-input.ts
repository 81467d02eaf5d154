// SPDX-License-Identifier: GPL-2.0-only
// Checking a firmware map before it is booted: entries given as numbers, or e820 lines pasted
// from a boot log. Errors name the line and the field, so a machine file can be fixed by hand.
import { MAX_PHYS_ADDR } from '../../include/pfn.js';
import { fmtE820Entry, fmtE820MapHeader } from '../../trace/formats/e820.js';
import { parseHex } from '../../trace/printk.js';
import type { E820Entry } from './e820-types.js';

export interface E820InputError {
  /** 1-based line of the text, or 1-based entry index for numeric input. */
  line: number;
  field: 'start' | 'end' | 'addr' | 'size' | 'type' | 'text';
  message: string;
}

const isNatural = (v: number): boolean => Number.isInteger(v) && v >= 0;
const hex = (v: number): string => '0x' + v.toString(16);

/**
 * Problems of firmware entries given as numbers: non-integers, negative values, empty ranges
 * (the kernel would drop them silently), ranges reaching 2^52, types outside u32 or 0.
 */
export function e820CheckEntries(entries: readonly E820Entry[]): E820InputError[] {
  const errors: E820InputError[] = [];
  entries.forEach((e, i) => {
    const line = i + 1;
    const fail = (field: E820InputError['field'], message: string): void => {
      errors.push({ line, field, message });
    };
    if (!isNatural(e.addr)) fail('addr', `addr ${e.addr} is not a non-negative integer`);
    else if (e.addr >= MAX_PHYS_ADDR) fail('addr', `addr ${hex(e.addr)} is at or beyond 2^52`);
    else if (!isNatural(e.size)) fail('size', `size ${e.size} is not a non-negative integer`);
    else if (e.size === 0) fail('size', `empty range (size 0) at ${hex(e.addr)}`);
    else if (e.addr + e.size > MAX_PHYS_ADDR) fail('size', `range from ${hex(e.addr)} of size ${hex(e.size)} reaches beyond 2^52`);
    if (!Number.isInteger(e.type) || e.type <= 0 || e.type > 0xffffffff) {
      fail('type', `type ${e.type} is not a u32 e820 type (1 usable, 2 reserved, …)`);
    }
  });
  return errors;
}

/** A timestamp "[    0.000000] " that dmesg puts before each line. */
const TIMESTAMP = /^\[\s*\d+\.\d+\]\s?/;
/** Any "who: [mem A-B] label" line, loose enough to say what is wrong with it. */
const LOOSE_LINE = /^([^:[\]]*): \[mem ([^\]-]*)-([^\]]*)\]\s*(.*)$/;
const STRICT_HEX = /^0x[0-9a-fA-F]{1,16}$/;

export interface E820MapText {
  entries: E820Entry[];
  errors: E820InputError[];
}

type Field = E820InputError['field'];

/** Why a line shaped like an e820 line did not parse: the first bad field. */
function diagnose(m: RegExpExecArray): { field: Field; message: string } {
  if (!STRICT_HEX.test(m[2]!)) return { field: 'start', message: `start "${m[2]}" is not 0x-prefixed hex of at most 16 digits` };
  if (!STRICT_HEX.test(m[3]!)) return { field: 'end', message: `end "${m[3]}" is not 0x-prefixed hex of at most 16 digits` };
  if (parseHex(m[2]!) >= MAX_PHYS_ADDR) return { field: 'start', message: `start ${m[2]} is at or beyond 2^52` };
  if (parseHex(m[3]!) >= MAX_PHYS_ADDR) return { field: 'end', message: `end ${m[3]} is at or beyond 2^52` };
  if (parseHex(m[3]!) < parseHex(m[2]!)) return { field: 'end', message: `end ${m[3]} is below start ${m[2]}` };
  return { field: 'type', message: `unknown e820 type label "${m[4]}"` };
}

export interface E820MapTextOptions {
  /** Which map to read: "BIOS-e820" (default), "user", "modified"… */
  who?: string;
  /** Skip lines that are not e820 map lines (a whole dmesg) instead of reporting them. */
  skipOtherLines?: boolean;
}

/**
 * Read the `who` lines of e820__print_table() output, e.g. pasted from dmesg: timestamps,
 * blank lines, map headers and other maps' lines are skipped; other text is an error unless
 * `skipOtherLines`.
 */
export function e820ParseMapText(text: string, opts: E820MapTextOptions = {}): E820MapText {
  const who = opts.who ?? 'BIOS-e820';
  const entries: E820Entry[] = [];
  const errors: E820InputError[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const s = raw.replace(TIMESTAMP, '').trimEnd();
    if (s.trim() === '' || fmtE820MapHeader.parse(s) !== undefined) return;
    const v = fmtE820Entry.parse(s);
    if (v) {
      if (v.who !== who) return;
      const entry = { addr: v.addr, size: v.size, type: v.type };
      const problems = e820CheckEntries([entry]);
      if (problems.length === 0) entries.push(entry);
      // Numeric fields map to the printed ones: addr is the start, size shows in the end.
      for (const p of problems) errors.push({ line, field: p.field === 'addr' ? 'start' : p.field === 'size' ? 'end' : p.field, message: p.message });
      return;
    }
    const m = LOOSE_LINE.exec(s);
    if (m) {
      if (m[1] === who) errors.push({ line, ...diagnose(m) });
    } else if (!opts.skipOtherLines) {
      errors.push({ line, field: 'text', message: `not an e820 map line: "${s}"` });
    }
  });
  return { entries, errors };
}
