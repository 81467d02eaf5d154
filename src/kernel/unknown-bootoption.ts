// SPDX-License-Identifier: GPL-2.0-only
// What start_kernel()'s parse_args("Booting kernel", …) leaves for init (init/main.c): a
// parameter no handler claims goes to init's argv (no '=') or environment ("name=value"), and
// print_unknown_bootoptions() names them all in one line from a memblock buffer it frees again.
import type { Machine } from './machine.js';
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import { memblockAlloc, memblockPhysFree } from '../mm/memblock.js';
import { unknownBootParams, unknownBootParamsAllocFailed } from '../trace/formats/init.js';
import { type KernelArg, paramName } from './cmdline.js';
import { CORE_PARAMS, EARLY_PARAMS, SETUP_PARAMS, SYSCTL_ALIASES } from './setup-params.js';
import { THP_MODES } from './params.js';

/** CONFIG_INIT_ENV_ARG_LIMIT in Debian's build: MAX_INIT_ARGS and MAX_INIT_ENVS. */
export const MAX_INIT_ARGS = 32;
/** envp_init[]'s built-in entries; print_unknown_bootoptions() starts after them. */
const ENVP_INIT = ['HOME=/', 'TERM=linux'];

const EARLY = new Set([...EARLY_PARAMS].map(paramName));

/** argv_init[1..] and envp_init[2..] after parse_args(); panicLater when one overflowed. */
export interface InitArgs {
  argv: string[];
  envp: string[];
  panicLater: boolean;
}

/** The string unknown_bootoption() sees once repair_env_string() put the '=' back. */
const repaired = (a: KernelArg): string => (a.val === undefined ? a.param : `${a.param}=${a.val}`);

/**
 * Mirrors obsolete_checksetup(): an early_param() of that exact name was handled in
 * setup_arch(); a non-early __setup() string that prefixes "name=value" takes it if its handler
 * returns non-zero. Handlers are taken to accept, except transparent_hugepage='s, which returns
 * 0 on a value it cannot parse ("transparent_hugepage=sometimes" ends up in init's environment).
 */
function obsoleteChecksetup(a: KernelArg): boolean {
  const line = paramName(repaired(a));
  for (const str of SETUP_PARAMS) {
    if (!line.startsWith(paramName(str))) continue;
    if (str === 'transparent_hugepage=') return (THP_MODES as readonly string[]).includes(a.val ?? '');
    return true;
  }
  return EARLY.has(paramName(a.param));
}

/**
 * Mirrors parse_args() with unknown_bootoption() as the fallback: built-in kernel_params take
 * their own names; sysctl aliases, boot-loader tags, __setup() names and "module.param" are
 * dropped; the rest fill argv (in order) and envp (one per name, later ones replacing). The
 * MAX_INIT_ARGS+1-th argument or environment entry sets panic_later (the boot stops in
 * start_kernel's tail) and nothing more is collected.
 */
export function unknownBootoptions(args: readonly KernelArg[]): InitArgs {
  const argv = ['init'];
  const envp = [...ENVP_INIT];
  let panicLater = false;
  for (const a of args) {
    if (CORE_PARAMS.has(paramName(a.param))) continue;
    if (SYSCTL_ALIASES.has(a.param)) continue;
    const s = repaired(a);
    if (s.startsWith('BOOT_IMAGE=') || s.startsWith('kexec')) continue;
    if (obsoleteChecksetup(a)) continue;
    if (a.param.includes('.')) continue;
    if (panicLater) continue;
    const list = a.val !== undefined ? envp : argv;
    let i = 0;
    for (; i < list.length; i++) {
      if (i === MAX_INIT_ARGS) panicLater = true;
      if (a.val !== undefined && list[i]!.startsWith(`${a.param}=`)) break;
    }
    list[i] = s;
  }
  return { argv: argv.slice(1), envp: envp.slice(ENVP_INIT.length), panicLater };
}

/**
 * Mirrors print_unknown_bootoptions(): a buffer of one byte per character plus a space before
 * each option and the NUL ("nokaslr" → 9 bytes), the notice, then memblock_free(). Inlined
 * into start_kernel(), which is the caller both trace lines name.
 */
export function printUnknownBootoptions(m: Machine): void {
  const init = unknownBootoptions(m.params.args);
  const opts = [...init.argv, ...init.envp];
  if (init.panicLater || opts.length === 0) return;
  const len = opts.reduce((n, o) => n + 1 + o.length, 1);
  const mb = m.memblock!;
  const buf = memblockAlloc(mb, len, SMP_CACHE_BYTES, 'start_kernel');
  if (!buf) {
    m.printk.emit(unknownBootParamsAllocFailed, len);
    return;
  }
  m.printk.emit(unknownBootParams, opts.join(' '));
  memblockPhysFree(mb, buf, len, 'start_kernel');
}
