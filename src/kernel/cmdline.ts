// SPDX-License-Identifier: GPL-2.0-only
// Command-line primitives the kernel's parameter code is built on: next_arg() and parse_args()
// (kernel/params.c, lib/cmdline.c), simple_strtoull() (lib/vsprintf.c, lib/kstrtox.c),
// memparse(), parse_option_str(), kstrtobool() and sysfs_streq(). Positions are string
// indices where the kernel uses char pointers; numbers are u64 bigints, wrapping as in C.

/** isspace() of the kernel's Latin-1 ctype table: \t \n \v \f \r, space and NBSP (0xa0). */
export const isspace = (c: string | undefined): boolean =>
  c !== undefined && (c === ' ' || (c >= '\t' && c <= '\r') || c === '\u00a0');

/** skip_spaces(): the first index at or after `pos` that is not a space. */
export function skipSpaces(s: string, pos: number): number {
  while (isspace(s[pos])) pos++;
  return pos;
}

/** One "param" or "param=val" of the command line; `val` is undefined without '='. */
export interface KernelArg {
  param: string;
  val: string | undefined;
}

/**
 * Mirrors next_arg(): split off the argument at `pos`. Double quotes group spaces into one
 * argument and are dropped where the kernel drops them: a leading quote of the argument or of
 * the value, and a quote that ends the argument. Inner quotes stay.
 *   `foo="a b" bar` → param "foo", val "a b", next points at "bar".
 */
export function nextArg(args: string, pos: number): KernelArg & { next: number } {
  let start = pos;
  let inQuote = false;
  let quoted = false;
  if (args[start] === '"') {
    start++;
    inQuote = true;
    quoted = true;
  }
  let i = 0;
  let equals = 0;
  for (; start + i < args.length; i++) {
    const c = args[start + i]!;
    if (isspace(c) && !inQuote) break;
    // An '=' in first position leaves `equals` at 0, so a later '=' still counts (as in C).
    if (equals === 0 && c === '=') equals = i;
    if (c === '"') inQuote = !inQuote;
  }
  const stop = start + i;
  let end = stop;
  let val: string | undefined;
  let paramEnd = stop;
  if (equals !== 0) {
    paramEnd = start + equals;
    let valStart = paramEnd + 1;
    if (args[valStart] === '"') {
      valStart++;
      if (args[stop - 1] === '"') end = stop - 1;
    }
    if (quoted && i > 0 && end === stop && args[stop - 1] === '"') end = stop - 1;
    val = args.slice(valStart, Math.max(valStart, end));
  } else if (quoted && i > 0 && args[stop - 1] === '"') {
    end = stop - 1;
  }
  const param = args.slice(start, Math.min(paramEnd, end));
  const next = skipSpaces(args, stop < args.length ? stop + 1 : stop);
  return { param, val, next };
}

/** The arguments of a command line, and what follows a bare "--" (arguments for init). */
export interface ParsedArgs {
  args: KernelArg[];
  afterDashes: string | undefined;
}

/** Mirrors the walk of parse_args(): every argument in order, stopping at a bare "--". */
export function parseArgs(cmdline: string): ParsedArgs {
  const args: KernelArg[] = [];
  let pos = skipSpaces(cmdline, 0);
  while (pos < cmdline.length) {
    const a = nextArg(cmdline, pos);
    pos = a.next;
    if (a.val === undefined && a.param === '--') return { args, afterDashes: cmdline.slice(pos) };
    args.push({ param: a.param, val: a.val });
  }
  return { args, afterDashes: undefined };
}

/** dash2underscore() applied to a whole name: parameq() treats '-' and '_' alike. */
export const paramName = (s: string): string => s.replaceAll('-', '_');

/** parameq(): "movable-node" and "movable_node" are the same parameter. */
export const parameq = (a: string, b: string): boolean => paramName(a) === paramName(b);

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  const lc = code | 0x20;
  if (lc >= 97 && lc <= 102) return lc - 97 + 10;
  return 99;
}

/** A parsed number and the index just past it (the kernel's *endp). */
export interface Parsed {
  value: bigint;
  end: number;
}

/**
 * Mirrors simple_strtoull(): base 0 picks 16 for "0x" followed by a hex digit, 8 for a leading
 * "0", else 10; digits run until the first that does not fit the base, and the value wraps
 * modulo 2^64. No digits: value 0 and `end` at `pos`.  "0x1fz" → 0x1f, end at "z".
 */
export function simpleStrtoull(s: string, pos = 0, base = 0): Parsed {
  let p = pos;
  if (base === 0) {
    if (s[p] === '0') base = s[p + 1]?.toLowerCase() === 'x' && digitValue(s[p + 2]) < 16 ? 16 : 8;
    else base = 10;
  }
  if (base === 16 && s[p] === '0' && s[p + 1]?.toLowerCase() === 'x') p += 2;
  let value = 0n;
  const b = BigInt(base);
  for (let d = digitValue(s[p]); d < base; d = digitValue(s[p])) {
    value = U64(value * b + BigInt(d));
    p++;
  }
  return { value, end: p };
}

/**
 * Mirrors get_option(): an int (optionally "-"-signed, truncated to 32 bits) at `pos`; `ret` is 0
 * for no number (or end of string), 1 for a last number, 2 when a comma follows (skipped), 3
 * when a '-' follows (not skipped).  "10,20" → 10, ret 2, end at "20".
 */
export function getOption(s: string, pos: number): { ret: 0 | 1 | 2 | 3; value: number; end: number } {
  if (pos >= s.length) return { ret: 0, value: 0, end: pos };
  const neg = s[pos] === '-';
  const cur = neg ? pos + 1 : pos;
  const r = simpleStrtoull(s, cur, 0);
  const value = Number(BigInt.asIntN(32, neg ? -r.value : r.value));
  if (r.end === cur) return { ret: 0, value, end: r.end };
  if (s[r.end] === ',') return { ret: 2, value, end: r.end + 1 };
  return { ret: s[r.end] === '-' ? 3 : 1, value, end: r.end };
}

const MEMPARSE_SHIFT: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };

/** Mirrors memparse(): simple_strtoull() then an optional K/M/G/T/P/E suffix (either case).  "4G" → 2^32. */
export function memparse(s: string, pos = 0): Parsed {
  const r = simpleStrtoull(s, pos, 0);
  const shift = MEMPARSE_SHIFT[s[r.end]?.toLowerCase() ?? ''];
  return shift === undefined ? r : { value: U64(r.value << shift), end: r.end + 1 };
}

/** Mirrors parse_option_str(): is `option` one of the comma-separated words of `str`? */
export const parseOptionStr = (str: string, option: string): boolean => str.split(',').includes(option);

/** Mirrors kstrtobool() (6.1): y/Y/t/T/1, n/N/f/F/0, on/off by their first letters; else undefined. */
export function kstrtobool(s: string): boolean | undefined {
  switch (s[0]) {
    case 'y': case 'Y': case 't': case 'T': case '1':
      return true;
    case 'n': case 'N': case 'f': case 'F': case '0':
      return false;
    case 'o': case 'O': {
      const c = s[1]?.toLowerCase();
      return c === 'n' ? true : c === 'f' ? false : undefined;
    }
    default:
      return undefined;
  }
}

/** Mirrors sysfs_streq(): equal, allowing one trailing newline on either side. */
export const sysfsStreq = (a: string, b: string): boolean =>
  a === b || a === b + '\n' || a + '\n' === b;
