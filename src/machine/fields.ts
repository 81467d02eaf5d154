// SPDX-License-Identifier: GPL-2.0-only
// The zod building blocks of the machine-file schema: byte counts, bounded integers and
// [start, end) ranges, each with a message that says what was expected and what was found.
import { z } from 'zod';
import { MAX_PHYS_ADDR } from '../include/pfn.js';
import { beyondPhysLimit, hex, memRange, parseBytes, SZ_4K } from './units.js';

export const SIZE_HINT = 'a size like 4G or 0x100000000';
export const ADDRESS_HINT = 'an address like 0x100000000 or 4G';

/** How an input value reads in a message: got "4Q", got 5, got a list, got nothing. */
export function describeInput(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

const expectGot = (hint: string, input: unknown): string =>
  input === undefined ? `missing: expected ${hint}` : `expected ${hint}, got ${describeInput(input)}`;

type ByteRole = 'address' | 'start' | 'end' | 'size';

/**
 * A byte count or address. `page`: must be a multiple of 4 KiB (everything meminit lays out
 * itself; e820 entries stay byte-exact like real firmware, whose maps end at 0x9fbff).
 * Sizes must be non-zero unless `zero` says 0 means "none".
 */
export function bytes(role: ByteRole, opts: { page: boolean; zero?: boolean }) {
  const hint = role === 'size' ? SIZE_HINT : ADDRESS_HINT;
  return z
    .union([z.number(), z.string()], { error: (iss) => expectGot(hint, iss.input) })
    .transform((v, ctx) => {
      const n = parseBytes(v);
      const fail = (message: string): never => {
        ctx.addIssue({ code: 'custom', message, input: v });
        return z.NEVER;
      };
      if (n === undefined) return fail(expectGot(hint, v));
      if (role === 'size' ? n > MAX_PHYS_ADDR : n >= MAX_PHYS_ADDR)
        return fail(`${hex(n)} is at or beyond 2^52 (${hex(MAX_PHYS_ADDR)}), the largest physical address`);
      if (role === 'size' && n === 0 && !opts.zero) return fail('expected a non-zero size, got 0');
      if (opts.page && n % SZ_4K !== 0) {
        if (role === 'size') return fail(`${hex(n)} is not a multiple of 4 KiB (memory comes in 4 KiB pages)`);
        // Copying an inclusive end from a boot log ("…-0x13fffffff") is the usual slip.
        const hintEnd = role === 'end' && (n + 1) % SZ_4K === 0 ? `; end is exclusive, did you mean ${hex(n + 1)}?` : '';
        return fail(`${hex(n)} is not 4 KiB aligned (memory ranges must start and end on a 4 KiB page boundary${hintEnd})`);
      }
      return n;
    });
}

/** An integer in [min, max], e.g. intIn(0, 1023, 'a node id'). */
export function intIn(min: number, max: number, what: string) {
  const hint = `${what} from ${min} to ${max}`;
  return z.number({ error: (iss) => expectGot(hint, iss.input) }).transform((v, ctx) => {
    if (Number.isInteger(v) && v >= min && v <= max) return v;
    ctx.addIssue({ code: 'custom', message: `expected ${hint}, got ${v}`, input: v });
    return z.NEVER;
  });
}

/**
 * A strict mapping with `start` and either `size` or `end` (exclusive) plus `extra` keys,
 * turned into `{ start, end, …extra }`.
 */
export function ranged<T extends z.ZodRawShape>(extra: T, page: boolean) {
  return z
    .strictObject({
      start: bytes('start', { page }),
      size: bytes('size', { page }).optional(),
      end: bytes('end', { page }).optional(),
      ...extra,
    })
    .transform((r, ctx) => {
      const { start, size, end: givenEnd, ...rest } = r as { start: number; size?: number; end?: number };
      const fail = (path: string[], message: string): never => {
        ctx.addIssue({ code: 'custom', message, path, input: r });
        return z.NEVER;
      };
      if (size === undefined && givenEnd === undefined) return fail([], 'expected size or end next to start');
      if (size !== undefined && givenEnd !== undefined) return fail([], 'give size or end, not both');
      const end = givenEnd ?? start + size!;
      if (end <= start) return fail(['end'], `${hex(end)} is not above start ${hex(start)}`);
      const beyond = beyondPhysLimit(end);
      if (beyond) return fail([size === undefined ? 'end' : 'size'], `${memRange(start, end)} ${beyond}`);
      return { ...(rest as z.output<z.ZodObject<T>>), start, end };
    });
}
