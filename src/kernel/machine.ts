// A Machine carries one boot's state: firmware in, e820, memblock, NUMA, zones, and the
// kernel log it printed. No globals: tests and workers build as many as they like.
import type { Firmware } from '../arch/x86/firmware.js';
import type { E820State } from '../arch/x86/e820-types.js';
import type { NumaState } from '../arch/x86/numa.js';
import type { Memblock } from '../mm/memblock.js';
import type { PgmapRegistry } from '../mm/memremap.js';
import type { MemmapInitResult } from '../mm/mm-init.js';
import type { BuddyFreeTarget } from '../mm/page-free-core.js';
import type { Memmap } from '../mm/sparse.js';
import type { MemoryHotplug } from '../mm/memory-hotplug.js';
import type { NdBus } from '../drivers/nvdimm/nd-bus.js';
import type { ZoneLayout } from '../mm/zone.js';
import type { WatermarkState } from '../mm/watermark.js';
import type { FirmwareMapEntry } from '../drivers/firmware/memmap.js';
import type { KernelParams } from './params.js';
import type { NosaveRegion } from './power/snapshot.js';
import { Printk } from './printk.js';
import { parseKernelParams } from './params.js';

export interface Machine {
  name: string;
  firmware: Firmware;
  params: KernelParams;
  printk: Printk;
  e820: E820State | undefined;
  /** max_pfn and max_low_pfn after e820 setup. */
  maxPfn: number;
  maxLowPfn: number;
  memblock: Memblock | undefined;
  numa: NumaState | undefined;
  /** dma_reserve: memory below 16 MiB that memblock had reserved (memblock_find_dma_reserve()). */
  dmaReserve: number;
  zones: ZoneLayout | undefined;
  /** What memmap_init() initialises early and defers, per node (planned at paging_init, no struct pages). */
  memmapPlan: MemmapInitResult | undefined;
  /** The struct pages, once the memInit phase ran (sparse_init … page_alloc_init_late). */
  memmap: Memmap | undefined;
  /** Where memblock_free_all() and deferred init freed pages to. */
  buddy: BuddyFreeTarget | undefined;
  /** totalram_pages after memblock_free_all(). */
  totalramPages: number | undefined;
  /** node_online_map at build_all_zonelists(): nodes with NODE_DATA plus nodes with CPUs. */
  onlineNodes: number[];
  /** vm_total_pages of the "Built N zonelists" line. */
  totalPages: number | undefined;
  policyZone: string | undefined;
  /** Memory blocks, hot-added memory and the model's allocations, once memoryHotplugInit() ran. */
  hotplug?: MemoryHotplug;
  /** libnvdimm / device-dax state for legacy pmem (drivers/nvdimm/nd-bus.ts), created on first use. */
  nd?: NdBus;
  /** ZONE_DEVICE: live pgmaps (memremap_pages()), created on first use. */
  pgmaps?: PgmapRegistry;
  /**
   * The EFI boot-services memory efi_reserve_boot_services() reserved and may hand back, as byte
   * ranges [start, end) from 1 MiB up (efi_unmap_boot_services()'s ranges_to_free); set on UEFI
   * boots, emptied once efi_free_boot_services() ran.
   */
  efiRangesToFree?: [number, number][];
  /** Byte ranges freed late in boot though memblock still lists them as reserved (the EFI ones). */
  lateFreed?: [number, number][];
  /** min_free_kbytes and each zone's watermarks and lowmem reserves, once the memInit phase set them. */
  watermarks?: WatermarkState;
  /**
   * Managed pages per "nid:zid" the struct pages do not show: what a replayed log says the kernel
   * freed after memblock_free_all() (initrd, kernel image…) and the model never allocated. The
   * watermark recomputes of hotplug count them; unset outside a replay.
   */
  managedAdjust?: Map<string, number>;
  /** /sys/firmware/memmap: firmware_map_add_early()'s entries, once e820__reserve_resources() ran. */
  firmwareMap?: FirmwareMapEntry[];
  /** Hibernation's nosave regions, once e820__register_nosave_regions() ran. */
  nosaveRegions?: NosaveRegion[];
}

export function machineNew(name: string, firmware: Firmware): Machine {
  return {
    name, firmware, params: parseKernelParams(firmware.cmdline), printk: new Printk(),
    e820: undefined, maxPfn: 0, maxLowPfn: 0, memblock: undefined, numa: undefined, dmaReserve: 0,
    zones: undefined, memmapPlan: undefined, memmap: undefined, buddy: undefined, totalramPages: undefined,
    onlineNodes: [], totalPages: undefined, policyZone: undefined,
  };
}
