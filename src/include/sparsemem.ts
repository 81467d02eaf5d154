// SPARSEMEM_VMEMMAP geometry of Debian's 6.1 x86_64 kernel: the vmemmap base, mem_section flags,
// subsections, the pageblock bits of include/linux/pageblock-flags.h and mem_section_usage.
import { PAGEBLOCK_ORDER, PAGES_PER_SECTION, PFN_SECTION_SHIFT, SECTION_SIZE_BITS, STRUCT_PAGE_SIZE } from './mmzone.js';
import { PAGE_SHIFT } from './pfn.js';

/**
 * __VMEMMAP_BASE_L4 (0xffffea0000000000), as two u32 halves. The running kernel randomises
 * vmemmap_base (RANDOMIZE_MEMORY=y) and moves it with 5-level paging; meminit uses the fixed
 * 4-level base so that addresses are reproducible. Its 1 TiB covers pfns below 2^34 (64 TiB).
 */
export const VMEMMAP_START_HI = 0xffffea00;
export const VMEMMAP_START_LO = 0;
/** Pfns per 2^32 bytes of vmemmap: the pfn stride at which the high half of an address steps. */
export const VMEMMAP_PFNS_PER_HI = 2 ** 32 / STRUCT_PAGE_SIZE;
export const VMEMMAP_MAX_PFN = 2 ** 34;

/** Bytes of struct pages per section: 32768 × 64 = 2 MiB. */
export const SECTION_MEMMAP_BYTES = PAGES_PER_SECTION * STRUCT_PAGE_SIZE;

/** mem_section->section_mem_map flag bits (enum of include/linux/mmzone.h). */
export const SectionFlag = { MARKED_PRESENT: 1, HAS_MEM_MAP: 2, IS_ONLINE: 4, IS_EARLY: 8, TAINT_ZONE_DEVICE: 16 } as const;

/** SUBSECTION_SHIFT 21: 2 MiB subsections, 64 per section; hotplug granularity with VMEMMAP. */
export const SUBSECTION_SHIFT = 21;
export const PFN_SUBSECTION_SHIFT = SUBSECTION_SHIFT - PAGE_SHIFT;
export const PAGES_PER_SUBSECTION = 1 << PFN_SUBSECTION_SHIFT;
export const SUBSECTIONS_PER_SECTION = 1 << (SECTION_SIZE_BITS - SUBSECTION_SHIFT);

/** enum pageblock_bits: 3 migratetype bits and PB_migrate_skip, 4 bits per pageblock. */
export const PB_MIGRATETYPE_BITS = 3;
export const PB_MIGRATE_SKIP = 3;
export const NR_PAGEBLOCK_BITS = 4;
export const MIGRATETYPE_MASK = (1 << PB_MIGRATETYPE_BITS) - 1;
/** SECTION_BLOCKFLAGS_BITS: 64 pageblocks per section × 4 bits = 256 bits. */
export const SECTION_BLOCKFLAGS_BITS = (1 << (PFN_SECTION_SHIFT - PAGEBLOCK_ORDER)) * NR_PAGEBLOCK_BITS;

/**
 * struct mem_section_usage as u32 words: subsection_map (one u64 = 64 subsections), then
 * pageblock_flags (256 bits = 4 u64). 40 bytes, mem_section_usage_size().
 */
export const UsageWord = { SUBSECTION_MAP: 0, PAGEBLOCK_FLAGS: 2 } as const;
export const USAGE_WORDS = 2 + SECTION_BLOCKFLAGS_BITS / 32;
