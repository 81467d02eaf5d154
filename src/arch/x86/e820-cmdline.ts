// SPDX-License-Identifier: GPL-2.0-only
// The e820 side of mem= and memmap= (parse_memopt(), parse_memmap_one(), parse_memmap_opt()
// in arch/x86/kernel/e820.c), applied to the table during parse_early_param(). The entries
// they add stay unsorted until e820__finish_early_params().
import type { EarlyParamArch } from '../../kernel/early-param.js';
import type { MemmapOp, MemOpt } from '../../kernel/params.js';
import type { Printk } from '../../kernel/printk.js';
import { fmtMemNopentium } from '../../trace/formats/e820.js';
import { e820RangeAdd, e820RangeRemove, e820RangeUpdate } from './e820.js';
import { E820Type, type E820State, U64_MAX } from './e820-types.js';

const EINVAL = -22;

/** Drop every RAM byte at and above `size`: [size, ULLONG_MAX). */
const removeRamAbove = (state: E820State, size: number, log: Printk): void => {
  e820RangeRemove(state.table, size, U64_MAX - size, E820Type.RAM, true, log);
};

/** Mirrors parse_memopt(). */
export function parseMemopt(state: E820State, opt: MemOpt, log: Printk): number {
  switch (opt.kind) {
    case 'nopentium':
      log.emit(fmtMemNopentium, true);
      return EINVAL;
    case 'invalid':
      if (opt.userdef) state.userdef = true;
      return EINVAL;
    case 'limit':
      state.userdef = true;
      removeRamAbove(state, opt.size, log);
      return 0;
  }
}

/** Mirrors parse_memmap_one() for one parsed item. */
export function parseMemmapOne(state: E820State, op: MemmapOp, log: Printk): void {
  if (op.kind === 'invalid') {
    if (op.userdef) state.userdef = true;
    return;
  }
  state.userdef = true;
  switch (op.kind) {
    case 'exactmap':
      state.table.entries = [];
      break;
    case 'add':
      e820RangeAdd(state.table, op.start, op.size, op.type, log);
      break;
    case 'update':
      e820RangeUpdate(state.table, op.start, op.size, op.from, op.to, log);
      break;
    case 'remove':
      e820RangeRemove(state.table, op.start, op.size, op.type ?? 0, op.type !== undefined, log);
      break;
    case 'limit':
      removeRamAbove(state, op.size, log);
      break;
  }
}

/** Mirrors parse_memmap_opt(): every item in turn; item errors never reach do_early_param(). */
export function parseMemmapOpt(state: E820State, ops: readonly MemmapOp[], log: Printk): number {
  for (const op of ops) parseMemmapOne(state, op, log);
  return 0;
}

/** The x86 handlers parseEarlyParam() calls for mem= and memmap=. */
export const e820EarlyParamArch = (state: E820State, log: Printk): EarlyParamArch => ({
  mem: (opt) => parseMemopt(state, opt, log),
  memmap: (ops) => parseMemmapOpt(state, ops, log),
});
