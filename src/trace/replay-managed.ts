// Each zone's managed pages at the end of boot (the `managed` of /proc/zoneinfo), from the
// replayed memblock: what memblock_free_all() hands to the buddy allocator (deferred pages
// included: deferred init frees them before userspace runs), plus the reserved memory the log
// reports freed later — memblock_free_late() ranges, EFI boot services memory, the initrd and
// the kernel image's init/gap sections — each credited to the zone that holds it.
import { MemblockFlag } from '../include/memblock.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../include/mmzone.js';
import { PAGE_SIZE, PHYS_ADDR_MAX, pfnDown, pfnUp } from '../include/pfn.js';
import type { Machine } from '../kernel/machine.js';
import { forEachFreeMemRange, forEachMemPfnRange, memblockClearHotplug } from '../mm/memblock.js';
import { populatedZone, zoneEndPfn } from '../mm/zone.js';
import type { MemInitInfo } from './formats/free.js';
import { bootWatermarks, wmarkZonesOf, type WatermarkState } from '../mm/watermark.js';
import { lateSpans, type LateFree, type LateFreeStage, type Span } from './replay-late-frees.js';
import { vmallocPreallocPages } from '../arch/x86/mem-init.js';
import { pgtableL5Enabled } from '../arch/x86/pgtable.js';

/** Managed pages per "nid:zone name". */
export type ZoneCounts = Map<string, number>;

/**
 * Add the pfns of [startPfn, endPfn) to the zones that hold them: the node is the one whose
 * memory they are (node spans may interleave, as with numa=fake), the zone the node's zone
 * spanning them.
 */
function credit(m: Machine, out: ZoneCounts, startPfn: number, endPfn: number): void {
  for (const r of forEachMemPfnRange(m.memblock!, MAX_NUMNODES)) {
    const s = Math.max(startPfn, r.startPfn);
    const e = Math.min(endPfn, r.endPfn);
    if (s >= e) continue;
    for (const z of m.zones!.nodes.get(r.nid)?.zones ?? []) {
      if (!populatedZone(z)) continue;
      const n = Math.min(e, zoneEndPfn(z)) - Math.max(s, z.zoneStartPfn);
      if (n > 0) out.set(`${r.nid}:${z.name}`, (out.get(`${r.nid}:${z.name}`) ?? 0) + n);
    }
  }
}

/** The boot's watermarks, and the managed pages of the subsys initcalls they were last computed over. */
export interface PredictedWatermarks {
  state: WatermarkState;
  /** What was managed when hugepage_init() ran, and when the ACPI driver onlined boot-time DIMMs after it. */
  subsysManaged: ZoneCounts;
}

/**
 * The watermarks the boot left: init_per_zone_wmark_min() over the managed pages before the
 * initcalls, hugepage_init() over those after the arch initcalls (EFI boot services freed), as
 * the log's late frees place them.
 */
export function predictWatermarks(m: Machine, late: readonly LateFree[] | undefined): PredictedWatermarks | undefined {
  if (!m.memblock || !m.zones || !late) return undefined;
  const at = (stage: LateFreeStage): ZoneCounts => predictManaged(m, lateSpans(late, stage))!;
  const subsysManaged = at('arch');
  return { state: bootWatermarks(m, wmarkZonesOf(m, at('boot')), wmarkZonesOf(m, subsysManaged)), subsysManaged };
}

/** The managed pages of every populated zone, given the log's late frees (replay-late-frees.ts); undefined without them. */
export function predictManaged(m: Machine, late: Span[] | undefined): ZoneCounts | undefined {
  const mb = m.memblock;
  if (!mb || !m.zones || !late) return undefined;
  const out: ZoneCounts = new Map();
  for (const [s, e] of [...memblockFreeAllSpans(m), ...late]) credit(m, out, s, e);
  return out;
}

/**
 * The pfns memblock_free_all() hands to the buddy allocator (free_low_memory_core_early(): the
 * hotplug marks go, then every free range in whole pages below max_low_pfn), deferred ones included.
 */
export function memblockFreeAllSpans(m: Machine): Span[] {
  const mb = m.memblock!;
  memblockClearHotplug(mb, 0, PHYS_ADDR_MAX);
  const out: Span[] = [];
  for (const r of forEachFreeMemRange(mb, NUMA_NO_NODE, MemblockFlag.NONE)) {
    const s = pfnUp(r.start);
    const e = Math.min(pfnDown(r.end), m.maxLowPfn);
    if (s < e) out.push([s, e]);
  }
  return out;
}

/**
 * The pages memblock_free_all() frees: all of them (totalram_pages), and those below each node's
 * first_deferred_pfn that reach the buddy allocator at once (memblock_free_pages() leaves the
 * rest to deferred init).
 */
function memblockFreeAllCounts(m: Machine): { total: number; early: number } {
  let total = 0;
  let early = 0;
  for (const [s0, e0] of memblockFreeAllSpans(m)) {
    for (const r of forEachMemPfnRange(m.memblock!, MAX_NUMNODES)) {
      const s = Math.max(s0, r.startPfn);
      const e = Math.min(e0, r.endPfn);
      if (s >= e) continue;
      total += e - s;
      early += Math.max(0, Math.min(e, m.zones!.nodes.get(r.nid)?.firstDeferredPfn ?? Infinity) - s);
    }
  }
  return { total, early };
}

/**
 * mem_init_print_info()'s "Memory:" line. Its kernel-image sizes are the log's own (meminit has no
 * vmlinux); "available" is what the buddy allocator holds then: the early frees less the page-table
 * pages preallocate_vmalloc_pages() has just taken — one per PGD slot of the vmalloc area (64 with
 * four levels, 50 with five, one more when KASLR leaves the area unaligned, as it almost always does).
 */
export function predictMemInitInfo(m: Machine, logged: MemInitInfo, kaslr: boolean): MemInitInfo {
  const { total, early } = memblockFreeAllCounts(m);
  const vmallocPages = vmallocPreallocPages(pgtableL5Enabled(m), kaslr);
  let phys = 0;
  for (const nid of m.onlineNodes) phys += m.zones!.nodes.get(nid)?.nodePresentPages ?? 0;
  const k = (pages: number): number => (pages * PAGE_SIZE) / 1024;
  return { ...logged, availableK: k(early - vmallocPages), physK: k(phys), reservedK: k(phys - total), cmaReservedK: 0 };
}
