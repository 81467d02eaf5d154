// SPDX-License-Identifier: GPL-2.0-only
// alloc_large_system_hash() (mm/page_alloc.c of 6.1): boot-time hash tables sized from the
// memory the zones will manage, allocated from memblock early (HASH_EARLY) or from vmalloc
// once it runs, and the hashdist switch that picks between them on NUMA machines.
import { KernelPanic } from '../kernel/panic.js';
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import { PAGE_SHIFT, PAGE_SIZE, SZ_1M } from '../include/pfn.js';
import type { Machine } from '../kernel/machine.js';
import { paramName, simpleStrtoull } from '../kernel/cmdline.js';
import { hashTableEntries, type HashKind } from '../trace/formats/hash.js';
import { memblockAlloc, memblockAllocRaw } from './memblock.js';
import type { ZoneLayout } from './zone.js';

export const HASH_EARLY = 0x1;
export const HASH_SMALL = 0x2;
export const HASH_ZERO = 0x4;

/** Above 64 GiB of memory every ×4 adds one to the scale, so tables grow slower than memory. */
const ADAPT_SCALE_NPAGES = (64 * 2 ** 30) / PAGE_SIZE;
const ADAPT_SCALE_SHIFT = 2;
/** PMD_SIZE: vmalloc_huge() maps with 2 MiB pages when each node's share is at least this. */
const PMD_SIZE = 2 * SZ_1M;

/** What a caller asks for (the arguments of alloc_large_system_hash()). */
export interface HashSpec {
  table: string;
  bucketsize: number;
  /** Entries asked for on the command line (dhash_entries=…); 0 to size from memory. */
  numentries: number;
  /** log2 of the bytes of low memory per bucket. */
  scale: number;
  flags: number;
  /** With HASH_SMALL: the smallest log2 of entries (the caller's *_hash_shift on entry). */
  hashShift?: number;
  lowLimit: number;
  highLimit: number;
}

/** The memory the sizing reads: nr_kernel_pages and nr_all_pages (arch_reserved_kernel_pages() is 0 on x86). */
export interface HashMemory {
  nrKernelPages: number;
  nrAllPages: number;
}

/** roundup_pow_of_two() ("5 → 8", "8 → 8"). */
export const roundupPowOfTwo = (n: number): number => (n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n)));
/** ilog2() of a positive integer ("8 → 3", "9 → 3"). */
export const ilog2 = (n: number): number => Math.floor(Math.log2(n));
/** get_order(): the smallest order of pages holding size bytes ("4096 → 0", "4097 → 1", "4 MiB → 10"). */
export const getOrder = (size: number): number => Math.max(0, Math.ceil(Math.log2(Math.ceil(size / PAGE_SIZE))));

/**
 * The log2 of the entries alloc_large_system_hash() asks for first. Worked example, pc-4g's
 * dentry cache (8-byte buckets, scale 13): nr_kernel_pages 1031904 rounds up to a whole MiB,
 * 1032192 pages; below 64 GiB the scale stays 13, one bucket per 8 KiB is 516096 entries,
 * rounded up to 2^19 = 524288; the 1/16-of-memory cap (33 million here) does not bite.
 */
export function largeSystemHashShift(spec: HashSpec, mem: HashMemory): number {
  let numentries = spec.numentries;
  if (!numentries) {
    const mibPages = SZ_1M / PAGE_SIZE;
    numentries = Math.ceil(mem.nrKernelPages / mibPages) * mibPages;
    let scale = spec.scale;
    if (!spec.highLimit) {
      for (let adapt = ADAPT_SCALE_NPAGES; adapt < numentries; adapt *= 2 ** ADAPT_SCALE_SHIFT) scale++;
    }
    numentries = scale > PAGE_SHIFT ? Math.floor(numentries / 2 ** (scale - PAGE_SHIFT)) : numentries * 2 ** (PAGE_SHIFT - scale);
    if (spec.flags & HASH_SMALL) {
      const min = 2 ** (spec.hashShift ?? 0);
      if (numentries < min) numentries = min;
    } else if (numentries * spec.bucketsize < PAGE_SIZE) {
      numentries = Math.floor(PAGE_SIZE / spec.bucketsize);
    }
  }
  numentries = roundupPowOfTwo(numentries);
  let max = spec.highLimit;
  if (max === 0) max = Math.floor((mem.nrAllPages * PAGE_SIZE) / 16 / spec.bucketsize);
  max = Math.min(max, 0x80000000);
  if (numentries < spec.lowLimit) numentries = spec.lowLimit;
  if (numentries > max) numentries = max;
  return ilog2(numentries);
}

/**
 * nr_kernel_pages and nr_all_pages as free_area_init_core() leaves them: each zone's present
 * pages less its memmap (and the DMA reserve in zone 0), i.e. the zones' first managed_pages
 * estimate, summed. x86_64 has no highmem, so the two are equal. They depend on memblock only
 * through dma_reserve (memblock_find_dma_reserve() in paging_init()).
 */
export function nrKernelPages(zones: ZoneLayout): HashMemory {
  let n = 0;
  for (const pg of zones.nodes.values()) for (const z of pg.zones) n += z.managedEstimate;
  return { nrKernelPages: n, nrAllPages: n };
}

/** N_MEMORY after free_area_init(): the nodes with present pages. */
export const nodesWithMemory = (zones: ZoneLayout): number[] =>
  [...zones.nodes.values()].filter((pg) => pg.nodePresentPages > 0).map((pg) => pg.nodeId);

/**
 * The value the last "name=value" gives a __setup("name=") handler that reads it with
 * simple_strtoul() (hashdist=, dhash_entries=, ihash_entries=); undefined when absent.
 */
export function setupStrtoul(m: Machine, name: string): bigint | undefined {
  let v: bigint | undefined;
  for (const a of m.params.args) if (a.val !== undefined && paramName(a.param) === name) v = simpleStrtoull(a.val).value;
  return v;
}

/** dhash_entries= / ihash_entries=: a table size asked for, 0 (size from memory) when absent. */
export const hashEntriesParam = (m: Machine, name: string): number => Number(setupStrtoul(m, name) ?? 0n);

/**
 * hashdist when the early hash tables are made: HASHDIST_DEFAULT (1 on a NUMA build), cleared
 * by page_alloc_init() when a single node has memory, then hashdist= (a __setup() handler
 * parse_args() runs after page_alloc_init(), so it wins either way; an int, so only its low 32
 * bits count).
 */
export function hashdistAtBoot(m: Machine): boolean {
  const param = setupStrtoul(m, 'hashdist');
  if (param !== undefined) return BigInt.asIntN(32, param) !== 0n;
  return nodesWithMemory(m.zones!).length !== 1;
}

/**
 * alloc_large_system_hash() for HASH_EARLY tables: memblock_alloc() (HASH_ZERO) or
 * memblock_alloc_raw(), halving on failure down to one page. Returns log2 of the entries.
 */
export function allocLargeSystemHashEarly(m: Machine, spec: HashSpec, mem: HashMemory): number {
  const mb = m.memblock!;
  let log2qty = largeSystemHashShift(spec, mem);
  let table = 0;
  let size: number;
  do {
    size = spec.bucketsize * 2 ** log2qty;
    const alloc = spec.flags & HASH_ZERO ? memblockAlloc : memblockAllocRaw;
    table = alloc(mb, size, SMP_CACHE_BYTES, 'alloc_large_system_hash');
  } while (!table && size > PAGE_SIZE && --log2qty);
  if (!table) throw new KernelPanic(`Failed to allocate ${spec.table} hash table`);
  m.printk.emit(hashTableEntries, { table: spec.table, entries: 2 ** log2qty, order: getOrder(size), bytes: size, kind: 'linear' });
  return log2qty;
}

/**
 * What the vmalloc branch prints: vmalloc_huge() maps with PMDs when the table's share per
 * online node is at least PMD_SIZE (pc-8g-numa4: an 8 MiB dentry table over 4 nodes is
 * "vmalloc hugepage", its 4 MiB inode table "vmalloc"). Returns log2 of the entries.
 */
export function allocLargeSystemHashVmalloc(m: Machine, spec: HashSpec, mem: HashMemory): number {
  const log2qty = largeSystemHashShift(spec, mem);
  const size = spec.bucketsize * 2 ** log2qty;
  const kind: HashKind = size / Math.max(1, m.onlineNodes.length) >= PMD_SIZE ? 'vmalloc hugepage' : 'vmalloc';
  m.printk.emit(hashTableEntries, { table: spec.table, entries: 2 ** log2qty, order: getOrder(size), bytes: size, kind });
  return log2qty;
}
