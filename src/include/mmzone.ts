// Zone, node, section and buddy geometry of Debian's 6.1 x86_64 kernel
// (include/linux/mmzone.h, arch/x86/include/asm/sparsemem.h, the Debian amd64 config).
import { PAGE_SHIFT } from './pfn.js';

/** MAX_ORDER 11: buddy orders 0..10, the largest block is 4 MiB. */
export const MAX_ORDER = 11;
export const MAX_ORDER_NR_PAGES = 1 << (MAX_ORDER - 1);
/** pageblock_order = HUGETLB_PAGE_ORDER = 9 (2 MiB pageblocks). */
export const PAGEBLOCK_ORDER = 9;
export const PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER;

/** SECTION_SIZE_BITS 27: 128 MiB sections. */
export const SECTION_SIZE_BITS = 27;
export const PFN_SECTION_SHIFT = SECTION_SIZE_BITS - PAGE_SHIFT;
export const PAGES_PER_SECTION = 1 << PFN_SECTION_SHIFT;
export const PAGE_SECTION_MASK_PAGES = PAGES_PER_SECTION - 1;
/** pfn → section number ("pfn 0x8000 → section 1"). */
export const pfnToSectionNr = (pfn: number): number => Math.floor(pfn / PAGES_PER_SECTION);
export const sectionNrToPfn = (nr: number): number => nr * PAGES_PER_SECTION;

/** CONFIG_NODES_SHIFT=10 in Debian's amd64 config. */
export const MAX_NUMNODES = 1024;
export const NUMA_NO_NODE = -1;

/** sizeof(struct page) on x86_64 6.1. */
export const STRUCT_PAGE_SIZE = 64;

/** enum zone_type for this config (ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, ZONE_DEVICE). */
export const ZoneType = { DMA: 0, DMA32: 1, NORMAL: 2, MOVABLE: 3, DEVICE: 4 } as const;
export type ZoneType = (typeof ZoneType)[keyof typeof ZoneType];
export const MAX_NR_ZONES = 5;
/** zone_names[], as /proc/zoneinfo and the boot log print them. */
export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device'] as const;

/** MAX_DMA_PFN (16 MiB) and MAX_DMA32_PFN (4 GiB), arch/x86/include/asm/dma.h. */
export const MAX_DMA_PFN = (16 * 1024 * 1024) >> PAGE_SHIFT;
export const MAX_DMA32_PFN = (4 * 1024 * 1024 * 1024) / 4096;

/** enum migratetype (no CMA in Debian's config). */
export const MigrateType = { UNMOVABLE: 0, MOVABLE: 1, RECLAIMABLE: 2, HIGHATOMIC: 3, ISOLATE: 4 } as const;
export type MigrateType = (typeof MigrateType)[keyof typeof MigrateType];
export const MIGRATE_TYPE_NAMES = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate'] as const;
/** MIGRATE_TYPES: free lists per order. */
export const MIGRATE_TYPES = 5;
