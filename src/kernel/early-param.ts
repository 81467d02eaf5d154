// SPDX-License-Identifier: GPL-2.0-only
// parse_early_param() (init/main.c): run the early parameters in command-line order. The arch
// handles mem= and memmap= (they edit its memory map); the rest was settled by
// parseKernelParams(), and only their printed side effects are replayed here.
import { fmtEarlyParamMalformed, fmtIgnoreLoglevel } from '../trace/formats/e820.js';
import type { KernelParams, MemmapOp, MemOpt } from './params.js';
import type { Printk } from './printk.js';

/** The arch's early_param handlers for the memory map; each returns what the kernel's returns. */
export interface EarlyParamArch {
  mem(opt: MemOpt): number;
  memmap(ops: readonly MemmapOp[]): number;
}

/** Mirrors parse_early_param() / do_early_param(): a non-zero handler result is reported, not fatal. */
export function parseEarlyParam(params: KernelParams, arch: EarlyParamArch, log: Printk): void {
  for (const a of params.early) {
    let ret = 0;
    switch (a.kind) {
      case 'mem':
        ret = arch.mem(a.opt);
        break;
      case 'memmap':
        ret = arch.memmap(a.ops);
        break;
      case 'ignore_loglevel':
        log.emit(fmtIgnoreLoglevel, true);
        break;
      case 'other':
        ret = a.ret;
        break;
    }
    if (ret !== 0) log.emit(fmtEarlyParamMalformed, a.param);
  }
}
