// The memory part of x86 setup_arch() and start_kernel() in 6.1 order, as phases over a
// Machine. `boot` runs them all; the replay runs the same phases at the points where the
// kernel's log shows them, feeding memblock from the log in between.
import { ZONE_NAMES, ZoneType } from '../../include/mmzone.js';
import { PAGE_SIZE, SZ_1M } from '../../include/pfn.js';
import { MemblockFlag, SMP_CACHE_BYTES } from '../../include/memblock.js';
import type { Machine } from '../../kernel/machine.js';
import {
  forEachFreeMemRange, memblockAllocTryNid, memblockAllowResize, memblockCreate, memblockDump, memblockPhysAllocRange,
  memblockReserve, memblockSetBottomUp, memblockSetCurrentLimit, type Memblock,
} from '../../mm/memblock.js';
import { memmapInit } from '../../mm/mm-init.js';
import { sparseInitBoot } from '../../mm/sparse-boot.js';
import { KernelPanic } from '../../kernel/panic.js';
import { freeAreaInit, memblockFindDmaReserve, populatedZone, x86MaxZonePfns } from '../../mm/zone.js';
import type { CoreParams } from '../../mm/zone-movable.js';
import * as Z from '../../trace/formats/zone.js';
import { DEBIAN_BRK, reserveBrk } from './brk.js';
import { e820SetupArch, type SetupData } from './e820-boot.js';
import { efiReserveBootServices } from './efi-quirks.js';
import { e820MemblockSetup } from './e820-memblock.js';
import { ISA_END_ADDRESS } from './e820-types.js';
import { initMemMapping } from './init-mem-mapping.js';
import { groupByMobilityDisabled, memInit, type MemInitOptions } from './mem-init.js';
import { nodeDataAllocSize, x86NumaInit } from './numa.js';
import { setupPerCpuAreas } from './setup-percpu.js';
import { setupArchTail } from './setup-arch-tail.js';
import { setupCommandLine } from '../../kernel/setup-command-line.js';
import { startKernelMmInit } from '../../kernel/start-kernel.js';
import { directGbpagesEnabled, pgtableL5Enabled } from './pgtable.js';

/** sizeof(pg_data_t) in Debian's 6.1 amd64 build (the memoryless-node allocation in the corpus prints it). */
export const PGDAT_SIZE = 174208;
/** The real-mode trampoline reserve_real_mode() allocates below 1 MiB (Debian 6.1: 28 KiB). */
export const REAL_MODE_SIZE = 0x7000;

/** A boot that would panic: every step's panic is a KernelPanic ("kernel would panic: …"). */
export { KernelPanic as BootError } from '../../kernel/panic.js';

/** setup_arch() up to max_pfn: command line, firmware map, mem=/memmap=, legacy trims. */
export function setupArchE820(m: Machine, setupData: SetupData[] = []): void {
  const r = e820SetupArch({ e820: m.firmware.e820, setupData }, m.params, m.printk, { la57: pgtableL5Enabled(m) });
  if (!('state' in r)) throw new KernelPanic(JSON.stringify(r));
  m.e820 = r.state;
  m.maxPfn = r.maxPfn;
  m.maxLowPfn = r.maxLowPfn;
}

/** memblock at setup_arch(): movable_node makes it allocate bottom-up until NUMA init. */
export function memblockNew(m: Machine): Memblock {
  const mb = memblockCreate({ movableNode: m.params.movableNode, mirroredKernelcore: m.params.mirroredKernelcore });
  memblockSetBottomUp(mb, m.params.movableNode);
  return mb;
}

/** Early reservations and reserve_brk(), then e820__memblock_setup() with the current limit at 1 MiB; the first dump. */
export function setupArchMemblock(m: Machine): void {
  const mb = memblockNew(m);
  for (const r of m.firmware.earlyReserved) memblockReserve(mb, r.base, r.size);
  reserveBrk(mb, m.firmware.brk ?? DEBIAN_BRK);
  memblockSetCurrentLimit(mb, ISA_END_ADDRESS);
  e820MemblockSetup(mb, m.e820!.table);
  memblockAllowResize(mb);
  m.memblock = mb;
  if (m.params.memblockDebug) pushDump(m);
}

export function pushDump(m: Machine): void {
  for (const text of memblockDump(m.memblock!)) m.printk.lines.push({ format: 'memblock.dump', text });
}


/**
 * What setup_arch() does after the first dump: efi_reserve_boot_services() on UEFI boots,
 * reserve_real_mode(), the first-1MiB reservation, init_mem_mapping() and the limit it leaves.
 */
export function setupArchMapping(m: Machine): void {
  const mb = m.memblock!;
  efiReserveBootServices(m);
  memblockPhysAllocRange(mb, REAL_MODE_SIZE, PAGE_SIZE, 0, SZ_1M, 'reserve_real_mode');
  memblockReserve(mb, 0, SZ_1M, 'setup_arch');
  const r = initMemMapping({
    mb, e820: m.e820!.table, maxPfn: m.maxPfn, brk: m.firmware.brk ?? DEBIAN_BRK,
    gbpages: directGbpagesEnabled(m), l5: pgtableL5Enabled(m),
    kaslrMemory: !m.params.nokaslr, printk: m.printk,
  });
  initMemMappingDone(m, r.maxPfnMapped);
}

/**
 * The end of init_mem_mapping(): all RAM is mapped, so max_low_pfn becomes max_pfn on x86_64
 * (ZONE_NORMAL then reaches the top of memory), and setup_arch() lets memblock allocate
 * anywhere below max_pfn_mapped (the replay, which does not map, takes max_pfn).
 */
export function initMemMappingDone(m: Machine, maxPfnMapped = m.maxPfn): void {
  if (m.maxPfn > m.maxLowPfn) m.maxLowPfn = m.maxPfn;
  memblockSetCurrentLimit(m.memblock!, maxPfnMapped * PAGE_SIZE);
}

export const coreParams = (m: Machine): CoreParams => ({
  requiredKernelcore: m.params.kernelcore.pages,
  requiredKernelcorePercent: m.params.kernelcore.percent,
  requiredMovablecore: m.params.movablecore.pages,
  requiredMovablecorePercent: m.params.movablecore.percent,
  mirroredKernelcore: m.params.mirroredKernelcore,
  movableNode: m.params.movableNode,
});

/** initmem_init(): x86_numa_init(). */
export function initmemInit(m: Machine, allocNodeData?: (nid: number, size: number) => number): void {
  m.numa = x86NumaInit(m.memblock!, {
    srat: m.params.numa.noacpi ? undefined : m.firmware.srat,
    numaOff: m.params.numa.off,
    fake: m.params.numa.fake,
    maxPfn: m.maxPfn,
    nodeDataSize: nodeDataAllocSize(PGDAT_SIZE),
    printk: m.printk,
    ...(allocNodeData ? { allocNodeData } : {}),
  });
}

/**
 * paging_init() → sparse_init(): the boot memmap's memblock allocations (mm/sparse-boot.ts), right
 * after initmem_init() and before zone sizing. The vmemmap base is the fixed one of the paging
 * depth: KASLR moves it in PUD steps, so below 64 GiB of RAM (under 1 GiB of struct pages) the
 * same table pages are needed (pc-2g-kaslr agrees).
 */
export function sparseInitMemblock(m: Machine): void {
  const numa = m.numa!;
  sparseInitBoot({
    mb: m.memblock!, l5: pgtableL5Enabled(m), nodeData: numa.nodeData,
    firstOnlineNode: numa.online.size ? Math.min(...numa.online) : 0, printk: m.printk,
  });
}

/**
 * paging_init() → sparse_init(), zone_sizes_init() → free_area_init() and memmap_init().
 * memblock_find_dma_reserve() runs first, as in setup_arch(). `boot`: make sparse_init()'s
 * allocations and the memoryless nodes' pgdats here; a replay takes them from its log.
 */
export function pagingInit(m: Machine, boot: boolean): void {
  const mb = m.memblock!;
  const numa = m.numa!;
  m.dmaReserve = memblockFindDmaReserve(mb, forEachFreeMemRange(mb, -1, MemblockFlag.NONE));
  if (boot) sparseInitMemblock(m);
  if (boot) {
    for (const nid of numa.possible) {
      if (!numa.online.has(nid)) memblockAllocTryNid(mb, PGDAT_SIZE, SMP_CACHE_BYTES, 0, 0, -1, 'free_area_init');
    }
  }
  m.zones = freeAreaInit({
    mb, maxZonePfn: x86MaxZonePfns(m.maxLowPfn), possible: numa.possible, online: numa.online,
    core: coreParams(m), dmaReserve: m.dmaReserve, printk: m.printk,
  });
  m.memmapPlan = memmapInit(mb, m.zones, m.printk);
}

/** build_all_zonelists() at boot: the online nodes, and the pages of all populated zones. */
export function buildAllZonelists(m: Machine): void {
  const numa = m.numa!;
  const online = new Set<number>(numa.online);
  for (const nid of numa.cpuNodes) if (numa.possible.includes(nid)) online.add(nid);
  m.onlineNodes = [...online].sort((a, b) => a - b);
  let total = 0;
  let policy: number = ZoneType.DMA;
  for (const pg of m.zones!.nodes.values()) {
    for (const z of pg.zones) {
      if (!populatedZone(z)) continue;
      total += z.managedEstimate;
      if (z.type > policy && z.type !== ZoneType.MOVABLE) policy = z.type;
    }
  }
  m.totalPages = total;
  m.policyZone = ZONE_NAMES[policy];
  m.printk.emit(Z.builtZonelists, { nodes: m.onlineNodes.length, grouping: !groupByMobilityDisabled(m), totalPages: total });
  m.printk.emit(Z.policyZone, { zone: m.policyZone! });
}

export interface BootOptions {
  /** Also write the struct pages, free memory to the buddy allocator and run deferred init (on this thread). */
  memInit?: MemInitOptions;
}

export type SetupPhaseName = 'e820' | 'memblock' | 'numa' | 'zones' | 'resources' | 'percpu' | 'zonelists' | 'mm_init';

/**
 * The memory setup of a boot up to memblock_free_all(), as named phases in 6.1 order (the web UI
 * shows each as it runs); every memblock allocation the kernel makes on the way, in its order.
 */
export const SETUP_PHASES: readonly { name: SetupPhaseName; run(m: Machine): void }[] = [
  { name: 'e820', run: (m) => setupArchE820(m) },
  { name: 'memblock', run: (m) => { setupArchMemblock(m); setupArchMapping(m); } },
  { name: 'numa', run: (m) => initmemInit(m) },
  { name: 'zones', run: (m) => pagingInit(m, true) },
  // The rest of setup_arch(): ACPI's HPET and IOAPIC, e820 resources, nosave regions, PCI gap.
  { name: 'resources', run: (m) => setupArchTail(m) },
  // start_kernel(): setup_command_line(), then setup_per_cpu_areas().
  { name: 'percpu', run: (m) => { setupCommandLine(m); setupPerCpuAreas(m); } },
  { name: 'zonelists', run: (m) => buildAllZonelists(m) },
  // start_kernel() up to mem_init()'s memblock_free_all(): hashes, CPU entry area, swiotlb.
  { name: 'mm_init', run: (m) => startKernelMmInit(m) },
];

/** The whole memory setup of a machine, up to zone sizing and zonelists; the struct pages when asked. */
export function bootMachine(m: Machine, opts: BootOptions = {}): Machine {
  for (const phase of SETUP_PHASES) phase.run(m);
  if (opts.memInit) memInit(m, opts.memInit);
  return m;
}
