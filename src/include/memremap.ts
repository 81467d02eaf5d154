// ZONE_DEVICE types of Linux 6.1 (include/linux/memremap.h): the device page map a driver hands
// to memremap_pages() and the vmem_altmap that puts the memmap on the device itself.
//
// A pgmap with an altmap, pfns from the range start (fsdax namespace in "map=dev" mode):
//
//   base_pfn                                                         end
//   |reserve|align|  memmap of section 0 | memmap of 1 | ... | free tail | device pages ... |
//   |<- info block (never initialised)
//           |<------------------ free: pfns for the memmap -------------->|
//                                                           pfn_first() = base + reserve + free

/** enum memory_type (MEMORY_DEVICE_PRIVATE is 1: the enum starts at 1 so that 0 is caught). */
export const MemoryType = { PRIVATE: 1, COHERENT: 2, FS_DAX: 3, GENERIC: 4, PCI_P2PDMA: 5 } as const;
export type MemoryType = (typeof MemoryType)[keyof typeof MemoryType];
export const MEMORY_TYPE_NAMES: Record<number, string> = {
  1: 'private', 2: 'coherent', 3: 'fsdax', 4: 'generic', 5: 'p2pdma',
};

/** More kernel errnos (negated, as the kernel returns them) beside those of mm/sparse.ts. */
export const ENXIO = -6;
export const EBUSY = -16;
export const ERANGE = -34;


/** struct vmem_altmap, all counts in pfns. */
export interface VmemAltmapState {
  basePfn: number;
  /** Last pfn of the device (inclusive, PHYS_PFN(end)); informational, as in 6.1. */
  endPfn: number;
  /** Pfns at the start the driver keeps (the info block): never part of the memmap. */
  reserve: number;
  /** Pfns the memmap may take. */
  free: number;
  /** Pfns the memmap took. */
  alloc: number;
  /** Pfns skipped to align the memmap blocks. */
  align: number;
}

/**
 * struct dev_pagemap with one range. `addrHi`/`addrLo` are a stable fake kernel address of the
 * structure (the value page->pgmap holds). `ref` is the percpu_ref count the pages hold.
 */
export interface DevPagemap {
  id: number;
  type: MemoryType;
  /** range.start and range.end + 1, bytes. */
  start: number;
  end: number;
  /** PGMAP_ALTMAP_VALID: the memmap lives on the device. */
  altmap: VmemAltmapState | undefined;
  /** vmemmap_shift: 0 (base pages) or the order of the compound pages (devdax). */
  vmemmapShift: number;
  nid: number;
  addrHi: number;
  addrLo: number;
  ref: number;
  /** Per section number of the range: the first pfn of the device memory holding its memmap (altmap), -1 when in RAM. */
  vmemmapPfn: Map<number, number>;
}

/**
 * Where dev_pagemap structures "live": kmalloc'd from the direct map (0xffff888000000000 with
 * 4-level paging), one kmalloc-1k object per pgmap from a fixed fake slab, so addresses are stable.
 */
export const PGMAP_ADDR_HI = 0xffff8881;
export const PGMAP_ADDR_LO_BASE = 0x00100000;
export const PGMAP_ADDR_STRIDE = 0x400;
export const pgmapAddrLo = (id: number): number => PGMAP_ADDR_LO_BASE + id * PGMAP_ADDR_STRIDE;

/** COMPOUND_PAGE_DTOR of enum compound_dtor_id. */
export const COMPOUND_PAGE_DTOR = 1;
/** TAIL_MAPPING (0xdead000000000400), low half; the high half is POISON_POINTER_DELTA. */
export const TAIL_MAPPING_LO = 0x400;
/** VMEMMAP_RESERVE_NR: vmemmap pages per compound page kept unique when tails are deduplicated. */
export const VMEMMAP_RESERVE_NR = 2;
