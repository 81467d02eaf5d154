// memblock constants (include/linux/memblock.h).

/** enum memblock_flags. */
export const MemblockFlag = { NONE: 0x0, HOTPLUG: 0x1, MIRROR: 0x2, NOMAP: 0x4, DRIVER_MANAGED: 0x8 } as const;
export type MemblockFlags = number;

/** MEMBLOCK_ALLOC_ANYWHERE (~0) and MEMBLOCK_ALLOC_ACCESSIBLE (0): special max_addr values. */
export const MEMBLOCK_ALLOC_ANYWHERE = 2 ** 64;
export const MEMBLOCK_ALLOC_ACCESSIBLE = 0;
export const MEMBLOCK_ALLOC_NOLEAKTRACE = 1;

/** INIT_MEMBLOCK_REGIONS / INIT_MEMBLOCK_RESERVED_REGIONS: initial array capacities. */
export const INIT_MEMBLOCK_REGIONS = 128;
/**
 * INIT_MEMBLOCK_MEMORY_REGIONS / INIT_MEMBLOCK_RESERVED_REGIONS: mm/memblock.c falls back to
 * INIT_MEMBLOCK_REGIONS for both and 6.1 x86 overrides neither (NR_CPUS=8192 plays no part here).
 */
export const INIT_MEMBLOCK_MEMORY_REGIONS = INIT_MEMBLOCK_REGIONS;
export const INIT_MEMBLOCK_RESERVED_REGIONS = INIT_MEMBLOCK_REGIONS;
/** SMP_CACHE_BYTES on x86_64: the default alignment of memblock_alloc(). */
export const SMP_CACHE_BYTES = 64;
