// SPDX-License-Identifier: GPL-2.0-only
// setup_command_line() (init/main.c): start_kernel() copies the command line twice, right after
// setup_arch(): saved_command_line (what /proc/cmdline shows) and static_command_line (what
// parse_args() may cut up). On x86 without CONFIG_CMDLINE_BOOL (Debian), setup_arch()'s
// command_line is boot_command_line itself, so both copies have its length.
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import { memblockAlloc } from '../mm/memblock.js';
import type { Machine } from './machine.js';
import { panicAllocFailed } from './panic.js';

/** strlen() of the UTF-8 bytes the boot loader passed. "nokaslr" → 7, "é" → 2. */
export function strlen(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * The two allocation sizes: saved_command_line gets the bootconfig "kernel." keys (xlen) in
 * front and " -- " plus its "init." keys after; static_command_line only the "kernel." keys.
 * Without bootconfig (no machine here has one): strlen + 1 twice; the default 52-character
 * line → [53, 53].
 */
export function setupCommandLineSizes(bootCommandLine: string, extraCommandLine = '', extraInitArgs?: string): [number, number] {
  const xlen = strlen(extraCommandLine);
  const ilen = extraInitArgs === undefined ? 0 : strlen(extraInitArgs) + 4;
  const len = xlen + strlen(bootCommandLine) + 1;
  return [len + ilen, len];
}

/** Mirrors setup_command_line(): both memblock allocations, caller start_kernel (it is inlined there). */
export function setupCommandLine(m: Machine): void {
  for (const size of setupCommandLineSizes(m.params.cmdline)) {
    if (!memblockAlloc(m.memblock!, size, SMP_CACHE_BYTES, 'start_kernel')) panicAllocFailed('setup_command_line', size);
  }
}
