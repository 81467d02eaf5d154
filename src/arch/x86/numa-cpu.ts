// SPDX-License-Identifier: GPL-2.0-only
// The node of each cpu before the percpu areas exist (arch/x86/mm/numa.c): numa_init() deals
// every cpu round-robin over the online nodes (numa_init_array()), then setup_arch()'s
// init_cpu_to_node() moves each cpu the SRAT places to its node and brings that node online,
// memoryless or not. early_cpu_to_node() reads the result; setup_per_cpu_areas() then gives
// each node its cpumask.
import { NUMA_NO_NODE } from '../../include/mmzone.js';
import { allocBootmemCpumaskVar } from '../../kernel/cpumask.js';
import type { Memblock } from '../../mm/memblock-type.js';
import type { Srat } from './firmware.js';
import type { NumaState } from './numa.js';

/**
 * numa_init_array(): cpu i → the i-th online node, wrapping (next_node_in()). Online {0, 2},
 * 3 cpus → [0, 2, 0].
 */
export function numaInitArray(nrCpus: number, online: readonly number[]): number[] {
  const nodes = [...online].sort((a, b) => a - b);
  return Array.from({ length: nrCpus }, (_, cpu) => nodes[cpu % nodes.length]!);
}

/**
 * numa_cpu_node() for cpus 0..nrCpus-1: the __apicid_to_node[] entry of the cpu's APIC id,
 * NUMA_NO_NODE when the SRAT was not used or does not list it. Cpus are numbered in APIC id
 * order (the MADT's, as QEMU builds it). NUMA emulation maps the SRAT's node to the first
 * fake node on it (0 when none is), as numa_emulation() rewrites __apicid_to_node[].
 */
export function numaCpuNodes(numa: NumaState, srat: Srat | undefined, nrCpus: number): number[] {
  const entries = numa.fromSrat && srat ? [...srat.cpus].sort((a, b) => a.apic - b.apic) : [];
  return Array.from({ length: nrCpus }, (_, cpu) => {
    const e = entries[cpu];
    if (!e) return NUMA_NO_NODE;
    // emuNidToPhys is the identity without numa=fake; a fake node 0 always exists with it.
    return Math.max(numa.emuNidToPhys.indexOf(e.nid), 0);
  });
}

export interface CpuToNode {
  /** x86_cpu_to_node_map: each cpu's node. */
  cpuToNode: number[];
  /** node_online_map afterwards: the nodes with NODE_DATA plus those init_cpu_to_node() onlined. */
  online: Set<number>;
}

/** numa_init_array() at the end of numa_init(), then init_cpu_to_node(). */
export function initCpuToNode(numa: NumaState, srat: Srat | undefined, nrCpus: number): CpuToNode {
  const cpuToNode = numaInitArray(nrCpus, [...numa.online]);
  const online = new Set(numa.online);
  numaCpuNodes(numa, srat, nrCpus).forEach((node, cpu) => {
    if (node === NUMA_NO_NODE) return;
    online.add(node);
    cpuToNode[cpu] = node;
  });
  return { cpuToNode, online };
}

/** setup_node_to_cpumask_map(): one cpumask per node id below nr_node_ids, possible or not. */
export function setupNodeToCpumaskMap(mb: Memblock, nrNodeIds: number, nrCpumaskBits: number): void {
  for (let node = 0; node < nrNodeIds; node++) allocBootmemCpumaskVar(mb, nrCpumaskBits);
}
