// SPDX-License-Identifier: GPL-2.0-only
// Off-stack cpumasks (lib/cpumask.c, include/linux/cpumask.h): Debian's NR_CPUS=8192 sets
// CONFIG_CPUMASK_OFFSTACK, so a cpumask_var_t is nr_cpumask_bits (= nr_cpu_ids) bits in
// memory of its own, taken from memblock before the slab allocator is up.
import { KernelPanic } from './panic.js';
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import { SIZEOF_LONG } from '../include/percpu.js';
import { memblockAlloc } from '../mm/memblock-alloc.js';
import type { Memblock } from '../mm/memblock-type.js';
import type { Machine } from './machine.js';

/**
 * nr_cpu_ids: one more than the highest possible CPU. The machine's CPUs are all possible
 * (QEMU's -smp count; the corpus's "setup_percpu: … nr_cpu_ids:" agrees on every boot).
 */
export const nrCpuIds = (m: Machine): number => m.firmware.nrCpus;

/** cpumask_size(): whole longs of nr_cpumask_bits; 2 cpus → 8 bytes, 65 cpus → 16. */
export const cpumaskSize = (nrCpumaskBits: number): number => Math.ceil(nrCpumaskBits / (8 * SIZEOF_LONG)) * SIZEOF_LONG;

export class CpumaskPanic extends KernelPanic {}

/** alloc_bootmem_cpumask_var(): one zeroed cpumask from memblock, or panic. */
export function allocBootmemCpumaskVar(mb: Memblock, nrCpumaskBits: number): number {
  const size = cpumaskSize(nrCpumaskBits);
  const addr = memblockAlloc(mb, size, SMP_CACHE_BYTES, 'alloc_bootmem_cpumask_var');
  if (!addr) throw new CpumaskPanic(`alloc_bootmem_cpumask_var: Failed to allocate ${size} bytes`);
  return addr;
}
