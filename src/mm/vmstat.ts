// The buddy allocator's /proc files (mm/vmstat.c, 6.1): frag_show() for /proc/buddyinfo and
// pagetypeinfo_show() for /proc/pagetypeinfo, read from a Buddy and the pageblock bitmap.
// Nodes in id order (the online pgdats), populated zones only (walk_zones_in_node()).
import { MAX_NR_ZONES, MAX_ORDER, MIGRATE_TYPE_NAMES, MIGRATE_TYPES, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER } from '../include/mmzone.js';
import { SectionFlag } from '../include/sparsemem.js';
import type { BuddyinfoZone } from '../trace/formats/buddyinfo.js';
import { FREECOUNT_CAP, type PagetypeinfoBlocks, type PagetypeinfoFree, type PagetypeinfoNode } from '../trace/formats/pagetypeinfo.js';
import type { BuddyZone } from './free-area.js';
import { freeListCount } from './free-area.js';
import { pagePoisonCheck, pageToNid, pageWord, pageZonenum } from './page.js';
import type { Buddy } from './page-alloc.js';
import { getPageblockMigratetype } from './pageblock.js';
import { pfnToSection, pfnValid, sectionMemmap } from './sparse.js';
import { populatedZone, zoneEndPfn } from './zone.js';

/** The populated zones of a node in zone order (walk_zones_in_node(assert_populated = true)). */
function populatedZones(b: Buddy, nid: number): BuddyZone[] {
  const out: BuddyZone[] = [];
  for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
    const bz = b.zones[nid * MAX_NR_ZONES + zid];
    if (bz && populatedZone(bz.zone)) out.push(bz);
  }
  return out;
}

const nodeIds = (b: Buddy): number[] => [...b.layout.nodes.keys()].sort((x, y) => x - y);

/** mirrors frag_show(): nr_free per order of every populated zone. */
export function buddyinfo(b: Buddy): BuddyinfoZone[] {
  return nodeIds(b).flatMap((nid) => populatedZones(b, nid).map((bz) => ({ nid, zone: bz.zone.name, nrFree: [...bz.nrFree] })));
}

/** mirrors pagetypeinfo_showfree_print(): each list's length per order, capped like the kernel's walk. */
function freeCounts(b: Buddy, bz: BuddyZone): PagetypeinfoFree[] {
  const out: PagetypeinfoFree[] = [];
  for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
    const counts: number[] = [];
    for (let order = 0; order < MAX_ORDER; order++) counts.push(freeListCount(b, bz, order, mt, FREECOUNT_CAP));
    out.push({ zone: bz.zone.name, type: MIGRATE_TYPE_NAMES[mt]!, counts });
  }
  return out;
}

/** pfn_to_online_page() != NULL: pfn has a struct page in an online section. */
function onlinePage(b: Buddy, pfn: number): boolean {
  const ms = pfnToSection(b.memmap, pfn);
  return !!ms && (ms.flags & SectionFlag.IS_ONLINE) !== 0 && pfnValid(b.memmap, pfn);
}

/**
 * mirrors pagetypeinfo_showblockcount_print(): every pageblock_nr_pages from the zone start
 * (not aligned: the kernel steps from zone_start_pfn), online, linked to this zone, counted by
 * its migratetype. page_zone() reads page->flags, so a poisoned struct page throws, naming it.
 */
function blockCounts(b: Buddy, bz: BuddyZone): PagetypeinfoBlocks {
  const counts = new Array<number>(MIGRATE_TYPES).fill(0);
  for (let pfn = bz.zone.zoneStartPfn, end = zoneEndPfn(bz.zone); pfn < end; pfn += PAGEBLOCK_NR_PAGES) {
    if (!onlinePage(b, pfn)) continue;
    const mm = sectionMemmap(b.memmap, pfn);
    const w = pageWord(pfn);
    pagePoisonCheck(mm, w, pfn, 'pagetypeinfo');
    if (pageToNid(mm, w) !== bz.nid || pageZonenum(mm, w) !== bz.zid) continue;
    const mt = getPageblockMigratetype(b.memmap, pfn);
    if (mt < MIGRATE_TYPES) counts[mt]!++;
  }
  return { zone: bz.zone.name, counts };
}

/** mirrors pagetypeinfo_show() for every node with memory (N_MEMORY). */
export function pagetypeinfo(b: Buddy): PagetypeinfoNode[] {
  const out: PagetypeinfoNode[] = [];
  for (const nid of nodeIds(b)) {
    if (!b.layout.nodes.get(nid)!.nodePresentPages) continue;
    const zones = populatedZones(b, nid);
    out.push({
      nid, pageblockOrder: PAGEBLOCK_ORDER, pagesPerBlock: PAGEBLOCK_NR_PAGES, orders: MAX_ORDER,
      free: zones.flatMap((bz) => freeCounts(b, bz)), types: [...MIGRATE_TYPE_NAMES], blocks: zones.map((bz) => blockCounts(b, bz)),
    });
  }
  return out;
}
