// SPDX-License-Identifier: GPL-2.0-only
// Memory blocks (drivers/base/memory.c): the units /sys/devices/system/memory lists and memory
// hotplug onlines and offlines. Their size only, for now; the sysfs tree comes with hotplug
// (issue 4). The size is x86's memory_block_size_bytes() hook, kept beside its one user.
import { SECTION_SIZE_BITS } from '../../include/mmzone.js';
import { PAGE_SIZE, SZ_1G } from '../../include/pfn.js';

/** MIN_MEMORY_BLOCK_SIZE: one 128 MiB section. */
export const MIN_MEMORY_BLOCK_SIZE = 2 ** SECTION_SIZE_BITS;
/** MAX_BLOCK_SIZE on x86_64. */
export const MAX_BLOCK_SIZE = 2 * SZ_1G;
/** MEM_SIZE_FOR_LARGE_BLOCK: below this much boot memory, blocks stay one section. */
export const MEM_SIZE_FOR_LARGE_BLOCK = 64 * SZ_1G;

/**
 * probe_memory_block_size() (arch/x86/mm/init_64.c, 6.1): one section below 64 GiB of boot
 * memory; above, 2 GiB on bare metal, and under a hypervisor the largest size up to 2 GiB that
 * divides the end of boot memory. The seed's 384 GiB pc guest ends at 385 GiB (the PCI hole's
 * GiB moves above 4 GiB) → 1 GiB blocks; every corpus boot prints "Memory block size: 128MB".
 */
export function probeMemoryBlockSize(maxPfn: number, hypervisor: boolean): number {
  const bootMemEnd = maxPfn * PAGE_SIZE;
  if (bootMemEnd < MEM_SIZE_FOR_LARGE_BLOCK) return MIN_MEMORY_BLOCK_SIZE;
  if (!hypervisor) return MAX_BLOCK_SIZE;
  let bz = MAX_BLOCK_SIZE;
  while (bz > MIN_MEMORY_BLOCK_SIZE && bootMemEnd % bz !== 0) bz /= 2;
  return bz;
}
