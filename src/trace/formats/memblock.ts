// memblock's printk lines in 6.1 (mm/memblock.c): the memblock=debug trace of every
// add/remove/reserve/free and allocation, the array-doubling notes, and the
// memblock_dump_all() block. One LineFormat per kernel format string.
import { PHYS_ADDR_MAX } from '../../include/pfn.js';
import { MAX_NUMNODES } from '../../include/mmzone.js';
import { lineFormat, type LineFormat } from '../format.js';
import { hex, pa, parseDec, parseHex } from '../printk.js';

const TWO_64 = 1n << 64n;
const U64_MAX = TWO_64 - 1n;

/** A number as the kernel's u64 (the 2^64 sentinel is ~0). */
const toU64 = (v: number): bigint => (v >= 2 ** 64 ? U64_MAX : BigInt(v));
/** Back from u64: values at or beyond 2^60 collapse to the PHYS_ADDR_MAX sentinel, as parseHex does. */
const fromU64 = (v: bigint): number => (v >= 1n << 60n ? PHYS_ADDR_MAX : Number(v));

/** %pa of base + size - 1 with u64 wrap-around ("0x0, size 0 → 0xffffffffffffffff"). */
function paInclusiveEnd(base: number, size: number): string {
  const e = base + size;
  if (e >= 1 && e <= 2 ** 53) return pa(e - 1);
  return '0x' + ((toU64(base) + toU64(size) - 1n + TWO_64) % TWO_64).toString(16).padStart(16, '0');
}

/** Size of the inclusive range [base, end] printed as [%pa-%pa], with the same u64 wrap-around. */
function sizeFromInclusive(baseHex: string, endHex: string): number {
  return fromU64((BigInt('0x' + endHex) - BigInt('0x' + baseHex) + 1n + TWO_64) % TWO_64);
}

/** %llu of a u64 (the 2^64 sentinel prints as 18446744073709551615). */
const u64Dec = (v: number): string => toU64(v).toString();
const parseU64Dec = (s: string): number => (/^\d+$/.test(s) ? fromU64(BigInt(s)) : NaN);

const PA = '0x([0-9a-f]{16})';
const num = (...vs: number[]): boolean => vs.every((v) => !Number.isNaN(v));

// ---------------------------------------------------------------- range lines

/** "%s: [%pa-%pa] %pS": memblock_add, memblock_remove, memblock_reserve, memblock_phys_free, memblock_free_late. */
export interface MemblockRangeLine {
  base: number;
  size: number;
  /** %pS of the caller, opaque ("setup_arch+0x2d6/0xdc0"); '' when unknown. */
  caller: string;
}

function rangeLine(fn: string): LineFormat<MemblockRangeLine> {
  return lineFormat<MemblockRangeLine>(
    `memblock.${fn.replace(/^memblock_/, '')}`,
    fn,
    new RegExp(`^\\s*${fn}: \\[${PA}-${PA}\\](?: (.*))?$`),
    (m) => ({ base: parseHex(m[1]!), size: sizeFromInclusive(m[1]!, m[2]!), caller: m[3] ?? '' }),
    (v) => `${fn}: [${pa(v.base)}-${paInclusiveEnd(v.base, v.size)}] ${v.caller}`,
  );
}

export const memblockAddLine = rangeLine('memblock_add');
export const memblockRemoveLine = rangeLine('memblock_remove');
export const memblockReserveLine = rangeLine('memblock_reserve');
export const memblockPhysFreeLine = rangeLine('memblock_phys_free');
export const memblockFreeLateLine = rangeLine('memblock_free_late');

/** "memblock_add_node: [%pa-%pa] nid=%d flags=%x %pS". */
export interface MemblockAddNodeLine extends MemblockRangeLine {
  nid: number;
  flags: number;
}

export const memblockAddNodeLine = lineFormat<MemblockAddNodeLine>(
  'memblock.add_node',
  'memblock_add_node',
  new RegExp(`^\\s*memblock_add_node: \\[${PA}-${PA}\\] nid=(-?\\d+) flags=([0-9a-f]+)(?: (.*))?$`),
  (m) => {
    const v = { base: parseHex(m[1]!), size: sizeFromInclusive(m[1]!, m[2]!), nid: parseDec(m[3]!), flags: parseHex(m[4]!) };
    return num(v.nid, v.flags) ? { ...v, caller: m[5] ?? '' } : undefined;
  },
  (v) => `memblock_add_node: [${pa(v.base)}-${paInclusiveEnd(v.base, v.size)}] nid=${v.nid} flags=${hex(v.flags)} ${v.caller}`,
);

// ---------------------------------------------------------------- allocation lines

/** "memblock_phys_alloc_range: %llu bytes align=0x%llx from=%pa max_addr=%pa %pS" (no nid). */
export interface MemblockPhysAllocRangeLine {
  size: number;
  align: number;
  from: number;
  maxAddr: number;
  caller: string;
}

export const memblockPhysAllocRangeLine = lineFormat<MemblockPhysAllocRangeLine>(
  'memblock.phys_alloc_range',
  'memblock_phys_alloc_range',
  new RegExp(`^\\s*memblock_phys_alloc_range: (\\d+) bytes align=0x([0-9a-f]+) from=${PA} max_addr=${PA}(?: (.*))?$`),
  (m) => {
    const v = { size: parseU64Dec(m[1]!), align: parseHex(m[2]!), from: parseHex(m[3]!), maxAddr: parseHex(m[4]!) };
    return num(v.size, v.align) ? { ...v, caller: m[5] ?? '' } : undefined;
  },
  (v) =>
    `memblock_phys_alloc_range: ${u64Dec(v.size)} bytes align=0x${hex(v.align)} from=${pa(v.from)} max_addr=${pa(v.maxAddr)} ${v.caller}`,
);

/** "%s: %llu bytes align=0x%llx nid=%d from=%pa max_addr=%pa %pS" of the three memblock_alloc_*nid* entry points. */
export interface MemblockAllocNidLine extends MemblockPhysAllocRangeLine {
  nid: number;
}

function allocNidLine(fn: string): LineFormat<MemblockAllocNidLine> {
  return lineFormat<MemblockAllocNidLine>(
    `memblock.${fn.replace(/^memblock_/, '')}`,
    fn,
    new RegExp(`^\\s*${fn}: (\\d+) bytes align=0x([0-9a-f]+) nid=(-?\\d+) from=${PA} max_addr=${PA}(?: (.*))?$`),
    (m) => {
      const v = { size: parseU64Dec(m[1]!), align: parseHex(m[2]!), nid: parseDec(m[3]!) };
      if (!num(v.size, v.align, v.nid)) return undefined;
      return { ...v, from: parseHex(m[4]!), maxAddr: parseHex(m[5]!), caller: m[6] ?? '' };
    },
    (v) =>
      `${fn}: ${u64Dec(v.size)} bytes align=0x${hex(v.align)} nid=${v.nid} from=${pa(v.from)} max_addr=${pa(v.maxAddr)} ${v.caller}`,
  );
}

export const memblockAllocTryNidLine = allocNidLine('memblock_alloc_try_nid');
export const memblockAllocTryNidRawLine = allocNidLine('memblock_alloc_try_nid_raw');
export const memblockAllocExactNidRawLine = allocNidLine('memblock_alloc_exact_nid_raw');

// ---------------------------------------------------------------- region array resizing

/** "memblock: %s is doubled to %ld at [%pa-%pa]": size is the new array's byte size (unaligned). */
export interface MemblockDoubledLine {
  name: string;
  max: number;
  base: number;
  size: number;
}

export const memblockDoubledLine = lineFormat<MemblockDoubledLine>(
  'memblock.doubled',
  'memblock_double_array',
  new RegExp(`^\\s*memblock: (\\w+) is doubled to (\\d+) at \\[${PA}-${PA}\\]$`),
  (m) => {
    const max = parseDec(m[2]!);
    return num(max) ? { name: m[1]!, max, base: parseHex(m[3]!), size: sizeFromInclusive(m[3]!, m[4]!) } : undefined;
  },
  (v) => `memblock: ${v.name} is doubled to ${v.max} at [${pa(v.base)}-${paInclusiveEnd(v.base, v.size)}]`,
);

/** pr_err "memblock: Failed to double %s array from %ld to %ld entries !". */
export interface MemblockDoubleFailedLine {
  name: string;
  from: number;
  to: number;
}

export const memblockDoubleFailedLine = lineFormat<MemblockDoubleFailedLine>(
  'memblock.double_failed',
  'memblock_double_array',
  /^\s*memblock: Failed to double (\w+) array from (\d+) to (\d+) entries !$/,
  (m) => {
    const v = { name: m[1]!, from: parseDec(m[2]!), to: parseDec(m[3]!) };
    return num(v.from, v.to) ? v : undefined;
  },
  (v) => `memblock: Failed to double ${v.name} array from ${v.from} to ${v.to} entries !`,
);

/** pr_warn_ratelimited "Could not allocate %pap bytes of mirrored memory". */
export const memblockMirrorFallbackLine = lineFormat<{ size: number }>(
  'memblock.mirror_fallback',
  'memblock_alloc_range_nid',
  new RegExp(`^\\s*Could not allocate ${PA} bytes of mirrored memory$`),
  (m) => ({ size: parseHex(m[1]!) }),
  (v) => `Could not allocate ${pa(v.size)} bytes of mirrored memory`,
);

// ---------------------------------------------------------------- memblock_dump_all()

export const memblockDumpHeaderLine = lineFormat<Record<string, never>>(
  'memblock.dump_header',
  '__memblock_dump_all',
  /^\s*MEMBLOCK configuration:$/,
  () => ({}),
  () => 'MEMBLOCK configuration:',
);

/** " memory size = %pa reserved size = %pa". */
export const memblockDumpSizeLine = lineFormat<{ memorySize: number; reservedSize: number }>(
  'memblock.dump_size',
  '__memblock_dump_all',
  new RegExp(`^\\s*memory size = ${PA} reserved size = ${PA}$`),
  (m) => ({ memorySize: parseHex(m[1]!), reservedSize: parseHex(m[2]!) }),
  (v) => ` memory size = ${pa(v.memorySize)} reserved size = ${pa(v.reservedSize)}`,
);

/** " %s.cnt  = 0x%lx" (two spaces before '='). */
export const memblockDumpCntLine = lineFormat<{ name: string; cnt: number }>(
  'memblock.dump_cnt',
  'memblock_dump',
  /^\s*(memory|reserved)\.cnt\s+= 0x([0-9a-f]+)$/,
  (m) => ({ name: m[1]!, cnt: parseHex(m[2]!) }),
  (v) => ` ${v.name}.cnt  = 0x${hex(v.cnt)}`,
);

/** One struct memblock_region as the dump shows it; nid is MAX_NUMNODES when no " on node" is printed. */
export interface MemblockDumpRegion {
  base: number;
  size: number;
  flags: number;
  nid: number;
}

/**
 * " %s[%#x]\t[%pa-%pa], %pa bytes%s flags: %#x": the kernel's %#x prints 0 as "0x0"; the
 * " on node %d" part (CONFIG_NUMA) appears unless the region's nid is MAX_NUMNODES.
 * Parsing takes the size from the "bytes" field and accepts the tab as any whitespace.
 */
export const memblockDumpRegionLine = lineFormat<MemblockDumpRegion & { name: string; idx: number }>(
  'memblock.dump_region',
  'memblock_dump',
  new RegExp(
    `^\\s*(memory|reserved)\\[0x([0-9a-f]+)\\]\\s+\\[${PA}-${PA}\\], ${PA} bytes(?: on node (-?\\d+))? flags: 0x([0-9a-f]+)$`,
  ),
  (m) => ({
    name: m[1]!,
    idx: parseHex(m[2]!),
    base: parseHex(m[3]!),
    size: parseHex(m[5]!),
    nid: m[6] === undefined ? MAX_NUMNODES : parseDec(m[6]),
    flags: parseHex(m[7]!),
  }),
  (v) =>
    ` ${v.name}[0x${hex(v.idx)}]\t[${pa(v.base)}-${paInclusiveEnd(v.base, v.size)}], ${pa(v.size)} bytes` +
    `${v.nid === MAX_NUMNODES ? '' : ` on node ${v.nid}`} flags: 0x${hex(v.flags)}`,
);

/** What a memblock_dump_all() block carries. */
export interface MemblockDump {
  memorySize: number;
  reservedSize: number;
  memory: MemblockDumpRegion[];
  reserved: MemblockDumpRegion[];
}

interface DumpType {
  readonly name: string;
  readonly regions: readonly MemblockDumpRegion[];
  readonly totalSize: number;
}

/** The lines of __memblock_dump_all() (CONFIG_HAVE_MEMBLOCK_PHYS_MAP is off on x86: no physmem). */
export function emitMemblockDump(memory: DumpType, reserved: DumpType): string[] {
  const out = [
    memblockDumpHeaderLine.emit({}),
    memblockDumpSizeLine.emit({ memorySize: memory.totalSize, reservedSize: reserved.totalSize }),
  ];
  for (const t of [memory, reserved]) {
    out.push(memblockDumpCntLine.emit({ name: t.name, cnt: t.regions.length }));
    t.regions.forEach((r, idx) => out.push(memblockDumpRegionLine.emit({ ...r, name: t.name, idx })));
  }
  return out;
}

/**
 * Parse a dump block starting at the first "MEMBLOCK configuration:" at or after `start`.
 * Returns the regions and `end`, the index just past the block, or undefined when the
 * block is absent or malformed (missing lines, wrong order, indices out of sequence).
 */
export function parseMemblockDump(lines: readonly string[], start = 0): (MemblockDump & { end: number }) | undefined {
  let i = start;
  while (i < lines.length && !memblockDumpHeaderLine.parse(lines[i]!)) i++;
  const sizes = lines[i + 1] === undefined ? undefined : memblockDumpSizeLine.parse(lines[i + 1]!);
  if (!sizes) return undefined;
  i += 2;
  const types: MemblockDumpRegion[][] = [];
  for (const name of ['memory', 'reserved']) {
    const cnt = lines[i] === undefined ? undefined : memblockDumpCntLine.parse(lines[i]!);
    if (!cnt || cnt.name !== name) return undefined;
    i++;
    const regions: MemblockDumpRegion[] = [];
    for (let idx = 0; idx < cnt.cnt; idx++, i++) {
      const r = lines[i] === undefined ? undefined : memblockDumpRegionLine.parse(lines[i]!);
      if (!r || r.name !== name || r.idx !== idx) return undefined;
      regions.push({ base: r.base, size: r.size, flags: r.flags, nid: r.nid });
    }
    types.push(regions);
  }
  return { ...sizes, memory: types[0]!, reserved: types[1]!, end: i };
}
