// SPDX-License-Identifier: GPL-2.0-only
// start_kernel() (init/main.c of 6.1) between build_all_zonelists() and mem_init()'s
// memblock_free_all(): the memblock allocations it makes on the way, in its order.
//   pr_notice("Kernel command line: …")   after page_alloc_init()
//   print_unknown_bootoptions()           9 bytes for "nokaslr", freed at once
//   setup_log_buf(0)                       only with more than 17 possible CPUs
//   vfs_caches_init_early()                dentry and inode hashes, unless hashdist
//   trap_init() → setup_cpu_entry_areas()  spp_getpage() page tables
//   mm_init() → mem_init() → pci_iommu_alloc()   the software IO TLB
import { pciIommuAlloc } from '../arch/x86/pci-dma.js';
import { setupCpuEntryAreas } from '../arch/x86/cpu-entry-area.js';
import { vfsCachesInitEarly } from '../fs/dcache.js';
import { fmtKernelCommandLine } from '../trace/formats/e820.js';
import { setupLogBuf } from './log-buf.js';
import type { Machine } from './machine.js';
import { printUnknownBootoptions } from './unknown-bootoption.js';

/**
 * The longest text a pr_notice() keeps: LOG_LINE_MAX (1024 - 32) less the terminating NUL and
 * the two-byte KERN_NOTICE prefix that vscnprintf() formats with it (the corpus's long
 * memmap= command lines are cut at 989 characters).
 */
export const PR_LINE_MAX = 1024 - 32 - 1 - 2;

/**
 * Call after the 'zonelists' phase and right before memblock_free_all() (memInit). Memory
 * sizing reads the zones the 'zones' phase made; the machine's memblock takes every request.
 */
export function startKernelMmInit(m: Machine): void {
  const head = fmtKernelCommandLine.emit('').length;
  m.printk.emit(fmtKernelCommandLine, m.params.cmdline.slice(0, PR_LINE_MAX - head));
  printUnknownBootoptions(m);
  setupLogBuf(m);
  vfsCachesInitEarly(m);
  setupCpuEntryAreas(m);
  pciIommuAlloc(m);
}
