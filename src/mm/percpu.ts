// SPDX-License-Identifier: GPL-2.0-only
// The embedding first-chunk allocator of mm/percpu.c: each group of nearby cpus gets one
// node-local area from memblock, the unused tail of every unit goes back, and the first
// chunk is set up on the result. The page-mapped fallback (pcpu_page_first_chunk()) is not
// modelled: where the kernel would fall back, PcpuError is thrown.
import { MEMBLOCK_ALLOC_ACCESSIBLE, SMP_CACHE_BYTES } from '../include/memblock.js';
import { MAX_DMA_PFN, NUMA_NO_NODE } from '../include/mmzone.js';
import { NR_CPUS, SIZEOF_PTR } from '../include/percpu.js';
import { PAGE_SIZE, pfnDown, pfnPhys, roundUp } from '../include/pfn.js';
import type { Printk } from '../kernel/printk.js';
import { percpuEmbedded, percpuNoNode } from '../trace/formats/percpu.js';
import { memblockAlloc, memblockAllocFrom, memblockAllocTryNid } from './memblock-alloc.js';
import { memblockPhysFree } from './memblock-range.js';
import type { Memblock } from './memblock-type.js';
import { pcpuBuildAllocInfo, PcpuError, type PcpuAllocInfo, type PcpuBuildOptions } from './percpu-alloc-info.js';
import { pcpuSetupFirstChunk } from './percpu-first-chunk.js';

export { PcpuError, type PcpuAllocInfo } from './percpu-alloc-info.js';

/** __pa(MAX_DMA_ADDRESS): percpu areas prefer memory above ZONE_DMA (16 MiB). */
export const PCPU_FC_GOAL = pfnPhys(MAX_DMA_PFN);

/** pcpu_embed_first_chunk()'s arguments: the sizing and grouping ones, and where each group's memory comes from. */
export interface PcpuEmbedOptions extends PcpuBuildOptions {
  /** The arch's cpu → node; absent: NUMA_NO_NODE. */
  cpuToNode?: (cpu: number) => number;
  /** node_online(nid) && NODE_DATA(nid): the node can take a node-local allocation. */
  nodeUsable: (nid: number) => boolean;
}

export interface PcpuFirstChunk {
  ai: PcpuAllocInfo;
  /** Physical address of each group's area. */
  areas: number[];
  /** The lowest area: pcpu_base_addr. */
  base: number;
}

/**
 * pcpu_fc_alloc(): the group's area on its first cpu's node, above 16 MiB if it can; a cpu
 * without a usable node takes any node's memory, and says so.
 */
export function pcpuFcAlloc(mb: Memblock, printk: Printk, cpu: number, size: number, align: number, o: PcpuEmbedOptions): number {
  const node = o.cpuToNode ? o.cpuToNode(cpu) : NUMA_NO_NODE;
  if (node === NUMA_NO_NODE || !o.nodeUsable(node)) {
    const ptr = memblockAllocFrom(mb, size, align, PCPU_FC_GOAL, 'pcpu_fc_alloc');
    printk.emit(percpuNoNode, { cpu, nid: node });
    return ptr;
  }
  return memblockAllocTryNid(mb, size, align, PCPU_FC_GOAL, MEMBLOCK_ALLOC_ACCESSIBLE, node, 'pcpu_fc_alloc');
}

/**
 * pcpu_embed_first_chunk(): the alloc info, the array of area pointers, one area per group,
 * then each unit's unused tail (or a whole unused unit) back to memblock, and the first chunk
 * set up; the info and the array are freed at the end. Frees run through pcpu_fc_free() and
 * pcpu_free_alloc_info(), both inlined: the trace names pcpu_embed_first_chunk.
 */
export function pcpuEmbedFirstChunk(mb: Memblock, printk: Printk, o: PcpuEmbedOptions): PcpuFirstChunk {
  const caller = 'pcpu_embed_first_chunk';
  const ai = pcpuBuildAllocInfo(mb, o);
  const sizeSum = ai.staticSize + ai.reservedSize + ai.dynSize;
  const areasSize = roundUp(ai.groups.length * SIZEOF_PTR, PAGE_SIZE);
  const areasAddr = memblockAlloc(mb, areasSize, SMP_CACHE_BYTES, caller);
  if (!areasAddr) throw new PcpuError(`${caller}: no memory for the areas array`);

  const areas = ai.groups.map((g) => {
    const cpu = g.cpuMap.find((c) => c !== NR_CPUS)!;
    const ptr = pcpuFcAlloc(mb, printk, cpu, g.nrUnits * ai.unitSize, ai.atomSize, o);
    if (!ptr) throw new PcpuError(`${caller}: no memory for the area of cpu ${cpu}'s group`);
    return ptr;
  });
  const base = Math.min(...areas);
  // (pcpu_embed_first_chunk() also gives up when the areas span over 3/4 of the vmalloc space,
  // 24 TiB with 4-level paging: not modelled.)

  ai.groups.forEach((g, group) => {
    g.cpuMap.forEach((cpu, i) => {
      const ptr = areas[group]! + i * ai.unitSize;
      if (cpu === NR_CPUS) memblockPhysFree(mb, ptr, ai.unitSize, caller);
      else memblockPhysFree(mb, ptr + sizeSum, ai.unitSize - sizeSum, caller);
    });
    g.baseOffset = areas[group]! - base;
  });

  printk.emit(percpuEmbedded, {
    pages: pfnDown(sizeSum), staticSize: ai.staticSize, reservedSize: ai.reservedSize, dynSize: ai.dynSize, unitSize: ai.unitSize,
  });
  const nrCpuIds = Math.max(...o.cpus) + 1;
  pcpuSetupFirstChunk(mb, printk, ai, base, nrCpuIds, o.cpus.length);

  memblockPhysFree(mb, ai.addr, ai.aiSize, caller);
  memblockPhysFree(mb, areasAddr, areasSize, caller);
  return { ai, areas, base };
}
