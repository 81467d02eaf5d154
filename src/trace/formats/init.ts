// SPDX-License-Identifier: GPL-2.0-only
// Lines start_kernel() prints itself (init/main.c of 6.1) once the zonelists are built.
import { lineFormat } from '../format.js';
import { parseDec } from '../printk.js';

/** print_unknown_bootoptions(): the options handed to init, space-separated. */
export const unknownBootParams = lineFormat<string>(
  'init.unknown_params', 'print_unknown_bootoptions',
  /^Unknown kernel command line parameters "(.*)", will be passed to user space\.$/,
  (m) => m[1]!,
  (v) => `Unknown kernel command line parameters "${v}", will be passed to user space.`,
);

/** print_unknown_bootoptions(): its memblock buffer could not be had; the value is its length. */
export const unknownBootParamsAllocFailed = lineFormat<number>(
  'init.unknown_params_nomem', 'print_unknown_bootoptions',
  /^print_unknown_bootoptions: Failed to allocate (\d+) bytes$/,
  (m) => parseDec(m[1]!),
  (v) => `print_unknown_bootoptions: Failed to allocate ${v} bytes`,
);

export const initFormats = [unknownBootParams, unknownBootParamsAllocFailed] as const;
