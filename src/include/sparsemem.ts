// SPARSEMEM_VMEMMAP geometry of Debian's 6.1 x86_64 kernel: the vmemmap base, mem_section flags,
// subsections, the pageblock bits of include/linux/pageblock-flags.h and mem_section_usage.
import { PAGEBLOCK_ORDER, PAGES_PER_SECTION, PFN_SECTION_SHIFT, SECTION_SIZE_BITS, STRUCT_PAGE_SIZE } from './mmzone.js';
import { PAGE_SHIFT, PAGE_SIZE } from './pfn.js';

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
 * pageblock_flags (256 bits = 4 u64). The host keeps these 40 bytes; the kernel's struct also
 * starts with an rcu_head (MEM_SECTION_USAGE_SIZE below).
 */
export const UsageWord = { SUBSECTION_MAP: 0, PAGEBLOCK_FLAGS: 2 } as const;
export const USAGE_WORDS = 2 + SECTION_BLOCKFLAGS_BITS / 32;

/** sizeof(struct mem_section) with CONFIG_PAGE_EXTENSION (page_ext and pad): 32 bytes. */
export const MEM_SECTION_SIZE = 32;
/** sizeof(struct mem_section *): the mem_section root array holds pointers. */
export const MEM_SECTION_PTR_SIZE = 8;
/** SECTIONS_PER_ROOT (SPARSEMEM_EXTREME): one page of mem_sections, 4096 / 32 = 128, so a root covers 16 GiB. */
export const SECTIONS_PER_ROOT = PAGE_SIZE / MEM_SECTION_SIZE;
/** SECTION_NR_TO_ROOT(): "section 130 (16.25 GiB) → root 1". */
export const sectionNrToRoot = (nr: number): number => Math.floor(nr / SECTIONS_PER_ROOT);
/** MAX_PHYSMEM_BITS on x86_64: decided at boot, 52 with 5-level paging, else 46. */
export const maxPhysmemBits = (l5: boolean): number => (l5 ? 52 : 46);
/**
 * NR_SECTION_ROOTS: NR_MEM_SECTIONS / SECTIONS_PER_ROOT. 4-level: 2^(46 - 27) / 128 = 4096 roots;
 * 5-level: 2^(52 - 27) / 128 = 262144 roots.
 */
export const nrSectionRoots = (l5: boolean): number => 2 ** (maxPhysmemBits(l5) - SECTION_SIZE_BITS) / SECTIONS_PER_ROOT;

/** usemap_size(): the section's pageblock bits in whole longs, 256 bits = 32 bytes. */
export const USEMAP_SIZE = Math.ceil(SECTION_BLOCKFLAGS_BITS / 64) * 8;
/**
 * mem_section_usage_size(): struct mem_section_usage, whose rcu_head (16 bytes, added by the 6.1
 * stable fix for the usage/RCU race) and subsection_map (8) come before the usemap (32): 56 bytes.
 */
export const MEM_SECTION_USAGE_SIZE = 16 + SUBSECTIONS_PER_SECTION / 8 + USEMAP_SIZE;
