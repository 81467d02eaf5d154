// SPDX-License-Identifier: GPL-2.0-only
// The cpumasks x86's setup_per_cpu_areas() (arch/x86/kernel/setup_percpu.c of 6.1) allocates
// once the percpu areas are in place, just before start_kernel() builds the zonelists: one
// node_to_cpumask_map[] entry per node id (arch/x86/mm/numa.c), then the four masks of
// setup_cpu_local_masks() (arch/x86/kernel/cpu/common.c). pc-4g: 1 + 4 = 5 masks of 8 bytes;
// numa=fake=200: 200 + 4.
import { allocBootmemCpumaskVar, nrCpuIds } from '../../kernel/cpumask.js';
import type { Machine } from '../../kernel/machine.js';

/** nr_node_ids: setup_nr_node_ids() makes it the highest possible node + 1, holes included. */
export const nrNodeIds = (m: Machine): number => Math.max(...m.numa!.possible) + 1;

/** setup_node_to_cpumask_map(): a mask for every node id below nr_node_ids. */
export function setupNodeToCpumaskMap(m: Machine): void {
  for (let node = 0; node < nrNodeIds(m); node++) allocBootmemCpumaskVar(m.memblock!, nrCpuIds(m));
}

/** setup_cpu_local_masks(): cpu_initialized_mask, cpu_callin_mask, cpu_callout_mask, cpu_sibling_setup_mask. */
export function setupCpuLocalMasks(m: Machine): void {
  for (let i = 0; i < 4; i++) allocBootmemCpumaskVar(m.memblock!, nrCpuIds(m));
}

/**
 * The end of setup_per_cpu_areas(), after the first percpu chunk: call it right after the
 * percpu allocations and before build_all_zonelists() (the 'zonelists' phase).
 */
export function setupPerCpuCpumasks(m: Machine): void {
  setupNodeToCpumaskMap(m);
  setupCpuLocalMasks(m);
}
