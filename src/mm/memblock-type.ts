// struct memblock, struct memblock_type and the primitive edits of a region array
// (mm/memblock.c: the static initializer, memblock_insert_region, memblock_remove_region,
// memblock_merge_regions, memblock_cap_size).
import {
  INIT_MEMBLOCK_MEMORY_REGIONS,
  INIT_MEMBLOCK_RESERVED_REGIONS,
  MEMBLOCK_ALLOC_ANYWHERE,
  MemblockFlag,
} from '../include/memblock.js';
import { MAX_NUMNODES } from '../include/mmzone.js';
import { PHYS_ADDR_MAX } from '../include/pfn.js';

/** struct memblock_region: [base, base + size) with flags and node (MAX_NUMNODES when unset). */
export interface MemblockRegion {
  base: number;
  size: number;
  flags: number;
  nid: number;
}

/** struct memblock_type. */
export interface MemblockType {
  readonly name: 'memory' | 'reserved';
  /**
   * regions[0 .. cnt): sorted, disjoint, maximally merged. Like the kernel's array, an empty
   * type still holds one zero-size dummy region, so cnt (= regions.length) never drops below 1.
   */
  regions: MemblockRegion[];
  /** Capacity before memblock_double_array must grow the array. */
  max: number;
  totalSize: number;
  /** Physical address of the array once memblock_double_array moved it; undefined for the static one. */
  arrayPhys?: number;
}

/** struct memblock plus the few file-scope flags of mm/memblock.c that change its behaviour. */
export interface Memblock {
  memory: MemblockType;
  reserved: MemblockType;
  bottomUp: boolean;
  currentLimit: number;
  /** movable_node_is_enabled(): allocations skip MEMBLOCK_HOTPLUG memory. */
  movableNode: boolean;
  /** system_has_some_mirror: allocations try MEMBLOCK_MIRROR memory first. */
  mirror: boolean;
  /** mirrored_kernelcore (kernelcore=mirror): memblock_mark_mirror does nothing without it. */
  mirroredKernelcore: boolean;
  /** memblock_can_resize: set by memblock_allow_resize(); until then full arrays cannot grow. */
  canResize: boolean;
  /** memblock=debug: receives each memblock_dbg() line (no timestamp). */
  debug?: (line: string) => void;
  /** Unconditional pr_err/pr_warn lines (array doubling failure, mirror fallback). */
  log?: (line: string) => void;
}

export interface MemblockOptions {
  movableNode?: boolean;
  mirroredKernelcore?: boolean;
  canResize?: boolean;
  debug?: (line: string) => void;
  log?: (line: string) => void;
}

/** sizeof(struct memblock_region) on x86_64 with CONFIG_NUMA: two u64, the flags enum and an int nid. */
export const MEMBLOCK_REGION_BYTES = 24;

/**
 * The dummy entry of an empty type. The static arrays start zeroed (nid 0, so the first dump
 * says "on node 0"); memblock_remove_region re-creates it with nid MAX_NUMNODES.
 */
const memblockEmptyRegion = (nid: number): MemblockRegion => ({ base: 0, size: 0, flags: 0, nid });

function memblockTypeCreate(name: 'memory' | 'reserved', max: number): MemblockType {
  return { name, regions: [memblockEmptyRegion(0)], max, totalSize: 0 };
}

/** The static initializer of `struct memblock memblock`. */
export function memblockCreate(opts: MemblockOptions = {}): Memblock {
  const mb: Memblock = {
    memory: memblockTypeCreate('memory', INIT_MEMBLOCK_MEMORY_REGIONS),
    reserved: memblockTypeCreate('reserved', INIT_MEMBLOCK_RESERVED_REGIONS),
    bottomUp: false,
    currentLimit: MEMBLOCK_ALLOC_ANYWHERE,
    movableNode: opts.movableNode ?? false,
    mirror: false,
    mirroredKernelcore: opts.mirroredKernelcore ?? false,
    canResize: opts.canResize ?? false,
  };
  if (opts.debug) mb.debug = opts.debug;
  if (opts.log) mb.log = opts.log;
  return mb;
}

/** memblock_allow_resize(). */
export function memblockAllowResize(mb: Memblock): void {
  mb.canResize = true;
}

/**
 * memblock_cap_size(): the end of [base, base + size), kept at or below PHYS_ADDR_MAX so that
 * "size = ~0" means "to the top" ("0x1000, ~0 → end ~0, size ~0 - 0x1000").
 */
export const memblockCapEnd = (base: number, size: number): number => Math.min(base + size, PHYS_ADDR_MAX);

/** choose_memblock_flags(): mirrored memory first once the system has some. */
export const chooseMemblockFlags = (mb: Memblock): number => (mb.mirror ? MemblockFlag.MIRROR : MemblockFlag.NONE);

/** memblock_insert_region(): the caller guarantees room (cnt < max), as the kernel's BUG_ON does. */
export function memblockInsertRegion(
  type: MemblockType,
  idx: number,
  base: number,
  size: number,
  nid: number,
  flags: number,
): void {
  if (type.regions.length >= type.max) throw new Error(`BUG: memblock ${type.name} array full on insert`);
  type.regions.splice(idx, 0, { base, size, flags, nid });
  type.totalSize += size;
}

/** memblock_remove_region(): drop region r; an emptied array gets its dummy entry back. */
export function memblockRemoveRegion(type: MemblockType, r: number): void {
  type.totalSize -= type.regions[r]!.size;
  type.regions.splice(r, 1);
  if (type.regions.length === 0) type.regions.push(memblockEmptyRegion(MAX_NUMNODES));
}

/** memblock_merge_regions(): join neighbours that touch and agree on nid and flags. */
export function memblockMergeRegions(type: MemblockType): void {
  const regions = type.regions;
  let i = 0;
  while (i < regions.length - 1) {
    const cur = regions[i]!;
    const next = regions[i + 1]!;
    if (cur.base + cur.size !== next.base || cur.nid !== next.nid || cur.flags !== next.flags) {
      if (cur.base + cur.size > next.base) throw new Error(`BUG: memblock ${type.name} regions overlap`);
      i++;
      continue;
    }
    cur.size += next.size;
    regions.splice(i + 1, 1);
  }
}
