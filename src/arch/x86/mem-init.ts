// The struct page phases of a boot, after build_all_zonelists(): the memmap (sparse_init() and
// memmap_init() with struct pages — the kernel does both inside paging_init(), before the
// zonelists; meminit plans them there and writes them here, with the same walk), mem_init()'s
// memblock_free_all() into the buddy allocator, page_alloc_init_late()'s deferred init, and what
// boot frees and computes after it (the initcalls' watermarks, EFI, the initrd, the image).
import { MIGRATE_TYPES, MigrateType, PAGEBLOCK_NR_PAGES, ZoneType } from '../../include/mmzone.js';
import { PAGE_SIZE, pfnUp } from '../../include/pfn.js';
import type { Machine } from '../../kernel/machine.js';
import { deferredGrowZone } from '../../mm/deferred.js';
import { pageAllocInitLate, type DeferredNodeReport } from '../../mm/deferred-run.js';
import type { DeferredStrategy } from '../../mm/deferred-work.js';
import { memblockDiscard } from '../../mm/memblock.js';
import { memblockFreeAll } from '../../mm/memblock-free-all.js';
import { memmapInit } from '../../mm/mm-init.js';
import { buddyCreate, buddyZone, type Buddy } from '../../mm/page-alloc.js';
import { allocPages } from '../../mm/page-alloc-rmqueue.js';
import { freePagesCore, machineFreeReservedArea, type BuddyFreeTarget } from '../../mm/page-free-core.js';
import { memInitContext, type MemInitContext } from '../../mm/page-init.js';
import { sparseInit, type Memmap, type MemmapOptions } from '../../mm/sparse.js';
import { bootWatermarks, wmarkZonesOf } from '../../mm/watermark.js';
import { KernelPanic } from '../../kernel/panic.js';
import { freeingMemory, memInitInfo } from '../../trace/formats/free.js';
import { DEBIAN_BRK } from './brk.js';
import { efiFreeBootServices } from './efi-quirks.js';
import { imageTextOf, kernelImageFrees, type KernelImageFreeWhen } from './kernel-image.js';
import { pgtableL5Enabled } from './pgtable.js';

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
  /**
   * Work of the subsys initcalls after hugepage_init() and before the initrd and the image are
   * freed: the ACPI memory hotplug driver adding the DIMMs (acpiMemoryHotplugBoot()).
   */
  subsysInitcall?: (m: Machine) => void;
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
 * allocator (its deferred_grow_zone() hook wired), memblock_free_all(); then, when the machine
 * boots a known image, the rest of mem_init() (preallocate_vmalloc_pages(), the "Memory:" line)
 * and the SMP alternatives start_kernel() frees before deferred init.
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
  if (!m.firmware.image) return;
  preallocateVmallocPages(m);
  memInitPrintInfo(m);
  // check_bugs() → alternative_instructions(), still in start_kernel(): before deferred init.
  freeKernelImageParts(m, 'smp');
}

/**
 * preallocate_vmalloc_pages() (mem_init() on x86_64): the page-table pages of the whole vmalloc
 * area, allocated now so no later fault has to sync them. One per 512 GiB (a PUD page each) of the
 * 32 TiB area, or one per 256 TiB (a P4D page) of the 12800 TiB one with 5-level paging; KASLR's
 * randomised base straddles one boundary more. 64 pages on the corpus boots.
 */
export const vmallocPreallocPages = (l5: boolean, kaslr: boolean): number => (l5 ? 12800 / 256 : (32 * 1024) / 512) + (kaslr ? 1 : 0);

/** The pages themselves: order-0 kernel page-table allocations (GFP_PGTABLE_KERNEL) on the boot node. */
function preallocateVmallocPages(m: Machine): void {
  if (!m.buddy || !('zonelists' in m.buddy)) return;
  const b = m.buddy as Buddy;
  const nid = Math.min(...(m.numa ? [...m.numa.online] : [0]));
  const l5 = pgtableL5Enabled(m);
  const n = vmallocPreallocPages(l5, !m.params.nokaslr);
  for (let i = 0; i < n; i++) {
    if (allocPages(b, 0, MigrateType.UNMOVABLE, nid, ZoneType.NORMAL) < 0) throw new KernelPanic(`Failed to pre-allocate ${l5 ? 'p4d' : 'pud'} pages for vmalloc area`);
  }
}

/**
 * mem_init_print_info(): "Memory: AVAILK/PHYSK available (… reserved …)" — what is free now
 * (deferred pages not yet), the present pages, and what memblock_free_all() did not hand over.
 */
function memInitPrintInfo(m: Machine): void {
  const img = m.firmware.image!;
  let free = 0;
  let phys = 0;
  for (const nid of m.onlineNodes) {
    const pg = m.zones!.nodes.get(nid);
    if (!pg) continue;
    phys += pg.nodePresentPages;
    if ('zonelists' in m.buddy!) pg.zones.forEach((_, zid) => { free += buddyZone(m.buddy as Buddy, nid, zid).freePages; });
  }
  const k = (pages: number): number => (pages * PAGE_SIZE) / 1024;
  m.printk.emit(memInitInfo, {
    availableK: k(free), physK: k(phys), codeK: img.codeK, rwdataK: img.rwdataK, rodataK: img.rodataK, initK: img.initK,
    bssK: img.bssK, reservedK: k(phys - (m.totalramPages ?? 0)), cmaReservedK: 0,
  });
}

/** free_reserved_area() over [start, end) pfns with its "Freeing WHAT memory: NK" line; totalram_pages grows. */
function freeInitPages(m: Machine, span: [number, number], what: string): void {
  const pages = machineFreeReservedArea(m, span[0] * PAGE_SIZE, span[1] * PAGE_SIZE);
  if (pages) m.printk.emit(freeingMemory, { what, kbytes: (pages * PAGE_SIZE) / 1024 });
}

/** The image's parts freed at `when` (kernel-image.ts places them from _text and the brk area). */
function freeKernelImageParts(m: Machine, when: KernelImageFreeWhen): void {
  const brk = (m.firmware.brk ?? DEBIAN_BRK).start;
  for (const f of kernelImageFrees(imageTextOf(m.firmware), brk, m.firmware.image!)) if (f.when === when) freeInitPages(m, f.span, f.what);
}

/**
 * page_alloc_init_late()'s memblock_discard(), after deferred init: memblock's doubled region
 * arrays go back through memblock_free_late() — __free_pages_core() page by page.
 */
function memblockDiscardFree(m: Machine): void {
  const ctx = { memmap: m.memmap!, zones: m.zones! };
  for (const r of memblockDiscard(m.memblock!)) {
    for (let pfn = r.startPfn; pfn < r.endPfn; pfn++) freePagesCore(m.buddy!, ctx, pfn, 0);
    const n = Math.max(r.endPfn - r.startPfn, 0);
    m.totalramPages = (m.totalramPages ?? 0) + n;
    if (n) (m.lateFreed ??= []).push([r.startPfn * PAGE_SIZE, r.endPfn * PAGE_SIZE]);
  }
}

/**
 * After the initcalls: populate_rootfs() (rootfs_initcall) frees the initrd — x86's
 * free_initrd_mem() rounds its end up to a page — then kernel_init() frees the image's unused
 * parts (mem_encrypt_free_decrypted_mem(), free_initmem(), mark_rodata_ro()).
 */
function freeAfterInitcalls(m: Machine): void {
  const rd = m.firmware.initrd;
  // free_reserved_area() rounds the start up; x86's free_initrd_mem() rounds the end up too.
  if (rd) freeInitPages(m, [pfnUp(rd.base), pfnUp(rd.base + rd.size)], 'initrd');
  freeKernelImageParts(m, 'late');
}

/** memInitEarly(), then deferred init on the calling thread, then memInitInitcalls(); returns each node's report. */
export function memInit(m: Machine, opts: MemInitOptions = {}): DeferredNodeReport[] {
  memInitEarly(m, opts);
  const reports = pageAllocInitLate({
    mb: m.memblock!, zones: m.zones!, memmap: m.memmap!, buddy: m.buddy!, groupByMobilityDisabled: groupByMobilityDisabled(m),
    strategy: opts.strategy ?? 'parallel', maxThreads: opts.maxThreads ?? 1, printk: m.printk, ...(opts.now ? { now: opts.now } : {}),
    ...(opts.progress ? { progress: (nid: number, d: number, t: number) => opts.progress!('deferred', nid, d, t) } : {}),
  });
  memInitInitcalls(m, opts.subsysInitcall);
  return reports;
}

/**
 * What follows deferred init and changes or reads managed pages, in the kernel's order:
 * memblock_discard(), then the initcalls init_per_zone_wmark_min() (postcore),
 * efi_free_boot_services() (arch) and hugepage_init() (subsys) with khugepaged's
 * min_free_kbytes, then the initrd and the kernel image's unused parts. The image's frees and
 * the discard need to know the image (firmware.image): a replay takes them from its log instead.
 */
export function memInitInitcalls(m: Machine, subsysInitcall?: (m: Machine) => void): void {
  if (m.firmware.image) memblockDiscardFree(m);
  const postcore = wmarkZonesOf(m);
  efiFreeBootServices(m);
  m.watermarks = bootWatermarks(m, postcore, wmarkZonesOf(m));
  subsysInitcall?.(m);
  if (m.firmware.image) freeAfterInitcalls(m);
}
