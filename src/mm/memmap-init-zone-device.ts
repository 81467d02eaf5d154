// ZONE_DEVICE struct page init (mm/mm_init.c in Debian's 6.1.192, page_alloc.c in 6.1.0):
// memmap_init_zone_device(), __init_zone_device_page(), memmap_init_compound(). Runs after
// move_pfn_range_to_zone() has had memmap_init_range() initialise the pages holding an altmap's
// memmap; this does the device pages after them, outside the hotplug lock in the kernel.
import { COMPOUND_PAGE_DTOR, MemoryType, TAIL_MAPPING_LO, VMEMMAP_RESERVE_NR, type DevPagemap, type VmemAltmapState } from '../include/memremap.js';
import { MigrateType, PAGEBLOCK_NR_PAGES, PAGES_PER_SECTION, STRUCT_PAGE_SIZE, ZoneType } from '../include/mmzone.js';
import { PG } from '../include/page-flags.js';
import { PAGE_SIZE, roundUp } from '../include/pfn.js';
import { POISON_POINTER_DELTA_HI } from '../include/poison.js';
import { PAGE_WORDS, PageWord, pageWord, setPageReserved, vmemmapHi, vmemmapLo } from './page.js';
import { initSinglePageRange } from './page-init.js';
import { setPageblockMigratetype } from './pageblock.js';
import { earlySection, pfnToSection, sectionMemmap, type Memmap } from './sparse.js';

type Altmap = Pick<VmemAltmapState, 'basePfn' | 'reserve' | 'free'>;

/** vmem_altmap_offset(): pfns from the altmap base at which device pages start (reserve + free). */
export const vmemAltmapOffset = (altmap: Altmap | undefined): number => (altmap ? altmap.reserve + altmap.free : 0);

/** vmemmap_can_optimize(): compound pages without an altmap whose memmap spans over VMEMMAP_RESERVE_NR pages share tail pages. */
export const vmemmapCanOptimize = (altmap: Altmap | undefined, pgmap: DevPagemap): boolean =>
  !altmap && ((2 ** pgmap.vmemmapShift * STRUCT_PAGE_SIZE) / PAGE_SIZE) > VMEMMAP_RESERVE_NR;

/**
 * __init_zone_device_page() over the pfns [start, end): __init_single_page() through the shared
 * per-page init (initSinglePageRange(), as every memmap init path), then __SetPageReserved(),
 * page->pgmap, zone_device_data = NULL and the refcount the pgmap type gets.
 */
function initZoneDevicePages(memmap: Memmap, start: number, end: number, nid: number, pgmap: DevPagemap): void {
  initSinglePageRange(memmap, start, end, ZoneType.DEVICE, nid);
  const refcount = zoneDeviceRefcount(pgmap);
  for (let pfn = start; pfn < end; ) {
    const next = Math.min(end, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
    const mm = sectionMemmap(memmap, pfn);
    for (let o = pageWord(pfn), e = o + (next - pfn) * PAGE_WORDS; o < e; o += PAGE_WORDS) {
      setPageReserved(mm, o);
      mm[o + PageWord.LRU_NEXT] = pgmap.addrLo;
      mm[o + PageWord.LRU_NEXT + 1] = pgmap.addrHi;
      mm[o + PageWord.LRU_PREV] = 0;
      mm[o + PageWord.LRU_PREV + 1] = 0;
      mm[o + PageWord.REFCOUNT] = refcount;
    }
    pfn = next;
  }
}

/** The refcount __init_zone_device_page() leaves: private and coherent pages start at 0. */
const zoneDeviceRefcount = (pgmap: DevPagemap): number =>
  pgmap.type === MemoryType.PRIVATE || pgmap.type === MemoryType.COHERENT ? 0 : 1;

/** __init_zone_device_page() of one pfn (compound heads and tails). */
const initZoneDevicePage = (memmap: Memmap, pfn: number, nid: number, pgmap: DevPagemap): void =>
  initZoneDevicePages(memmap, pfn, pfn + 1, nid, pgmap);

/**
 * compound_nr_pages(): struct pages of a compound page that are really there to initialise. With
 * tail deduplication (no altmap, not an early section) only the first VMEMMAP_RESERVE_NR vmemmap
 * pages are unique: 128 struct pages; the rest map the second one again.
 */
function compoundNrPages(memmap: Memmap, pfn: number, pgmap: DevPagemap): number {
  if (earlySection(pfnToSection(memmap, pfn)) || !vmemmapCanOptimize(pgmap.altmap, pgmap)) return 2 ** pgmap.vmemmapShift;
  return VMEMMAP_RESERVE_NR * (PAGE_SIZE / STRUCT_PAGE_SIZE);
}

/**
 * mirrors memmap_init_compound(): the head gets PG_head, each tail __init_zone_device_page(),
 * prep_compound_tail() (compound_head = head + 1 over page->pgmap, mapping = TAIL_MAPPING,
 * private 0) and refcount 0; once the second tail exists, prep_compound_head() writes the first
 * tail's dtor, order, compound_mapcount -1, pincount 0 and compound_nr.
 *
 * Deduplicated tails (past nrPages) are one physical vmemmap page mapped again and again: reading
 * them gives the bytes of tail 64..127. The model has no aliasing, so it stores those bytes in
 * each of them and counts them initialised once, which is what a pfn walker sees.
 */
function memmapInitCompound(memmap: Memmap, headPfn: number, nid: number, pgmap: DevPagemap, nrPages: number): void {
  const order = pgmap.vmemmapShift;
  // Tails from nrPages on read like tail 64..127 (every tail past the second is byte-identical),
  // so initialising all of them gives the bytes the aliases show.
  const all = Math.max(nrPages, 2 ** order);
  const head = sectionMemmap(memmap, headPfn);
  const hw = pageWord(headPfn);
  head[hw]! |= 1 << PG.head;
  const headHi = vmemmapHi(headPfn);
  const headLo = vmemmapLo(headPfn) + 1;
  for (let i = 1; i < all; i++) {
    const pfn = headPfn + i;
    initZoneDevicePage(memmap, pfn, nid, pgmap);
    const mm = sectionMemmap(memmap, pfn);
    const w = pageWord(pfn);
    mm[w + PageWord.MAPPING] = TAIL_MAPPING_LO;
    mm[w + PageWord.MAPPING + 1] = POISON_POINTER_DELTA_HI;
    mm[w + PageWord.LRU_NEXT] = headLo;
    mm[w + PageWord.LRU_NEXT + 1] = headHi;
    mm[w + PageWord.PRIVATE] = 0;
    mm[w + PageWord.PRIVATE + 1] = 0;
    mm[w + PageWord.REFCOUNT] = 0;
    if (i === 2) prepCompoundHead(memmap, headPfn, order);
  }
}

/** prep_compound_head(): page[1] gets dtor and order (bytes 16, 17), compound_mapcount -1, pincount 0, compound_nr. */
function prepCompoundHead(memmap: Memmap, headPfn: number, order: number): void {
  const mm = sectionMemmap(memmap, headPfn + 1);
  const w = pageWord(headPfn + 1);
  mm[w + 4] = ((mm[w + 4]! & 0xffff0000) | (order << 8) | COMPOUND_PAGE_DTOR) >>> 0;
  mm[w + 5] = 0xffffffff;
  mm[w + 6] = 0;
  mm[w + 7] = 2 ** order;
}

/** pageblock_migratetype_init_range(): the migratetype of every pageblock starting in [start, start + n). */
export function pageblockMigratetypeInitRange(memmap: Memmap, start: number, n: number, migratetype: number, groupByMobilityDisabled: boolean): void {
  for (let pfn = roundUp(start, PAGEBLOCK_NR_PAGES); pfn < start + n; pfn += PAGEBLOCK_NR_PAGES) {
    setPageblockMigratetype(memmap, pfn, migratetype, groupByMobilityDisabled);
  }
}

/**
 * mirrors memmap_init_zone_device(): the device pages of [startPfn, startPfn + nrPages) of the
 * Device zone of node nid, after the altmap's pfns when the memmap lives on the device. Each pfn
 * gets __init_zone_device_page() (compound pages: the head does, then memmap_init_compound()),
 * then every pageblock starting in the device pages becomes MIGRATE_MOVABLE.
 */
export function memmapInitZoneDevice(
  memmap: Memmap, groupByMobilityDisabled: boolean, nid: number, startPfn: number, nrPages: number, pgmap: DevPagemap,
): void {
  const end = startPfn + nrPages;
  let start = startPfn;
  if (pgmap.altmap) start = pgmap.altmap.basePfn + vmemAltmapOffset(pgmap.altmap);
  const perCompound = 2 ** pgmap.vmemmapShift;
  if (perCompound === 1) {
    initZoneDevicePages(memmap, start, end, nid, pgmap);
  } else {
    for (let pfn = start; pfn < end; pfn += perCompound) {
      initZoneDevicePage(memmap, pfn, nid, pgmap);
      memmapInitCompound(memmap, pfn, nid, pgmap, compoundNrPages(memmap, pfn, pgmap));
    }
  }
  pageblockMigratetypeInitRange(memmap, start, end - start, MigrateType.MOVABLE, groupByMobilityDisabled);
}
