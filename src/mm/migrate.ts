// SPDX-License-Identifier: GPL-2.0-only
// Page migration for memory offlining (scan_movable_pages() and do_migrate_range() of
// mm/memory_hotplug.c, migrate_pages() of mm/migrate.c, 6.1), over the only movable pages the
// model has: its tracked Movable allocations, order-0 pages on an LRU. A migrated page's
// contents move to a page allocated elsewhere (alloc_migration_target(): GFP_USER | __GFP_MOVABLE,
// another node with memory first); the old page is freed into its isolated pageblock.
import { MigrateType, ZoneType } from '../include/mmzone.js';
import { PG } from '../include/page-flags.js';
import type { Machine } from '../kernel/machine.js';
import { ALLOC_NOFRAGMENT } from './page-alloc-fallback.js';
import { allocFlagsNofragment, getPageFromFreelist } from './page-alloc-rmqueue.js';
import { freePages, type Buddy } from './page-alloc.js';
import { clearPageFlag, PageWord, pageToNid, pageWord, setPageFlag, testPageFlag } from './page.js';
import { pfnValid, sectionMemmap } from './sparse.js';

/** mirrors scan_movable_pages(): the first pfn in [start, end) on an LRU, or -1 (ENOENT). */
export function scanMovablePages(m: Machine, start: number, end: number): number {
  for (let pfn = start; pfn < end; pfn++) {
    if (!pfnValid(m.memmap!, pfn)) continue;
    const mm = sectionMemmap(m.memmap!, pfn);
    const w = pageWord(pfn);
    if (testPageFlag(mm, w, PG.lru) || (mm[w + PageWord.MAPPING]! & 3) === 2) return pfn;
  }
  return -1;
}

/**
 * alloc_migration_target() for an order-0 movable page of node nid: the zonelist of nid with nid
 * itself masked out unless it is the only node with memory; -1 when nothing is free.
 */
function allocMigrationTarget(b: Buddy, nid: number, memoryNodes: readonly number[]): number {
  const others = memoryNodes.filter((n) => n !== nid);
  const allowed = new Set(others.length ? others : [nid]);
  const zonelist = (b.zonelists.get(nid) ?? []).filter((bz) => allowed.has(bz.nid) && bz.zid <= ZoneType.MOVABLE);
  if (zonelist.length === 0) return -1;
  const flags = allocFlagsNofragment(b, zonelist[0]!) & ALLOC_NOFRAGMENT;
  return getPageFromFreelist(b, zonelist, 0, 0, MigrateType.MOVABLE, ZoneType.MOVABLE, flags);
}

/**
 * mirrors do_migrate_range(): isolate every LRU page of [start, end) and migrate each; the
 * allocation records follow their pages. Returns false when a page could not be migrated
 * (no free memory elsewhere): it is put back on its LRU where it was.
 */
export function doMigrateRange(m: Machine, start: number, end: number): boolean {
  const b = m.buddy as Buddy;
  const hp = m.hotplug!;
  const memoryNodes = [...hp.nMemory].sort((x, y) => x - y);
  const owner = new Map<number, { pfn: number; order: number }>();
  for (const a of hp.allocations.values()) for (const blk of a.blocks) owner.set(blk.pfn, blk);
  let ok = true;
  for (let pfn = scanMovablePages(m, start, end); pfn >= 0; pfn = scanMovablePages(m, pfn + 1, end)) {
    const mm = sectionMemmap(m.memmap!, pfn);
    const w = pageWord(pfn);
    const target = allocMigrationTarget(b, pageToNid(mm, w), memoryNodes);
    if (target < 0) {
      ok = false;
      continue;
    }
    // migrate_folio(): the new page takes the old one's state (mapping, index, LRU); the old one is released.
    const tm = sectionMemmap(m.memmap!, target);
    const tw = pageWord(target);
    for (const word of [PageWord.MAPPING, PageWord.MAPPING + 1, PageWord.INDEX, PageWord.INDEX + 1]) tm[tw + word] = mm[w + word]!;
    setPageFlag(tm, tw, PG.lru);
    clearPageFlag(mm, w, PG.lru);
    mm[w + PageWord.MAPPING] = 0;
    mm[w + PageWord.MAPPING + 1] = 0;
    freePages(b, pfn, 0);
    const rec = owner.get(pfn);
    if (rec) rec.pfn = target;
  }
  return ok;
}
