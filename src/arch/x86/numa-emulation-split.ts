// SPDX-License-Identifier: GPL-2.0-only
// How NUMA emulation cuts the physical nodes into fake ones (arch/x86/mm/numa_emulation.c):
// round-robin over the physical nodes, each turn taking the next fake node from the start of
// that node's first remaining block, until every physical node is used up.
import { MAX_NUMNODES, NUMA_NO_NODE } from '../../include/mmzone.js';
import { PAGE_SIZE } from '../../include/pfn.js';
import type { Printk } from '../../kernel/printk.js';
import type { Memblock } from '../../mm/memblock.js';
import { absentPagesInRange } from '../../mm/node-ranges.js';
import * as F from '../../trace/formats/numa.js';
import type { NumaMemblk } from './numa-meminfo.js';

/** FAKE_NODE_MIN_SIZE (asm/numa.h): fake nodes are multiples of 32 MiB. */
export const FAKE_NODE_MIN_SIZE = 32 * 2 ** 20;
/** NR_NODE_MEMBLKS: the blocks a numa_meminfo holds. */
export const NR_NODE_MEMBLKS = MAX_NUMNODES * 2;
/** PFN_PHYS(MAX_DMA32_PFN): 4 GiB. */
const DMA32_END = 2 ** 32;

/** The state the split functions share: the physical layout being used up and the fake one being built. */
export interface EmuSplit {
  mb: Memblock;
  printk: Printk;
  /** The fake blocks (ei). */
  ei: NumaMemblk[];
  /** What is left of the physical blocks (pi). */
  pi: NumaMemblk[];
  /**
   * pi.blk[0] once pi is empty: numa_remove_memblk_from() only shifts the array down, so the
   * last block removed (its start moved up to its end) stays in slot 0. The "U" form reads it.
   */
  piStale: NumaMemblk | undefined;
  /** emu_nid_to_phys[]: the physical node of each fake node, NUMA_NO_NODE if none. */
  emuNidToPhys: number[];
  /** numa_nodes_parsed: the physical nodes. */
  parsed: ReadonlySet<number>;
}

const alignDown = (v: number, a: number): number => v - (v % a);
const alignUp = (v: number, a: number): number => alignDown(v + a - 1, a);

/** mirrors mem_hole_size(): bytes of [start, end) that no memblock.memory page covers. */
export function memHoleSize(mb: Memblock, start: number, end: number): number {
  const startPfn = Math.ceil(start / PAGE_SIZE);
  const endPfn = Math.floor(end / PAGE_SIZE);
  return startPfn < endPfn ? absentPagesInRange(mb, MAX_NUMNODES, startPfn, endPfn) * PAGE_SIZE : 0;
}

/** mirrors emu_find_memblk_by_nid(): the first block of physical node nid, -1 if none is left. */
const emuFindMemblkByNid = (nid: number, mi: NumaMemblk[]): number => mi.findIndex((b) => b.nid === nid);

/**
 * mirrors emu_setup_memblk(): fake node nid takes the first `size` bytes of pi[physBlk]; a block
 * used up leaves pi. False when ei is full.  pi [0, 5G) node 0, size 1G → ei gets [0, 1G) on nid, pi keeps [1G, 5G).
 */
function emuSetupMemblk(e: EmuSplit, nid: number, physBlk: number, size: number): boolean {
  if (e.ei.length >= NR_NODE_MEMBLKS) {
    e.printk.emit(F.emuTooManyMemblks, true);
    return false;
  }
  const pb = e.pi[physBlk]!;
  const eb = { start: pb.start, end: pb.start + size, nid };
  e.ei.push(eb);
  if (e.emuNidToPhys[nid] === NUMA_NO_NODE) e.emuNidToPhys[nid] = pb.nid;
  pb.start += size;
  if (pb.start >= pb.end) {
    e.pi.splice(physBlk, 1);
    if (!e.pi.length) e.piStale = pb;
  }
  e.printk.emit(F.emuNode, eb);
  return true;
}

/**
 * The two rules every split applies to a candidate end: a node stopping short of 4 GiB with less
 * than 32 MiB of RAM left below 4 GiB runs to 4 GiB (so ZONE_DMA32 never gets a sliver), and
 * (unless `uniform`) a node leaving less than `size` of RAM in its physical block takes the rest.
 */
function emuAdjustEnd(mb: Memblock, end: number, limit: number, size: number, uniform: boolean): number {
  if (end < DMA32_END && DMA32_END - end - memHoleSize(mb, end, DMA32_END) < FAKE_NODE_MIN_SIZE) end = DMA32_END;
  // With end past limit the kernel's u64 difference wraps to a huge value: no change.
  if (!uniform && end <= limit && limit - end - memHoleSize(mb, end, limit) < size) end = limit;
  return end;
}

/** Walk the physical nodes round-robin until all are used up; `nextEnd` picks each fake node's end. */
function emuFillPhysNodes(
  e: EmuSplit, physnodes: Set<number>, takeNid: () => number,
  nextEnd: (start: number, limit: number) => number,
): boolean {
  while (physnodes.size) {
    for (const i of [...physnodes].sort((a, b) => a - b)) {
      const physBlk = emuFindMemblkByNid(i, e.pi);
      if (physBlk < 0) {
        physnodes.delete(i);
        continue;
      }
      const { start, end: limit } = e.pi[physBlk]!;
      const end = nextEnd(start, limit);
      if (!emuSetupMemblk(e, takeNid(), physBlk, Math.min(end, limit) - start)) return false;
    }
  }
  return true;
}

/**
 * mirrors split_nodes_interleave() (numa=fake=N): N nodes of equal RAM over [addr, maxAddr). The
 * per-node size is rounded down to 32 MiB; what the rounding left over makes the first `big`
 * nodes 32 MiB larger.  5G with a 1G hole, N=4: 1G of RAM each → size 992M, big 3.
 */
export function splitNodesInterleave(e: EmuSplit, addr: number, maxAddr: number, nrNodes: number): boolean {
  if (nrNodes <= 0) return false;
  if (nrNodes > MAX_NUMNODES) {
    e.printk.emit(F.emuTooLarge, { asked: nrNodes, max: MAX_NUMNODES });
    nrNodes = MAX_NUMNODES;
  }
  const ram = maxAddr - addr - memHoleSize(e.mb, addr, maxAddr);
  let size = Math.floor(Math.floor(ram / PAGE_SIZE) / nrNodes) * PAGE_SIZE;
  const big = Math.floor(((size % FAKE_NODE_MIN_SIZE) * nrNodes) / FAKE_NODE_MIN_SIZE);
  size = alignDown(size, FAKE_NODE_MIN_SIZE);
  if (!size) {
    e.printk.emit(F.emuNotEnough, true);
    return false;
  }
  let nid = 0;
  return emuFillPhysNodes(e, new Set(e.parsed), () => nid++ % nrNodes, (start, limit) => {
    let end = start + size + (nid < big ? FAKE_NODE_MIN_SIZE : 0);
    // Grow by 32 MiB steps until the node holds `size` of RAM.
    while (end - start - memHoleSize(e.mb, start, end) < size) {
      end += FAKE_NODE_MIN_SIZE;
      if (end > limit) {
        end = limit;
        break;
      }
    }
    return emuAdjustEnd(e.mb, end, limit, size, false);
  });
}

/** mirrors find_end_of_node(): grow from start + size by 32 MiB until it holds size of RAM or reaches maxAddr. */
function findEndOfNode(mb: Memblock, start: number, maxAddr: number, size: number): number {
  let end = start + size;
  while (end - start - memHoleSize(mb, start, end) < size) {
    end += FAKE_NODE_MIN_SIZE;
    if (end > maxAddr) return maxAddr;
  }
  return end;
}

/**
 * mirrors uniform_size(): (RAM pages of [base, maxAddr) less `hole`) / nrNodes, in bytes. nrNodes
 * is an int the kernel divides an unsigned long by, so a negative one divides by about 2^64.
 */
function uniformSize(maxAddr: number, base: number, hole: number, nrNodes: number): number {
  const pages = Math.floor(maxAddr / PAGE_SIZE) - Math.floor(base / PAGE_SIZE) - Math.floor(hole / PAGE_SIZE);
  return nrNodes < 0 ? 0 : Math.floor(pages / nrNodes) * PAGE_SIZE;
}

/**
 * mirrors split_nodes_size_interleave_uniform(). nrNodes 0 (numa=fake=<size>): nodes of at least
 * `size` of RAM over all physical nodes, never more than MAX_NUMNODES of them. nrNodes > 0
 * (numa=fake=<N>U): physical node pblk.nid cut into nrNodes equal spans of address space, holes
 * included. Returns the next fake node id, or -1.
 */
export function splitNodesSizeInterleaveUniform(
  e: EmuSplit, addr: number, maxAddr: number, size: number, nrNodes: number, pblk: NumaMemblk | undefined, nid: number,
): number {
  if ((!size && !nrNodes) || (nrNodes && !pblk)) return -1;
  const uniform = nrNodes !== 0;
  const physnodes = uniform ? new Set([pblk!.nid]) : new Set(e.parsed);
  let minSize: number;
  if (uniform) {
    minSize = uniformSize(maxAddr, addr, 0, nrNodes);
    size = minSize;
  } else {
    minSize = uniformSize(maxAddr, addr, memHoleSize(e.mb, addr, maxAddr), MAX_NUMNODES);
  }
  minSize = alignUp(Math.max(minSize, FAKE_NODE_MIN_SIZE), FAKE_NODE_MIN_SIZE);
  if (size < minSize) {
    e.printk.emit(F.emuSizeTooSmall, { sizeMB: Math.floor(size / 2 ** 20), minMB: Math.floor(minSize / 2 ** 20) });
    size = minSize;
  }
  size = alignDown(size, FAKE_NODE_MIN_SIZE);
  const ok = emuFillPhysNodes(e, physnodes, () => nid++ % MAX_NUMNODES, (start, limit) => {
    const end = uniform ? start + size : findEndOfNode(e.mb, start, limit, size);
    return emuAdjustEnd(e.mb, end, limit, size, uniform);
  });
  return ok ? nid : -1;
}
