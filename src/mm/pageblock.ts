// Pageblock flags (mm/page_alloc.c get_pfnblock_flags_mask / set_pfnblock_flags_mask with
// SPARSEMEM): 4 bits per 2 MiB pageblock in the section's mem_section_usage, pageblock i of a
// section at bits 4i..4i+3 ("pfn 0x8600 is pageblock 3 of section 1: bits 12..15, word 0").
import { MigrateType, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PAGES_PER_SECTION } from '../include/mmzone.js';
import { MIGRATETYPE_MASK, NR_PAGEBLOCK_BITS, UsageWord } from '../include/sparsemem.js';
import type { Memmap } from './sparse.js';
import { pfnToSection } from './sparse.js';

/** MIGRATE_PCPTYPES: the types with per-cpu lists (Unmovable, Movable, Reclaimable). */
export const MIGRATE_PCPTYPES = 3;

function usageOf(mm: Memmap, pfn: number): Uint32Array {
  const ms = pfnToSection(mm, pfn);
  if (!ms) throw new Error(`pfn 0x${pfn.toString(16)}: no mem_section, so no pageblock flags`);
  return ms.usage;
}

/** pfn_to_bitidx(): bit index of pfn's pageblock within its section's bitmap. */
export const pfnToBitidx = (pfn: number): number => ((pfn % PAGES_PER_SECTION) >> PAGEBLOCK_ORDER) * NR_PAGEBLOCK_BITS;

/** get_pfnblock_flags_mask(). */
export function getPfnblockFlagsMask(mm: Memmap, pfn: number, mask: number): number {
  const bitidx = pfnToBitidx(pfn);
  return (usageOf(mm, pfn)[UsageWord.PAGEBLOCK_FLAGS + (bitidx >> 5)]! >>> (bitidx & 31)) & mask;
}

/** set_pfnblock_flags_mask(). */
export function setPfnblockFlagsMask(mm: Memmap, pfn: number, flags: number, mask: number): void {
  setBlockFlags(usageOf(mm, pfn), pfn, flags, mask);
}

/** The bitmap write of set_pfnblock_flags_mask() in a section's usage words. */
function setBlockFlags(u: Uint32Array, pfn: number, flags: number, mask: number): void {
  const bitidx = pfnToBitidx(pfn);
  const i = UsageWord.PAGEBLOCK_FLAGS + (bitidx >> 5);
  const sh = bitidx & 31;
  u[i] = ((u[i]! & ~(mask << sh)) | ((flags & mask) << sh)) >>> 0;
}

/** get_pfnblock_migratetype() / get_pageblock_migratetype(). */
export const getPageblockMigratetype = (mm: Memmap, pfn: number): number => getPfnblockFlagsMask(mm, pfn, MIGRATETYPE_MASK);

/**
 * set_pageblock_migratetype(): with page_group_by_mobility_disabled (a machine too small to group
 * by mobility) the per-cpu types all become Unmovable.
 */
export function setPageblockMigratetype(mm: Memmap, pfn: number, migratetype: number, groupByMobilityDisabled = false): void {
  setPfnblockFlagsMask(mm, pfn, pageblockType(migratetype, groupByMobilityDisabled), MIGRATETYPE_MASK);
}

const pageblockType = (migratetype: number, groupByMobilityDisabled: boolean): number =>
  groupByMobilityDisabled && migratetype < MIGRATE_PCPTYPES ? MigrateType.UNMOVABLE : migratetype;

/** setPageblockMigratetype() on each pageblock of [pfn, pfn + nrPages), which lie in one section (one bitmap). */
export function setPageblockMigratetypeRange(mm: Memmap, pfn: number, nrPages: number, migratetype: number, groupByMobilityDisabled = false): void {
  const u = usageOf(mm, pfn);
  const mt = pageblockType(migratetype, groupByMobilityDisabled);
  for (let p = pfn; p < pfn + nrPages; p += PAGEBLOCK_NR_PAGES) setBlockFlags(u, p, mt, MIGRATETYPE_MASK);
}
