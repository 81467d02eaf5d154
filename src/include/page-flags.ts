// page->flags of Debian's 6.1 amd64 kernel (include/linux/page-flags.h, page-flags-layout.h,
// mmzone.h, kernel/bounds.c) and the page_type values that share the _mapcount word.
//
// page->flags is one u64, stored as two u32 words (FLAGS_LO = bits 0..31, FLAGS_HI = 32..63):
//
//   63        54 53  51 50                  30 29 27 26 25 24              0
//  |   NODE(10)  |ZONE(3)|   LAST_CPUPID (21)   |LRU_GEN|REFS|  25 page flags  |
//
// Derivation (pageFlagsLayout() below recomputes it from the config; a test checks the result):
// - NR_PAGEFLAGS: enum pageflags has 21 unconditional flags (PG_locked..PG_unevictable), then
//   PG_mlocked (MMU=y), PG_uncached (ARCH_USES_PG_UNCACHED=y), PG_hwpoison (MEMORY_FAILURE=y),
//   no PG_young/PG_idle (PAGE_IDLE_FLAG is not set), PG_arch_2 (64BIT), no PG_skip_kasan_poison
//   (KASAN_HW_TAGS is arm64 only): 25.
// - ZONES_SHIFT: MAX_NR_ZONES is 5 (DMA, DMA32, NORMAL, MOVABLE, DEVICE) → 3 bits.
// - SECTIONS_WIDTH: 0, SPARSEMEM_VMEMMAP keeps no section number in page->flags.
// - NODES_SHIFT = CONFIG_NODES_SHIFT = 10; LRU_GEN_WIDTH = order_base_2(MAX_NR_GENS + 1) = 3;
//   3 + 3 + 0 + 10 = 16 ≤ 64 - 25, so NODES_WIDTH = 10.
// - LAST_CPUPID_SHIFT (NUMA_BALANCING=y) = LAST__PID_SHIFT 8 + NR_CPUS_BITS order_base_2(8192) 13
//   = 21; 16 + 21 = 37 ≤ 39, so it fits: LAST_CPUPID_WIDTH = 21 and no page->_last_cpupid field.
// - LRU_REFS_WIDTH = min(MAX_NR_TIERS - 2 = 2, 64 - 25 - 37 = 2) = 2.
// - *_PGOFF count down from bit 64: NODES 54, ZONES 51, LAST_CPUPID 30, KASAN_TAG 30 (width 0),
//   LRU_GEN 27, LRU_REFS 25. All 64 bits are spoken for.

/** enum pageflags of this config: bit numbers in page->flags. */
export const PG = {
  locked: 0, referenced: 1, uptodate: 2, dirty: 3, lru: 4, active: 5, workingset: 6, waiters: 7,
  error: 8, slab: 9, owner_priv_1: 10, arch_1: 11, reserved: 12, private: 13, private_2: 14,
  writeback: 15, head: 16, mappedtodisk: 17, reclaim: 18, swapbacked: 19, unevictable: 20,
  mlocked: 21, uncached: 22, hwpoison: 23, arch_2: 24,
} as const;
export const NR_PAGEFLAGS = 25;

/** Field positions in the u64 (the *_PGSHIFT of mmzone.h) and widths. */
export const NODES_PGSHIFT = 54;
export const NODES_WIDTH = 10;
export const ZONES_PGSHIFT = 51;
export const ZONES_WIDTH = 3;
export const LAST_CPUPID_PGSHIFT = 30;
export const LAST_CPUPID_WIDTH = 21;
export const LRU_GEN_PGOFF = 27;
export const LRU_GEN_WIDTH = 3;
export const LRU_REFS_PGOFF = 25;
export const LRU_REFS_WIDTH = 2;

/** The same fields as (shift, mask) within the u32 word that holds them, for hot loops. */
export const FlagsHi = {
  NODES_SHIFT: NODES_PGSHIFT - 32, NODES_MASK: (1 << NODES_WIDTH) - 1,
  ZONES_SHIFT: ZONES_PGSHIFT - 32, ZONES_MASK: (1 << ZONES_WIDTH) - 1,
  /** LAST_CPUPID bits 32..50. */
  LAST_CPUPID_BITS: 0x0007ffff,
} as const;
export const FlagsLo = {
  /** LAST_CPUPID bits 30..31. */
  LAST_CPUPID_BITS: 0xc0000000,
  /** PAGE_FLAGS_CHECK_AT_PREP: all page flags but PG_hwpoison, plus LRU_GEN and LRU_REFS (bits 0..29). */
  CHECK_AT_PREP: ((2 ** NR_PAGEFLAGS - 1 - 2 ** PG.hwpoison) + (2 ** 30 - 2 ** LRU_REFS_PGOFF)) >>> 0,
} as const;

/**
 * page_type lives in the _mapcount word: -1 (0xffffffff) means "no type"; a type clears its bit
 * under PAGE_TYPE_BASE, so PageBuddy() is (page_type & (PAGE_TYPE_BASE | PG_buddy)) == PAGE_TYPE_BASE
 * and a free buddy head reads 0xffffff7f.
 */
export const PAGE_TYPE_BASE = 0xf0000000;
export const PAGE_MAPCOUNT_RESERVE = -128;
export const PageType = { buddy: 0x80, offline: 0x100, table: 0x200, guard: 0x400 } as const;

/** PAGE_POISON_PATTERN (-1l): page_init_poison() memsets 0xff; PagePoisoned() tests flags == ~0. */
export const PAGE_POISON_WORD = 0xffffffff;

/** The Kconfig switches and numbers page->flags depends on. */
export interface PageFlagsConfig {
  mmu: boolean;
  archUsesPgUncached: boolean;
  memoryFailure: boolean;
  pageIdleFlag: boolean;
  bits64: boolean;
  kasanHwTags: boolean;
  kasanSwTags: boolean;
  sparsemem: boolean;
  sparsememVmemmap: boolean;
  maxPhysmemBits: number;
  sectionSizeBits: number;
  nodesShift: number;
  maxNrZones: number;
  numaBalancing: boolean;
  nrCpus: number;
  lruGen: boolean;
}

/** config.amd64_none_amd64 of linux-image-6.1 (MAX_PHYSMEM_BITS 52 with 5-level paging; unused with VMEMMAP). */
export const DEBIAN_AMD64_PAGE_FLAGS: PageFlagsConfig = {
  mmu: true, archUsesPgUncached: true, memoryFailure: true, pageIdleFlag: false, bits64: true,
  kasanHwTags: false, kasanSwTags: false, sparsemem: true, sparsememVmemmap: true, maxPhysmemBits: 52,
  sectionSizeBits: 27, nodesShift: 10, maxNrZones: 5, numaBalancing: true, nrCpus: 8192, lruGen: true,
};

/** enum pageflags for a config, in order (bit n is element n). */
export function pageflagNames(c: PageFlagsConfig): string[] {
  const names = ['locked', 'referenced', 'uptodate', 'dirty', 'lru', 'active', 'workingset', 'waiters',
    'error', 'slab', 'owner_priv_1', 'arch_1', 'reserved', 'private', 'private_2', 'writeback', 'head',
    'mappedtodisk', 'reclaim', 'swapbacked', 'unevictable'];
  if (c.mmu) names.push('mlocked');
  if (c.archUsesPgUncached) names.push('uncached');
  if (c.memoryFailure) names.push('hwpoison');
  if (c.pageIdleFlag && c.bits64) names.push('young', 'idle');
  if (c.bits64) names.push('arch_2');
  if (c.kasanHwTags) names.push('skip_kasan_poison');
  return names;
}

export interface PageFlagsLayout {
  nrPageflags: number;
  zonesWidth: number;
  sectionsWidth: number;
  nodesWidth: number;
  lastCpupidWidth: number;
  kasanTagWidth: number;
  lruGenWidth: number;
  lruRefsWidth: number;
  sectionsPgoff: number;
  nodesPgoff: number;
  zonesPgoff: number;
  lastCpupidPgoff: number;
  lruGenPgoff: number;
  lruRefsPgoff: number;
}

/** order_base_2(): ceil(log2(n)) ("5 → 3", "8192 → 13"). */
const orderBase2 = (n: number): number => (n <= 1 ? 0 : Math.ceil(Math.log2(n)));

/** page-flags-layout.h and bounds.c as a function of the config; throws where the header has #error. */
export function pageFlagsLayout(c: PageFlagsConfig): PageFlagsLayout {
  const bitsPerLong = c.bits64 ? 64 : 32;
  const nrPageflags = pageflagNames(c).length;
  const room = bitsPerLong - nrPageflags;
  const zonesWidth = orderBase2(c.maxNrZones);
  if (zonesWidth > 3) throw new Error('ZONES_SHIFT: too many zones configured');
  const sectionsWidth = c.sparsemem && !c.sparsememVmemmap ? c.maxPhysmemBits - c.sectionSizeBits : 0;
  const lruGenWidth = c.lruGen ? orderBase2(4 + 1) : 0;
  let nodesWidth = c.nodesShift;
  if (zonesWidth + lruGenWidth + sectionsWidth + c.nodesShift > room) {
    if (c.sparsememVmemmap) throw new Error('Vmemmap: No space for nodes field in page flags');
    nodesWidth = 0;
  }
  const kasanTagWidth = c.kasanSwTags || c.kasanHwTags ? 8 : 0;
  const lastCpupidShift = c.numaBalancing ? 8 + orderBase2(c.nrCpus) : 0;
  const used = zonesWidth + lruGenWidth + sectionsWidth + nodesWidth + kasanTagWidth;
  const lastCpupidWidth = used + lastCpupidShift <= room ? lastCpupidShift : 0;
  if (used + lastCpupidWidth > room) throw new Error('Not enough bits in page flags');
  const lruRefsWidth = Math.min(c.lruGen ? 4 - 2 : 0, room - used - lastCpupidWidth);
  const sectionsPgoff = bitsPerLong - sectionsWidth;
  const nodesPgoff = sectionsPgoff - nodesWidth;
  const zonesPgoff = nodesPgoff - zonesWidth;
  const lastCpupidPgoff = zonesPgoff - lastCpupidWidth;
  const lruGenPgoff = lastCpupidPgoff - kasanTagWidth - lruGenWidth;
  return {
    nrPageflags, zonesWidth, sectionsWidth, nodesWidth, lastCpupidWidth, kasanTagWidth, lruGenWidth,
    lruRefsWidth, sectionsPgoff, nodesPgoff, zonesPgoff, lastCpupidPgoff, lruGenPgoff,
    lruRefsPgoff: lruGenPgoff - lruRefsWidth,
  };
}
