// SPDX-License-Identifier: GPL-2.0-only
// The e820 steps of setup_arch() (arch/x86/kernel/setup.c, arch/x86/kernel/e820.c): take the
// firmware map, apply mem=/memmap=, reserve setup_data, print the user map, trim the BIOS
// areas and find max_pfn — in the order Linux 6.1 runs them.
import { parseEarlyParam } from '../../kernel/early-param.js';
import type { KernelParams } from '../../kernel/params.js';
import type { Printk } from '../../kernel/printk.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../../include/pfn.js';
import { fmtCommandLine, fmtE820KernelNotRam } from '../../trace/formats/e820.js';
import {
  e820EndOfLowRamPfn,
  e820EndOfRamPfn,
  e820MappedAll,
  e820PrintMap,
  e820RangeAdd,
  e820RangeRemove,
  e820RangeUpdate,
} from './e820.js';
import { e820EarlyParamArch } from './e820-cmdline.js';
import { e820UpdateTable } from './e820-sanitize.js';
import {
  BIOS_BEGIN,
  BIOS_END,
  E820Type,
  HIGH_MEMORY,
  LOWMEMSIZE,
  U64_MAX,
  e820StateNew,
  e820TableCopy,
  type E820Entry,
  type E820State,
} from './e820-types.js';

/** setup_data types that matter to e820 (arch/x86/include/uapi/asm/bootparam.h). */
export const SetupDataType = { EFI: 4, IMA: 8, RNG_SEED: 9, INDIRECT: 0x80000000 } as const;
/** sizeof(struct setup_data): next (8), type (4), len (4). */
export const SETUP_DATA_HEADER = 16;

/** One node of boot_params.hdr.setup_data, as far as e820 cares. */
export interface SetupData {
  /** Physical address of the node. */
  addr: number;
  type: number;
  /** Payload length (data->len), without the header. */
  len: number;
  /** For SETUP_INDIRECT nodes: the struct setup_indirect the payload holds. */
  indirect?: { type: number; addr: number; len: number };
}

/** What the boot loader hands over about memory. */
export interface E820BootInput {
  /** boot_params.e820_table: the firmware map as given, unsorted, up to 128 entries. */
  e820: readonly E820Entry[];
  /** Entries beyond 128, passed in a SETUP_E820_EXT node. */
  e820Ext?: readonly E820Entry[];
  /** boot_params.alt_mem_k and screen_info.ext_mem_k: the fallback when e820 has < 2 entries. */
  altMemK?: number;
  extMemK?: number;
  setupData?: readonly SetupData[];
}

/** Mirrors __append_e820_table(): -1 at the first entry that wraps past 2^64 (earlier ones stay). */
function appendE820Table(state: E820State, entries: readonly E820Entry[], log: Printk): number {
  for (const e of entries) {
    if (e.size !== 0 && e.addr + e.size > U64_MAX) return -1;
    e820RangeAdd(state.table, e.addr, e.size, e.type, log);
  }
  return 0;
}

/**
 * Mirrors e820__memory_setup() with e820__memory_setup_default(): copy the firmware map (or
 * fake one from the BIOS-88/e801 sizes), sanitize it, keep the kexec and firmware copies, and
 * print it under "BIOS-provided physical RAM map:".
 */
export function e820MemorySetup(state: E820State, input: E820BootInput, log: Printk): void {
  let who = 'BIOS-e820';
  if (input.e820.length < 2 || appendE820Table(state, input.e820, log) < 0) {
    const alt = input.altMemK ?? 0;
    const ext = input.extMemK ?? 0;
    const memK = alt < ext ? ext : alt;
    who = alt < ext ? 'BIOS-88' : 'BIOS-e801';
    state.table.entries = [];
    e820RangeAdd(state.table, 0, LOWMEMSIZE, E820Type.RAM, log);
    e820RangeAdd(state.table, HIGH_MEMORY, memK * 1024, E820Type.RAM, log);
  }
  e820UpdateTable(state.table);
  state.kexec = e820TableCopy(state.table);
  state.firmware = e820TableCopy(state.table);
  e820PrintMap(state.table, 'BIOS-provided', who, log);
}

/** Mirrors e820__memory_setup_extended(): append the SETUP_E820_EXT entries and reprint. */
export function e820MemorySetupExtended(state: E820State, entries: readonly E820Entry[], log: Printk): void {
  appendE820Table(state, entries, log);
  e820UpdateTable(state.table);
  state.kexec = e820TableCopy(state.table);
  state.firmware = e820TableCopy(state.table);
  e820PrintMap(state.table, 'extended', 'extended', log);
}

/**
 * Mirrors e820__reserve_setup_data(): mark each setup_data node (and an indirect node's
 * target) RESERVED_KERN in e820_table and, unless kexec does not need it, in the kexec table.
 * Each mark prints an "e820: update … usable ==> usable" line (RESERVED_KERN prints as usable).
 */
export function e820ReserveSetupData(state: E820State, nodes: readonly SetupData[], log: Printk): void {
  if (nodes.length === 0) return;
  const { RAM, RESERVED_KERN } = E820Type;
  for (const d of nodes) {
    const size = SETUP_DATA_HEADER + d.len;
    e820RangeUpdate(state.table, d.addr, size, RAM, RESERVED_KERN, log);
    if (d.type !== SetupDataType.EFI && d.type !== SetupDataType.IMA && d.type !== SetupDataType.RNG_SEED) {
      e820RangeUpdate(state.kexec, d.addr, size, RAM, RESERVED_KERN, log);
    }
    if (d.type === SetupDataType.INDIRECT && d.indirect && d.indirect.type !== SetupDataType.INDIRECT) {
      e820RangeUpdate(state.table, d.indirect.addr, d.indirect.len, RAM, RESERVED_KERN, log);
      e820RangeUpdate(state.kexec, d.indirect.addr, d.indirect.len, RAM, RESERVED_KERN, log);
    }
  }
  e820UpdateTable(state.table);
  e820UpdateTable(state.kexec);
  e820PrintMap(state.table, 'extended', 'reserve setup_data', log);
}

/** early_panic() reasons: setup_arch() cannot go on. */
export interface E820Panic {
  panic: string;
}

/**
 * Mirrors e820__finish_early_params(): after mem=/memmap= (userdef), sanitize and print the
 * "user-defined physical RAM map:"; a map that cannot be sanitized (fewer than two entries,
 * e.g. "memmap=exactmap memmap=1G@0") panics the kernel.
 */
export function e820FinishEarlyParams(state: E820State, log: Printk): E820Panic | undefined {
  if (!state.userdef) return undefined;
  if (e820UpdateTable(state.table) < 0) return { panic: 'Invalid user supplied memory map' };
  e820PrintMap(state.table, 'user-defined', 'user', log);
  return undefined;
}

/**
 * Mirrors e820_add_kernel_range(): the kernel image [start, end) must be RAM; if a memmap=
 * took it away, warn and put it back.
 */
export function e820AddKernelRange(state: E820State, start: number, end: number, log: Printk): void {
  if (e820MappedAll(state.table, start, end, E820Type.RAM)) return;
  log.emit(fmtE820KernelNotRam, true);
  e820RangeRemove(state.table, start, end - start, E820Type.RAM, false, log);
  e820RangeAdd(state.table, start, end - start, E820Type.RAM, log);
}

/**
 * Mirrors trim_bios_range(): page 0 becomes reserved, RAM in 640 KiB..1 MiB is dropped, then
 * the table is sanitized (without printing it). Always prints the two trace lines:
 *   e820: update [mem 0x00000000-0x00000fff] usable ==> reserved
 *   e820: remove [mem 0x000a0000-0x000fffff] usable
 */
export function trimBiosRange(state: E820State, log: Printk): void {
  e820RangeUpdate(state.table, 0, PAGE_SIZE, E820Type.RAM, E820Type.RESERVED, log);
  e820RangeRemove(state.table, BIOS_BEGIN, BIOS_END - BIOS_BEGIN, E820Type.RAM, true, log);
  e820UpdateTable(state.table);
}

export interface E820SetupOptions {
  /** 5-level paging: MAX_ARCH_PFN grows from 2^34 to 2^40. */
  la57?: boolean;
  /** Physical [_text, _end) of the kernel image, for e820_add_kernel_range(); skipped if absent. */
  kernelImage?: { start: number; end: number };
}

export interface E820SetupResult {
  state: E820State;
  maxPfn: number;
  maxLowPfn: number;
}

/**
 * The e820 part of setup_arch() in 6.1 order:
 *   "Command line:" → e820__memory_setup() (+ SETUP_E820_EXT) → parse_early_param() (mem=,
 *   memmap=) → e820__reserve_setup_data() → e820__finish_early_params() →
 *   e820_add_kernel_range() → trim_bios_range() → max_pfn = e820__end_of_ram_pfn() →
 *   max_low_pfn (a second last_pfn line only when RAM reaches above 4 GiB).
 * MTRR trimming, the GART aperture and EFI are not modelled. e820__memblock_setup() comes
 * later, after the brk and page-table steps (see e820-memblock.ts).
 */
export function e820SetupArch(
  input: E820BootInput,
  params: KernelParams,
  log: Printk,
  opts: E820SetupOptions = {},
): E820SetupResult | E820Panic {
  const state = e820StateNew();
  log.emit(fmtCommandLine, params.cmdline);
  e820MemorySetup(state, input, log);
  if (input.e820Ext?.length) e820MemorySetupExtended(state, input.e820Ext, log);
  parseEarlyParam(params, e820EarlyParamArch(state, log), log);
  e820ReserveSetupData(state, input.setupData ?? [], log);
  const panic = e820FinishEarlyParams(state, log);
  if (panic) return panic;
  if (opts.kernelImage) e820AddKernelRange(state, opts.kernelImage.start, opts.kernelImage.end, log);
  trimBiosRange(state, log);
  const maxPfn = e820EndOfRamPfn(state.table, log, opts.la57);
  const maxLowPfn = maxPfn > 2 ** (32 - PAGE_SHIFT) ? e820EndOfLowRamPfn(state.table, log, opts.la57) : maxPfn;
  return { state, maxPfn, maxLowPfn };
}
