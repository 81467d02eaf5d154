// SPDX-License-Identifier: GPL-2.0-only
// Lines printed by arch/x86/kernel/e820.c and the early part of setup_arch(): the firmware and
// user memory maps, the range update/remove traces, last_pfn, the command line and the
// early-parameter warnings. Emitting is Linux 6.1 byte for byte; parsing also takes the labels
// later kernels print ("System RAM", "device reserved", "persistent RAM (type 12)", a size
// column, a leading space before the label).
import { E820Type, U64_MAX } from '../../arch/x86/e820-types.js';
import { type LineFormat, lineFormat } from '../format.js';
import { hex, hexPad, parseHex } from '../printk.js';

/** e820_print_type() in 6.1 ("usable", "reserved", "persistent (type 12)", "type 6"). */
export function e820TypeLabel(type: number): string {
  switch (type) {
    case E820Type.RAM:
    case E820Type.RESERVED_KERN:
      return 'usable';
    case E820Type.RESERVED:
      return 'reserved';
    case E820Type.SOFT_RESERVED:
      return 'soft reserved';
    case E820Type.ACPI:
      return 'ACPI data';
    case E820Type.NVS:
      return 'ACPI NVS';
    case E820Type.UNUSABLE:
      return 'unusable';
    case E820Type.PMEM:
    case E820Type.PRAM:
      return `persistent (type ${type})`;
    default:
      return `type ${type}`;
  }
}

/**
 * The type a printed label stands for, across kernel versions; undefined for text that is not
 * an e820 label. RESERVED_KERN prints as "usable", so it reads back as RAM.
 */
export function e820TypeFromLabel(label: string): number | undefined {
  const t = label.trim();
  switch (t) {
    case 'usable':
    case 'System RAM':
    case 'kernel usable RAM':
      return E820Type.RAM;
    case 'reserved':
    case 'device reserved':
      return E820Type.RESERVED;
    case 'soft reserved':
      return E820Type.SOFT_RESERVED;
    case 'ACPI data':
      return E820Type.ACPI;
    case 'ACPI NVS':
      return E820Type.NVS;
    case 'unusable':
      return E820Type.UNUSABLE;
    case 'persistent RAM':
      return E820Type.PMEM;
  }
  const m = /^(?:persistent(?: RAM)? \(type (\d+)\)|type (\d+))$/.exec(t);
  if (!m) return undefined;
  const n = Number(m[1] ?? m[2]);
  return n <= 0xffffffff ? n : undefined;
}

/**
 * The last byte of [start, end) as the update/remove/too-many lines print it: `end` is the
 * kernel's u64 end after clamping, where U64_MAX stands for ULLONG_MAX (last byte 0x...fe)
 * and 0 for a wrapped empty range (last byte 0x...ff).
 */
function lastHex(end: number, digits: number): string {
  if (end === 0) return '0xffffffffffffffff';
  if (end >= U64_MAX) return '0xfffffffffffffffe';
  return hexPad(end - 1, digits);
}

/** Inverse of lastHex(): the exclusive end a printed last byte stands for. */
function endFromLastHex(s: string): number {
  const t = s.toLowerCase().replace(/^0x/, '').replace(/^0+(?=.)/, '');
  if (t === 'ffffffffffffffff') return 0;
  const v = parseHex(t);
  return v >= 2 ** 60 ? U64_MAX : v + 1;
}

const HEX = '0x([0-9a-fA-F]{1,16})';
/** Optional size column of newer kernels ("  639 KB"), skipped when parsing. */
const SIZE_COLUMN = '(?:\\d+(?:\\.\\d+)? ?[KMGTP]i?B\\s+)?';

/** One e820__print_table() line: `who` is "BIOS-e820", "user", "modified", "extended"… */
export interface E820MapLine {
  who: string;
  addr: number;
  size: number;
  type: number;
}

export const fmtE820Entry: LineFormat<E820MapLine> = lineFormat(
  'e820.entry',
  'e820__print_table',
  new RegExp(`^([^:\\[\\]]+): \\[mem ${HEX}-${HEX}\\]\\s+${SIZE_COLUMN}(.+)$`),
  (m) => {
    const type = e820TypeFromLabel(m[4]!);
    const addr = parseHex(m[2]!);
    const last = parseHex(m[3]!);
    // An entry may end at the top of the address space: addr + size = 2^64.
    const end = last >= 2 ** 60 ? U64_MAX : last + 1;
    if (type === undefined || end < addr) return undefined;
    return { who: m[1]!, addr, size: end - addr, type };
  },
  (v) => {
    // addr + size - 1 in u64: an empty entry at 0 and one reaching 2^64 both end at ~0.
    const end = v.addr + v.size;
    const last = end >= U64_MAX || end === 0 ? '0xffffffffffffffff' : hexPad(end - 1, 16);
    return `${v.who}: [mem ${hexPad(v.addr, 16)}-${last}] ${e820TypeLabel(v.type)}`;
  },
);

/** The header above a printed map: "BIOS-provided", "user-defined", "modified", "extended", "fixed". */
export type E820MapHeader = 'BIOS-provided' | 'user-defined' | 'modified' | 'extended' | 'fixed';

export const fmtE820MapHeader: LineFormat<E820MapHeader> = lineFormat(
  'e820.header',
  'e820__memory_setup',
  /^(?:e820: )?(BIOS-provided|user-defined|modified|extended|fixed) physical RAM map:$/,
  (m) => m[1] as E820MapHeader,
  (v) => `${v} physical RAM map:`,
);

/** `e820: update [mem start-end-1] old ==> new` from __e820__range_update(). */
export interface E820UpdateLine {
  start: number;
  /** Exclusive end after clamping; U64_MAX stands for ULLONG_MAX. */
  end: number;
  oldType: number;
  newType: number;
}

export const fmtE820Update: LineFormat<E820UpdateLine> = lineFormat(
  'e820.update',
  '__e820__range_update',
  new RegExp(`^e820: update \\[mem ${HEX}-${HEX}\\] ?(.+?) ==> ?(.+)$`),
  (m) => {
    const oldType = e820TypeFromLabel(m[3]!);
    const newType = e820TypeFromLabel(m[4]!);
    if (oldType === undefined || newType === undefined) return undefined;
    return { start: parseHex(m[1]!), end: endFromLastHex(m[2]!), oldType, newType };
  },
  (v) =>
    `e820: update [mem ${hexPad(v.start, 8)}-${lastHex(v.end, 8)}] ` +
    `${e820TypeLabel(v.oldType)} ==> ${e820TypeLabel(v.newType)}`,
);

/** `e820: remove [mem start-end-1] type` from e820__range_remove(); no type when check_type is 0. */
export interface E820RemoveLine {
  start: number;
  end: number;
  type?: number;
}

export const fmtE820Remove: LineFormat<E820RemoveLine> = lineFormat(
  'e820.remove',
  'e820__range_remove',
  new RegExp(`^e820: remove \\[mem ${HEX}-${HEX}\\](?: (.*))?$`),
  (m) => {
    const v: E820RemoveLine = { start: parseHex(m[1]!), end: endFromLastHex(m[2]!) };
    const label = (m[3] ?? '').trim();
    if (label === '') return v;
    const type = e820TypeFromLabel(label);
    return type === undefined ? undefined : { ...v, type };
  },
  // Without a type the kernel still prints the space before it: the line ends in "] ".
  (v) =>
    `e820: remove [mem ${hexPad(v.start, 8)}-${lastHex(v.end, 8)}] ` +
    (v.type === undefined ? '' : e820TypeLabel(v.type)),
);

/** __e820__range_add() on a full table. */
export const fmtE820TooMany: LineFormat<{ start: number; end: number }> = lineFormat(
  'e820.too_many',
  '__e820__range_add',
  new RegExp(`^too many entries; ignoring \\[mem ${HEX}-${HEX}\\]$`),
  (m) => ({ start: parseHex(m[1]!), end: endFromLastHex(m[2]!) }),
  (v) => `too many entries; ignoring [mem ${hexPad(v.start, 8)}-${lastHex(v.end, 8)}]`,
);

/** e820_end_pfn(): the highest RAM pfn below a limit, and MAXMEM's pfn. */
export interface E820LastPfnLine {
  lastPfn: number;
  maxArchPfn: number;
}

export const fmtE820LastPfn: LineFormat<E820LastPfnLine> = lineFormat(
  'e820.last_pfn',
  'e820_end_pfn',
  /^last_pfn = 0x([0-9a-f]+) max_arch_pfn = 0x([0-9a-f]+)$/,
  (m) => ({ lastPfn: parseHex(m[1]!), maxArchPfn: parseHex(m[2]!) }),
  // The kernel's %#lx prints 0 as "0x0" (unlike C libraries), so no special case here.
  (v) => `last_pfn = 0x${hex(v.lastPfn)} max_arch_pfn = 0x${hex(v.maxArchPfn)}`,
);

/** A line with no variable part; the value is just `true`. */
function fixedLine(name: string, printedBy: string, text: string): LineFormat<true> {
  const re = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return lineFormat(name, printedBy, re, () => true, () => text);
}

export const fmtE820KernelNotRam = fixedLine(
  'e820.kernel_not_ram',
  'e820_add_kernel_range',
  '.text .data .bss are not marked as E820_TYPE_RAM!',
);

/** setup_arch(): boot_command_line, before the firmware map. */
export const fmtCommandLine: LineFormat<string> = lineFormat(
  'setup.command_line',
  'setup_arch',
  /^Command line: (.*)$/,
  (m) => m[1]!,
  (v) => `Command line: ${v}`,
);

/** start_kernel(): saved_command_line, after setup_arch(). */
export const fmtKernelCommandLine: LineFormat<string> = lineFormat(
  'init.kernel_command_line',
  'start_kernel',
  /^Kernel command line: (.*)$/,
  (m) => m[1]!,
  (v) => `Kernel command line: ${v}`,
);

/** do_early_param(): an early_param handler returned non-zero; the value is the param name. */
export const fmtEarlyParamMalformed: LineFormat<string> = lineFormat(
  'init.early_param_malformed',
  'do_early_param',
  /^Malformed early option '(.*)'$/,
  (m) => m[1]!,
  (v) => `Malformed early option '${v}'`,
);

export const fmtMemNopentium = fixedLine(
  'e820.mem_nopentium',
  'parse_memopt',
  'mem=nopentium ignored! (only supported on x86_32)',
);

export const fmtIgnoreLoglevel = fixedLine(
  'printk.ignore_loglevel',
  'ignore_loglevel_setup',
  'printk: debug: ignoring loglevel setting.',
);

/** e820__setup_pci_gap(): the gap below 4 GiB left for PCI BARs, [start, end). */
export const fmtE820PciGap: LineFormat<{ start: number; end: number }> = lineFormat(
  'e820.pci_gap',
  'e820__setup_pci_gap',
  new RegExp(`^\\[mem ${HEX}-${HEX}\\] available for PCI devices$`),
  (m) => ({ start: parseHex(m[1]!), end: parseHex(m[2]!) + 1 }),
  (v) => `[mem ${hexPad(v.start, 8)}-${hexPad(v.end - 1, 8)}] available for PCI devices`,
);

/** e820__setup_pci_gap() found no gap of 4 MiB or more below 4 GiB: two pr_err() lines. */
export const fmtE820NoPciGap = fixedLine(
  'e820.no_pci_gap',
  'e820__setup_pci_gap',
  'Cannot find an available gap in the 32-bit address range',
);
export const fmtE820NoPciGapWarn = fixedLine(
  'e820.no_pci_gap_warn',
  'e820__setup_pci_gap',
  'PCI devices with unassigned 32-bit BARs may not work!',
);

/** Every format of this file, for the dmesg lexer. */
export const e820Formats = [
  fmtE820Entry,
  fmtE820MapHeader,
  fmtE820Update,
  fmtE820Remove,
  fmtE820TooMany,
  fmtE820LastPfn,
  fmtE820KernelNotRam,
  fmtCommandLine,
  fmtKernelCommandLine,
  fmtEarlyParamMalformed,
  fmtMemNopentium,
  fmtIgnoreLoglevel,
  fmtE820PciGap,
  fmtE820NoPciGap,
  fmtE820NoPciGapWarn,
] as const;
