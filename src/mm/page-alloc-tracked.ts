// SPDX-License-Identifier: GPL-2.0-only
// The model's own kernel allocations, kept by id so scripts can free them and memory offlining
// has something to migrate or to trip over: `alloc` / `free` of the hotplug scripts.
// Movable allocations are user pages (order 0 each, on an LRU: migratable); Unmovable and
// Reclaimable ones are kernel pages (not on an LRU: they pin their pageblock, EBUSY to offline).
import { MigrateType, ZoneType } from '../include/mmzone.js';
import { PG } from '../include/page-flags.js';
import type { Machine } from '../kernel/machine.js';
import { allocPages } from './page-alloc-rmqueue.js';
import { freePages, type Buddy } from './page-alloc.js';
import { pageWord, setPageFlag } from './page.js';
import { sectionMemmap } from './sparse.js';
import type { TrackedAllocation } from './memory-hotplug.js';

export interface AllocRequest {
  pages: number;
  /** Block order for kernel allocations (movable ones are order 0). */
  order: number;
  migratetype: number;
  nid: number;
  /** gfp_zone(): the highest zone the allocation may use. */
  highestZone: number;
}

/** The highest zone a migratetype's usual GFP flags allow: Movable for user pages, Normal for the kernel's. */
export const defaultHighestZone = (mt: number): number => (mt === MigrateType.MOVABLE ? ZoneType.MOVABLE : ZoneType.NORMAL);

/**
 * Allocate req.pages pages as blocks of 2^order; all or nothing (a failure frees what was taken
 * and returns undefined). The allocation gets the next id ("a1", "a2", …).
 */
export function allocTracked(m: Machine, req: AllocRequest): TrackedAllocation | undefined {
  const b = m.buddy as Buddy;
  const hp = m.hotplug!;
  const order = req.migratetype === MigrateType.MOVABLE ? 0 : req.order;
  const n = Math.ceil(req.pages / 2 ** order);
  const blocks: { pfn: number; order: number }[] = [];
  for (let i = 0; i < n; i++) {
    const pfn = allocPages(b, order, req.migratetype, req.nid, req.highestZone);
    if (pfn < 0) {
      for (const blk of blocks) freePages(b, blk.pfn, blk.order);
      return undefined;
    }
    if (req.migratetype === MigrateType.MOVABLE) setPageFlag(sectionMemmap(m.memmap!, pfn), pageWord(pfn), PG.lru);
    blocks.push({ pfn, order });
  }
  const a: TrackedAllocation = { id: `a${++hp.nextAllocation}`, migratetype: req.migratetype, blocks };
  hp.allocations.set(a.id, a);
  return a;
}

/** Free an allocation by id (its pages back to the buddy allocator); false when there is none. */
export function freeTracked(m: Machine, id: string): boolean {
  const hp = m.hotplug!;
  const a = hp.allocations.get(id);
  if (!a) return false;
  const b = m.buddy as Buddy;
  for (const blk of a.blocks) {
    const mm = sectionMemmap(m.memmap!, blk.pfn);
    mm[pageWord(blk.pfn)] = mm[pageWord(blk.pfn)]! & ~(1 << PG.lru);
    freePages(b, blk.pfn, blk.order);
  }
  hp.allocations.delete(id);
  return true;
}

