// ZONE_DEVICE struct page init as Linux 4.19 did it, before 4.20 deferred it to
// memmap_init_zone_device(). Used only by bench/zone-device.ts and the equivalence test; the
// machine never takes this path.
//
// 4.19, devm_memremap_pages():
//   arch_add_memory() → move_pfn_range_to_zone() → memmap_init_zone(MEMMAP_HOTPLUG), per pfn of
//     the whole range after the altmap reserve: __init_single_page(), SetPageReserved() (the
//     atomic bit op: a locked OR), MIGRATE_MOVABLE at each pageblock start;
//   then for_each_device_pfn() walks every device pfn a second time: list_del(&page->lru)
//     (unlink from the self-linked list, then LIST_POISON1/2), page->pgmap = pgmap,
//     percpu_ref_get(pgmap->ref).
//
// Final bytes against 6.1: the same, except page->zone_device_data (lru.prev) of device pages,
// which 6.1 sets to NULL and 4.19 leaves as LIST_POISON2 (0xdead000000000122).
import type { DevPagemap } from '../include/memremap.js';
import { MigrateType, PAGEBLOCK_NR_PAGES, PAGES_PER_SECTION, ZoneType } from '../include/mmzone.js';
import { PG } from '../include/page-flags.js';
import { LIST_POISON1_LO, LIST_POISON2_LO, POISON_POINTER_DELTA_HI } from '../include/poison.js';
import { vmemAltmapOffset } from './memmap-init-zone-device.js';
import { HI, PageWord, initSinglePage, pageWord, setPagePgmap, vmemmapToPfn } from './page.js';
import { setPageblockMigratetype } from './pageblock.js';
import { pfnToSection, sectionMemmap, type Memmap } from './sparse.js';

/**
 * mirrors 4.19 memmap_init_zone() in MEMMAP_HOTPLUG context for a ZONE_DEVICE range: one pfn at a
 * time (pfn_to_page(), __init_single_page(), atomic SetPageReserved(), the pageblock test).
 */
export function memmapInitZoneHotplug419(
  memmap: Memmap, groupByMobilityDisabled: boolean, nid: number, startPfn: number, size: number, altmap: DevPagemap['altmap'],
): void {
  const end = startPfn + size;
  let pfn = startPfn;
  if (altmap && pfn === altmap.basePfn) pfn += altmap.reserve;
  for (; pfn < end; pfn++) {
    const mm = sectionMemmap(memmap, pfn);
    const w = pageWord(pfn);
    initSinglePage(mm, w, pfn, ZoneType.DEVICE, nid);
    const count = pfnToSection(memmap, pfn)!.initCount;
    if (count) count[pfn % PAGES_PER_SECTION]!++;
    Atomics.or(mm, w + PageWord.FLAGS_LO, 1 << PG.reserved);
    if (pfn % PAGEBLOCK_NR_PAGES === 0) setPageblockMigratetype(memmap, pfn, MigrateType.MOVABLE, groupByMobilityDisabled);
  }
}

/** list_del(&page->lru): the neighbours point at each other, then the entry's links are poisoned. */
function listDelLru(memmap: Memmap, mm: Uint32Array, w: number): void {
  // The lru links point 8 bytes into a struct page (its lru member).
  const next = vmemmapToPfn(mm[w + PageWord.LRU_NEXT + HI]!, mm[w + PageWord.LRU_NEXT]! - 8);
  const prev = vmemmapToPfn(mm[w + PageWord.LRU_PREV + HI]!, mm[w + PageWord.LRU_PREV]! - 8);
  const nextHi = mm[w + PageWord.LRU_NEXT + HI]!;
  const nextLo = mm[w + PageWord.LRU_NEXT]!;
  const prevHi = mm[w + PageWord.LRU_PREV + HI]!;
  const prevLo = mm[w + PageWord.LRU_PREV]!;
  if (next >= 0) {
    const n = sectionMemmap(memmap, next);
    n[pageWord(next) + PageWord.LRU_PREV] = prevLo;
    n[pageWord(next) + PageWord.LRU_PREV + HI] = prevHi;
  }
  if (prev >= 0) {
    const p = sectionMemmap(memmap, prev);
    p[pageWord(prev) + PageWord.LRU_NEXT] = nextLo;
    p[pageWord(prev) + PageWord.LRU_NEXT + HI] = nextHi;
  }
  mm[w + PageWord.LRU_NEXT] = LIST_POISON1_LO;
  mm[w + PageWord.LRU_NEXT + HI] = POISON_POINTER_DELTA_HI;
  mm[w + PageWord.LRU_PREV] = LIST_POISON2_LO;
  mm[w + PageWord.LRU_PREV + HI] = POISON_POINTER_DELTA_HI;
}

/** mirrors 4.19 devm_memremap_pages()'s for_each_device_pfn() walk: list_del, page->pgmap, percpu_ref_get. */
export function devmMemremapPagesWalk419(memmap: Memmap, pgmap: DevPagemap): void {
  const first = Math.floor(pgmap.start / 4096) + vmemAltmapOffset(pgmap.altmap);
  const end = Math.floor(pgmap.end / 4096);
  for (let pfn = first; pfn < end; pfn++) {
    const mm = sectionMemmap(memmap, pfn);
    const w = pageWord(pfn);
    listDelLru(memmap, mm, w);
    setPagePgmap(mm, w, pgmap.addrHi, pgmap.addrLo);
    pgmap.ref++;
  }
}

/** Both 4.19 passes over a pgmap's range (what devm_memremap_pages() cost after arch_add_memory()). */
export function zoneDeviceInit419(memmap: Memmap, groupByMobilityDisabled: boolean, pgmap: DevPagemap): void {
  const start = Math.floor(pgmap.start / 4096);
  memmapInitZoneHotplug419(memmap, groupByMobilityDisabled, pgmap.nid, start, Math.floor(pgmap.end / 4096) - start, pgmap.altmap);
  devmMemremapPagesWalk419(memmap, pgmap);
}
