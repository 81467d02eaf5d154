// SPDX-License-Identifier: GPL-2.0-only
// The values of mem= and memmap=, read as parse_memopt() and parse_memmap_one() read them
// (arch/x86/kernel/e820.c), into operations the x86 code applies to the e820 table in order.
import { E820Type } from '../arch/x86/e820-types.js';
import { MAX_PHYS_ADDR } from '../include/pfn.js';
import { memparse, simpleStrtoull } from './cmdline.js';

/** mem=: what parse_memopt() does with the value. */
export type MemOpt =
  /** Remove all RAM at and above `size`; sets userdef. */
  | { kind: 'limit'; size: number }
  /** mem=nopentium: only meaningful on x86_32; warns and returns -EINVAL. */
  | { kind: 'nopentium' }
  /** Returns -EINVAL without touching the table; `userdef` tells whether it was set first. */
  | { kind: 'invalid'; userdef: boolean };

/** One comma-separated item of memmap=: what parse_memmap_one() does with it. */
export type MemmapOp =
  /** "exactmap": empty the table (the firmware map is dropped). */
  | { kind: 'exactmap' }
  /** "nn@ss" (RAM), "nn#ss" (ACPI), "nn$ss" (reserved), "nn!ss" (PRAM), "nn%ss+t": add an entry. */
  | { kind: 'add'; start: number; size: number; type: number }
  /** "nn%ss-f+t": retype the `from` parts of the range to `to`. */
  | { kind: 'update'; start: number; size: number; from: number; to: number }
  /** "nn%ss-f": remove the `type` parts of the range; "nn%ss": remove all of it (type undefined). */
  | { kind: 'remove'; start: number; size: number; type: number | undefined }
  /** Bare "nn": remove all RAM at and above nn, like mem= (but leaves max_mem_size alone). */
  | { kind: 'limit'; size: number }
  /** Not applied; `userdef` tells whether the kernel had set it before giving up. */
  | { kind: 'invalid'; userdef: boolean };

/** A ParamError without the parameter name and value, which the caller adds. */
export interface ValueError {
  expected: string;
  kernel: string;
}

const MEM_EXPECTED = 'a size nn[KMGTPE] below 2^52';
const MEMMAP_EXPECTED = 'exactmap, nn[KMG], or nn[KMG] followed by @ss, #ss, $ss, !ss or %ss[-old][+new]';
const BEYOND = 'beyond the 2^52 physical address space meminit models; not applied (the kernel would apply it)';

const fitsPhys = (v: bigint): boolean => v < BigInt(MAX_PHYS_ADDR);

/** Mirrors the value handling of parse_memopt(). */
export function parseMemValue(val: string | undefined): { opt: MemOpt; errors: ValueError[] } {
  if (val === undefined) {
    return { opt: { kind: 'invalid', userdef: false }, errors: [{ expected: MEM_EXPECTED, kernel: 'returns -EINVAL: "Malformed early option"' }] };
  }
  if (val === 'nopentium') {
    return { opt: { kind: 'nopentium' }, errors: [{ expected: MEM_EXPECTED, kernel: 'x86_32 only: warns and returns -EINVAL' }] };
  }
  const m = memparse(val);
  if (m.value === 0n) {
    const kernel = 'returns -EINVAL ("Malformed early option") after setting userdef: the map is reprinted unchanged';
    return { opt: { kind: 'invalid', userdef: true }, errors: [{ expected: MEM_EXPECTED, kernel }] };
  }
  if (!fitsPhys(m.value)) return { opt: { kind: 'invalid', userdef: true }, errors: [{ expected: MEM_EXPECTED, kernel: BEYOND }] };
  const errors = m.end < val.length ? [{ expected: MEM_EXPECTED, kernel: `ignores the trailing "${val.slice(m.end)}"` }] : [];
  return { opt: { kind: 'limit', size: Number(m.value) }, errors };
}

const ADD_TYPES: Record<string, number> = {
  '@': E820Type.RAM,
  '#': E820Type.ACPI,
  $: E820Type.RESERVED,
  '!': E820Type.PRAM,
};

/** enum e820_type is 32 bits wide: a parsed u64 type is truncated. */
const u32 = (r: { value: bigint; end: number }): { value: number; end: number } => ({
  value: Number(BigInt.asUintN(32, r.value)),
  end: r.end,
});

/** Mirrors parse_memmap_one() up to the table change, which the arch code makes. */
function parseMemmapOne(p: string, errors: ValueError[]): MemmapOp {
  const fail = (userdef: boolean, kernel: string): MemmapOp => {
    errors.push({ expected: MEMMAP_EXPECTED, kernel });
    return { kind: 'invalid', userdef };
  };
  if (p.startsWith('exactmap')) {
    if (p !== 'exactmap') errors.push({ expected: MEMMAP_EXPECTED, kernel: 'read as exactmap (only 8 characters are compared)' });
    return { kind: 'exactmap' };
  }
  const sz = memparse(p);
  if (sz.end === 0) return fail(false, 'returns -EINVAL, nothing changed');
  if (!fitsPhys(sz.value)) return fail(true, BEYOND);
  const size = Number(sz.value);
  const sep = p[sz.end];

  if (sep === '%') {
    const st = memparse(p, sz.end + 1);
    let pos = st.end;
    let from = 0;
    let to = 0;
    if (p[pos] === '-') ({ value: from, end: pos } = u32(simpleStrtoull(p, pos + 1)));
    if (p[pos] === '+') ({ value: to, end: pos } = u32(simpleStrtoull(p, pos + 1)));
    if (pos < p.length) return fail(true, `returns -EINVAL at "${p.slice(pos)}" after setting userdef; nothing changed`);
    if (!fitsPhys(st.value)) return fail(true, BEYOND);
    const start = Number(st.value);
    if (from && to) {
      if (from === to) return fail(true, 'BUG_ON(old_type == new_type) in __e820__range_update(): the boot crashes');
      return { kind: 'update', start, size, from, to };
    }
    if (to) return { kind: 'add', start, size, type: to };
    return { kind: 'remove', start, size, type: from || undefined };
  }

  let op: MemmapOp;
  let end: number;
  const addType = sep === undefined ? undefined : ADD_TYPES[sep];
  if (addType !== undefined) {
    const st = memparse(p, sz.end + 1);
    const last = st.value + sz.value - (sz.value === 0n ? 0n : 1n);
    if (!fitsPhys(last)) return fail(true, BEYOND);
    op = { kind: 'add', start: Number(st.value), size, type: addType };
    end = st.end;
    if (size === 0) errors.push({ expected: MEMMAP_EXPECTED, kernel: 'adds an empty entry, which the sanitizer drops' });
  } else {
    op = { kind: 'limit', size };
    end = sz.end;
    if (size === 0) errors.push({ expected: MEMMAP_EXPECTED, kernel: 'removes all RAM' });
  }
  if (end < p.length) {
    errors.push({ expected: MEMMAP_EXPECTED, kernel: `applied, then returns -EINVAL for the trailing "${p.slice(end)}" (ignored)` });
  }
  return op;
}

/** Mirrors the value handling of parse_memmap_opt(): comma-separated items, each on its own. */
export function parseMemmapValue(val: string | undefined): { ops: MemmapOp[]; errors: ValueError[] } {
  const errors: ValueError[] = [];
  if (val === undefined) {
    errors.push({ expected: MEMMAP_EXPECTED, kernel: 'ignored' });
    return { ops: [], errors };
  }
  return { ops: val.split(',').map((item) => parseMemmapOne(item, errors)), errors };
}
