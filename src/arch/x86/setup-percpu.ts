// SPDX-License-Identifier: GPL-2.0-only
// setup_per_cpu_areas() (arch/x86/kernel/setup_percpu.c): start_kernel() calls it after
// setup_arch() and setup_command_line(), before build_all_zonelists(). On x86_64 it embeds the
// first percpu chunk in 2 MiB-aligned node-local memory, grouping cpus by node.
import { DEBIAN_PERCPU_STATIC_SIZE, NR_CPUS, PERCPU_DYNAMIC_RESERVE, PERCPU_MODULE_RESERVE } from '../../include/percpu.js';
import type { Machine } from '../../kernel/machine.js';
import { pcpuEmbedFirstChunk, type PcpuFirstChunk } from '../../mm/percpu.js';
import { LOCAL_DISTANCE, REMOTE_DISTANCE } from '../../mm/zonelist.js';
import { setupPercpu } from '../../trace/formats/percpu.js';
import { allocBootmemCpumaskVar } from '../../kernel/cpumask.js';
import type { Memblock } from '../../mm/memblock-type.js';
import { initCpuToNode, setupNodeToCpumaskMap } from './numa-cpu.js';
import { PMD_SIZE } from './pgtable.js';

/** PERCPU_FIRST_CHUNK_RESERVE on x86_64 SMP: the module reserve lives in the first chunk. */
export const PERCPU_FIRST_CHUNK_RESERVE = PERCPU_MODULE_RESERVE;

/**
 * setup_per_cpu_areas() as far as memory goes: prints the cpu and node counts, then
 * pcpu_embed_first_chunk() with the module reserve, 28 KiB of dynamic space and a PMD-sized
 * atom, cpus grouped when on the same node (pcpu_cpu_distance()) and each group's area on its
 * node (pcpu_cpu_to_node()); then a cpumask per node id and the four cpu-local masks. Call it on a machine whose setup phases ran up to 'zones'
 * (paging_init() gave memoryless nodes their pg_data_t). Every possible cpu is a firmware cpu
 * (no hotplug cpus). percpu_alloc=page and the fallback to it are not modelled: where the
 * kernel would fall back or panic, PcpuError is thrown.
 */
export function setupPerCpuAreas(m: Machine): PcpuFirstChunk {
  const numa = m.numa!;
  const nrCpuIds = m.firmware.nrCpus;
  // nr_node_ids: setup_nr_node_ids() counts up to the last possible node.
  const nrNodeIds = Math.max(...numa.possible) + 1;
  // CONFIG_CPUMASK_OFFSTACK: cpumasks are nr_cpu_ids bits long.
  m.printk.emit(setupPercpu, { nrCpus: NR_CPUS, nrCpumaskBits: nrCpuIds, nrCpuIds, nrNodeIds });
  const { cpuToNode, online } = initCpuToNode(numa, m.firmware.srat, nrCpuIds);
  const node = (cpu: number): number => cpuToNode[cpu]!;
  const chunk = pcpuEmbedFirstChunk(m.memblock!, m.printk, {
    staticSize: DEBIAN_PERCPU_STATIC_SIZE,
    reservedSize: PERCPU_FIRST_CHUNK_RESERVE,
    dynSize: PERCPU_MODULE_RESERVE + PERCPU_DYNAMIC_RESERVE - PERCPU_FIRST_CHUNK_RESERVE,
    atomSize: PMD_SIZE,
    cpus: Array.from({ length: nrCpuIds }, (_, cpu) => cpu),
    cpuDistance: (from, to) => (node(from) === node(to) ? LOCAL_DISTANCE : REMOTE_DISTANCE),
    cpuToNode: node,
    // free_area_init() gave every possible node a pg_data_t, memoryless ones included.
    nodeUsable: (nid) => online.has(nid) && numa.possible.includes(nid),
  });
  setupNodeToCpumaskMap(m.memblock!, nrNodeIds, nrCpuIds);
  setupCpuLocalMasks(m.memblock!, nrCpuIds);
  return chunk;
}

/** mirrors setup_cpu_local_masks() (arch/x86/kernel/cpu/common.c): the initialized, callin, callout and sibling-setup masks. */
function setupCpuLocalMasks(mb: Memblock, nrCpumaskBits: number): void {
  for (let i = 0; i < 4; i++) allocBootmemCpumaskVar(mb, nrCpumaskBits);
}
