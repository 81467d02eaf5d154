// SPDX-License-Identifier: GPL-2.0-only
// Off-stack cpumasks (lib/cpumask.c, include/linux/cpumask.h of 6.1). Debian builds with
// CONFIG_CPUMASK_OFFSTACK=y and NR_CPUS=8192, so a cpumask_var_t made before the slab
// allocator is a memblock allocation sized for nr_cpu_ids, not for NR_CPUS.
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import { memblockAlloc, type Memblock } from '../mm/memblock.js';
import type { Machine } from './machine.js';

/**
 * nr_cpu_ids: one more than the highest possible CPU. The machine's CPUs are all possible
 * (QEMU's -smp count; the corpus's "setup_percpu: … nr_cpu_ids:" agrees on every boot).
 */
export const nrCpuIds = (m: Machine): number => m.firmware.nrCpus;

/** cpumask_size(): whole longs for nr_cpu_ids bits ("2 CPUs → 8 bytes", "65 → 16"). */
export const cpumaskSize = (nrCpus: number): number => Math.ceil(nrCpus / 64) * 8;

/** alloc_bootmem_cpumask_var(): memblock_alloc() of one mask; the kernel panics if it fails. */
export function allocBootmemCpumaskVar(mb: Memblock, nrCpus: number): number {
  const size = cpumaskSize(nrCpus);
  const mask = memblockAlloc(mb, size, SMP_CACHE_BYTES, 'alloc_bootmem_cpumask_var');
  if (!mask) throw new Error(`kernel would panic: alloc_bootmem_cpumask_var: Failed to allocate ${size} bytes`);
  return mask;
}
