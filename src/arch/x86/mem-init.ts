// The struct page phases of a boot, after build_all_zonelists(): the memmap (sparse_init() and
// memmap_init() with struct pages — the kernel does both inside paging_init(), before the
// zonelists; meminit plans them there and writes them here, with the same walk), mem_init()'s
// memblock_free_all() into the buddy allocator, and page_alloc_init_late()'s deferred init.
import { MIGRATE_TYPES, PAGEBLOCK_NR_PAGES } from '../../include/mmzone.js';
import type { Machine } from '../../kernel/machine.js';
import { deferredGrowZone } from '../../mm/deferred.js';
import { pageAllocInitLate, type DeferredNodeReport } from '../../mm/deferred-run.js';
import type { DeferredStrategy } from '../../mm/deferred-work.js';
import { memblockFreeAll } from '../../mm/memblock-free-all.js';
import { memmapInit } from '../../mm/mm-init.js';
import { buddyCreate } from '../../mm/page-alloc.js';
import type { BuddyFreeTarget } from '../../mm/page-free-core.js';
import { memInitContext, type MemInitContext } from '../../mm/page-init.js';
import { sparseInit, type Memmap, type MemmapOptions } from '../../mm/sparse.js';
import { bootWatermarks, wmarkZonesOf } from '../../mm/watermark.js';
import { efiFreeBootServices } from './efi-quirks.js';

export interface MemInitOptions {
  /** Deferred init strategy (default parallel, as 6.1). */
  strategy?: DeferredStrategy;
  /** padata max_threads per node for `parallel` (default 1 inline; src/node passes the CPU count). */
  maxThreads?: number;
  /** Host-memory budget, poisoning and init counting of the memmap. */
  memmap?: MemmapOptions;
  /** The free target instead of the buddy allocator (tests record into one). */
  buddy?: (m: Machine, memmap: Memmap) => BuddyFreeTarget;
  /** A millisecond clock for the deferred lines (default Date.now). */
  now?: () => number;
  /** Progress of the slow steps, for the CLI's bars: memmap allocation (nid -1), deferred init per node. */
  progress?: (step: 'memmap' | 'deferred', nid: number, done: number, total: number) => void;
}

/** page_group_by_mobility_disabled as build_all_zonelists() set it: under one pageblock per migratetype. */
export const groupByMobilityDisabled = (m: Machine): boolean => (m.totalPages ?? 0) < PAGEBLOCK_NR_PAGES * MIGRATE_TYPES;

/** The mem_init context of a machine whose memmap exists. */
export function machineMemInitContext(m: Machine): MemInitContext {
  const online = m.numa ? [...m.numa.online] : [0];
  return memInitContext(m.memblock!, m.zones!, m.memmap!, Math.min(...online));
}

/**
 * Everything before deferred init: sparse_init() (refused with MemmapBudgetError before any
 * allocation when the memmap does not fit), memmap_init() writing struct pages, the buddy
 * allocator (its deferred_grow_zone() hook wired), memblock_free_all().
 */
export function memInitEarly(m: Machine, opts: MemInitOptions = {}): void {
  const mb = m.memblock!;
  const zones = m.zones!;
  const progress = opts.progress;
  m.memmap = sparseInit(mb, progress ? { ...opts.memmap, progress: (d, t) => progress('memmap', -1, d, t) } : opts.memmap);
  memmapInit(mb, zones, undefined, m.memmap);
  const memmap = m.memmap;
  const gbm = groupByMobilityDisabled(m);
  m.buddy = opts.buddy?.(m, memmap) ?? buddyCreate(memmap, zones, {
    groupByMobilityDisabled: gbm,
    deferredGrowZone: (nid, zid, order) =>
      deferredGrowZone({ memmap, zones, buddy: m.buddy!, groupByMobilityDisabled: gbm }, mb, zones.nodes.get(nid)!, zid, order),
  });
  m.totalramPages = memblockFreeAll(machineMemInitContext(m), m.buddy, m.maxLowPfn);
}

/** memInitEarly(), then deferred init on the calling thread, then memInitInitcalls(); returns each node's report. */
export function memInit(m: Machine, opts: MemInitOptions = {}): DeferredNodeReport[] {
  memInitEarly(m, opts);
  const reports = pageAllocInitLate({
    mb: m.memblock!, zones: m.zones!, memmap: m.memmap!, buddy: m.buddy!, groupByMobilityDisabled: groupByMobilityDisabled(m),
    strategy: opts.strategy ?? 'parallel', maxThreads: opts.maxThreads ?? 1, printk: m.printk, ...(opts.now ? { now: opts.now } : {}),
    ...(opts.progress ? { progress: (nid: number, d: number, t: number) => opts.progress!('deferred', nid, d, t) } : {}),
  });
  memInitInitcalls(m);
  return reports;
}

/**
 * The initcalls after deferred init that change or read managed pages, in initcall order:
 * init_per_zone_wmark_min() (postcore), efi_free_boot_services() (arch) and hugepage_init()
 * (subsys) with khugepaged's min_free_kbytes. Later frees (initrd, kernel image) are not modelled.
 */
export function memInitInitcalls(m: Machine): void {
  const postcore = wmarkZonesOf(m);
  efiFreeBootServices(m);
  m.watermarks = bootWatermarks(m, postcore, wmarkZonesOf(m));
}
