// SPDX-License-Identifier: GPL-2.0-only
// NUMA emulation, numa=fake= (arch/x86/mm/numa_emulation.c): replace the physical node layout
// with fake nodes cut from it, re-point the CPUs' nodes at them and rebuild the distance table.
// 6.1 reads the value three ways, by the letters it contains anywhere:
//   "U" (e.g. "2U"):     each physical node split into N equal spans of address space;
//   "M" or "G" ("512M"): nodes of at least that much RAM, interleaved over the physical nodes;
//   otherwise ("4"):     N nodes of equal RAM, interleaved over the physical nodes.
// A ":" right after the number starts a comma-separated distance matrix for the fake nodes.
import { MAX_NUMNODES, NUMA_NO_NODE } from '../../include/mmzone.js';
import { PAGE_SIZE, pfnPhys } from '../../include/pfn.js';
import { getOption, memparse, simpleStrtoull } from '../../kernel/cmdline.js';
import type { Printk } from '../../kernel/printk.js';
import { memblockGetCurrentLimit, memblockPhysAllocRange, memblockPhysFree, type Memblock } from '../../mm/memblock.js';
import { LOCAL_DISTANCE, REMOTE_DISTANCE } from '../../mm/zonelist.js';
import * as F from '../../trace/formats/numa.js';
import { type NumaDistance, numaResetDistance, numaSetDistance } from './numa-distance.js';
import { type EmuSplit, splitNodesInterleave, splitNodesSizeInterleaveUniform } from './numa-emulation-split.js';
import { numaCleanupMeminfo, type NumaMemblk } from './numa-meminfo.js';

/** What numa_emulation() reads and rewrites: numa_meminfo, numa_nodes_parsed, the CPUs' nodes, the distance table. */
export interface NumaEmulationState {
  /** numa_meminfo, cleaned up; replaced by the fake layout on success. */
  meminfo: NumaMemblk[];
  /** numa_reserved_meminfo: numa_cleanup_meminfo() of the fake layout moves RAM-less blocks here. */
  reservedMeminfo: NumaMemblk[];
  /** numa_nodes_parsed. */
  parsed: Set<number>;
  /** The nodes __apicid_to_node[] names. */
  cpuNodes: Set<number>;
  distance: NumaDistance;
}

/** Sizes of 2^62 and more make the kernel's u64 sums wrap; every such size takes whole physical nodes, as 2^62 does. */
const SIZE_CAP = 2 ** 62;

/** The fake layout, built in `e`; false when the kernel gives up (nothing is printed for a 0 or unreadable value). */
function emuSplit(e: EmuSplit, cmdline: string, maxAddr: number): { ok: boolean; rest: string } {
  if (cmdline.includes('U')) {
    const r = simpleStrtoull(cmdline, 0, 0);
    const nrNodes = Number(BigInt.asIntN(32, r.value));
    let nid = 0;
    for (const i of [...e.parsed].sort((a, b) => a - b)) {
      // Always the first block: emu_setup_memblk() removes the blocks it uses up from the front.
      const pblk = e.pi[0] ?? e.piStale;
      const ret = splitNodesSizeInterleaveUniform(e, pblk?.start ?? 0, pblk?.end ?? 0, 0, nrNodes, pblk, nid);
      if (ret < 0) return { ok: false, rest: cmdline.slice(r.end) };
      if (ret === nid) continue; // no memory left for this physical node
      if (BigInt(ret - nid) < r.value) {
        e.printk.emit(F.emuUniformShort, { phys: i, got: ret - nid, asked: Number(BigInt.asIntN(64, r.value)) });
        return { ok: false, rest: cmdline.slice(r.end) };
      }
      nid = ret;
    }
    return { ok: true, rest: cmdline.slice(r.end) };
  }
  if (cmdline.includes('M') || cmdline.includes('G')) {
    const r = memparse(cmdline, 0);
    const size = Math.min(Number(r.value), SIZE_CAP);
    return { ok: splitNodesSizeInterleaveUniform(e, 0, maxAddr, size, 0, undefined, 0) >= 0, rest: cmdline.slice(r.end) };
  }
  const r = simpleStrtoull(cmdline, 0, 0);
  return { ok: splitNodesInterleave(e, 0, maxAddr, Number(BigInt.asIntN(32, r.value))), rest: cmdline.slice(r.end) };
}

/** mirrors setup_emu2phys_nid(): the highest fake node id, and the physical node of the lowest. */
function setupEmu2physNid(emuNidToPhys: number[]): { maxEmuNid: number; dflPhysNid: number } {
  let maxEmuNid = 0;
  let dflPhysNid = NUMA_NO_NODE;
  emuNidToPhys.forEach((phys, i) => {
    if (phys === NUMA_NO_NODE) return;
    maxEmuNid = i;
    if (dflPhysNid === NUMA_NO_NODE) dflPhysNid = phys;
  });
  return { maxEmuNid, dflPhysNid };
}

/**
 * mirrors numa_emulation(): with numa=fake= given, swap numa_meminfo for the fake layout and
 * return emu_nid_to_phys[]; otherwise (or when emulation fails) leave everything and return the
 * identity. The copy of the physical distance table and the new table are memblock allocations.
 */
export function numaEmulation(
  mb: Memblock, st: NumaEmulationState, cmdline: string | undefined, maxPfn: number, printk: Printk,
): number[] {
  const identity = Array.from({ length: MAX_NUMNODES }, (_, i) => i);
  if (cmdline === undefined) return identity;
  const e: EmuSplit = {
    mb, printk, ei: [], pi: st.meminfo.map((b) => ({ ...b })), piStale: undefined,
    emuNidToPhys: new Array<number>(MAX_NUMNODES).fill(NUMA_NO_NODE), parsed: st.parsed,
  };
  const split = emuSplit(e, cmdline, pfnPhys(maxPfn));
  let rest = split.rest.startsWith(':') ? split.rest.slice(1) : split.rest;
  if (!split.ok) return identity;
  if (!numaCleanupMeminfo(mb, e.ei, st.reservedMeminfo, maxPfn, printk)) {
    printk.emit(F.emuMeminfoInvalid, true);
    return identity;
  }
  // Copy the physical distance table (the SLIT's), if there is one.
  const physCnt = st.distance.cnt;
  const physDist = [...st.distance.table];
  let physAddr = 0;
  if (physCnt) {
    physAddr = memblockPhysAllocRange(mb, physCnt * physCnt, PAGE_SIZE, 0, memblockGetCurrentLimit(mb), 'numa_emulation');
    if (!physAddr) {
      printk.emit(F.emuNoDistCopy, true);
      return identity;
    }
  }
  const { maxEmuNid, dflPhysNid } = setupEmu2physNid(e.emuNidToPhys);
  // Commit: the fake layout, and the fake nodes as the parsed ones.
  st.meminfo.splice(0, st.meminfo.length, ...e.ei);
  st.parsed.clear();
  for (const b of e.ei) st.parsed.add(b.nid);
  // A CPU's node becomes the first fake node on its physical node (0 when there is none).
  const cpus = [...st.cpuNodes];
  st.cpuNodes.clear();
  for (const phys of cpus) st.cpuNodes.add(Math.max(e.emuNidToPhys.indexOf(phys), 0));
  const emuNidToPhys = e.emuNidToPhys.map((p) => (p === NUMA_NO_NODE ? dflPhysNid : p));

  numaResetDistance(mb, st.distance);
  const ctx = { mb, printk, d: st.distance, nodes: () => st.parsed };
  for (let i = 0; i <= maxEmuNid; i++) {
    for (let j = 0; j <= maxEmuNid; j++) {
      const physi = emuNidToPhys[i]!;
      const physj = emuNidToPhys[j]!;
      const opt = getOption(rest, 0);
      rest = rest.slice(opt.end);
      let dist: number;
      if (opt.ret === 2) dist = opt.value;
      else if (physi >= physCnt || physj >= physCnt) dist = physi === physj ? LOCAL_DISTANCE : REMOTE_DISTANCE;
      else dist = physDist[physi * physCnt + physj]!;
      numaSetDistance(ctx, i, j, dist);
    }
  }
  // numa_emulation() ends in a tail call of memblock_free(): the trace names numa_init() as the caller.
  if (physAddr) memblockPhysFree(mb, physAddr, physCnt * physCnt, 'numa_init');
  return emuNidToPhys;
}
