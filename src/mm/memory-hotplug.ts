// SPDX-License-Identifier: GPL-2.0-only
// Memory hotplug (mm/memory_hotplug.c, 6.1): add_memory_resource() / try_remove_memory(),
// online_pages() / offline_pages() and move_pfn_range_to_zone() on the shared memmap init core
// (memmapInitRange() in hotplug context), memmap_on_memory. Zone choice and spans are in
// memory-hotplug-zone.ts, isolation in page-isolation.ts, migration in migrate.ts, memory
// blocks and their sysfs files in drivers/base/memory.ts.
//
// Every operation either completes or leaves the machine as it was (the kernel's error paths
// undo what they did; so do these). Errors are negative errnos, as the kernel returns them.
import { MAX_NR_ZONES, MAX_ORDER, MIGRATE_TYPES, MigrateType, NUMA_NO_NODE, PAGEBLOCK_NR_PAGES, PAGES_PER_SECTION, STRUCT_PAGE_SIZE, ZoneType } from '../include/mmzone.js';
import { PAGE_SIZE, pfnDown } from '../include/pfn.js';
import { PG } from '../include/page-flags.js';
import type { Machine } from '../kernel/machine.js';
import { systemRamPages } from '../kernel/resource.js';
import { groupByMobilityDisabled } from '../arch/x86/mem-init.js';
import { earlyInitState, memmapInitRange, type MemmapInitContext, type VmemAltmap } from './memmap-init-range.js';
import { buddyZone, type Buddy } from './page-alloc.js';
import { buddyZoneCreate } from './free-area.js';
import { freePagesCore } from './page-free-core.js';
import { pageInitPoison, pageToNid, pageWord, pageZonenum, setPageFlag } from './page.js';
import { startIsolatePageRange, testPagesIsolated, undoIsolatePageRange, offlineIsolatedPages } from './page-isolation.js';
import { doMigrateRange, scanMovablePages } from './migrate.js';
import {
  hotaddInitPgdat, resizePgdatRange, resizeZoneRange, setSectionsOnline, shrinkZoneSpan, updatePgdatSpan, zoneKey,
  type MemoryGroup, type Mmop, type ZonePolicy,
} from './memory-hotplug-zone.js';
import {
  earlySection, EEXIST, EINVAL, ENOMEM, memblocksPresent, pfnToSection, presentSection, sectionMemmap, sparseAddSection, sparseRemoveSection,
} from './sparse.js';
import { builtZonelists } from '../trace/formats/zone.js';
import { machineInitPerZoneWmarkMin, nrFreeZonePages, watermarkStateNew, wmarkZonesOf } from './watermark.js';
import { buildAllZonelists } from './zonelist.js';
import { populatedZone, type PgData } from './zone.js';
import { MemoryBlocks, probeMemoryBlockSize } from '../drivers/base/memory.js';
import { pgtableL5Enabled } from '../arch/x86/pgtable.js';

export const EBUSY = -16;
export const E2BIG = -7;
export const EINTR = -4;
export { EEXIST, EINVAL, ENOMEM };

/** A "System RAM" resource memory hotplug registered in /proc/iomem. */
export interface HotplugResource {
  start: number;
  /** Exclusive. */
  end: number;
  name: string;
}

/** One `alloc` of the model's own kernel allocations (what offlining has to migrate or trips over). */
export interface TrackedAllocation {
  id: string;
  migratetype: number;
  /** Head pfn and order of each block; migration moves them. */
  blocks: { pfn: number; order: number }[];
}

/** Memory hotplug's state on a machine (created after boot by memoryHotplugInit()). */
export interface MemoryHotplug {
  blocks: MemoryBlocks;
  /** mhp_default_online_type (auto_online_blocks). */
  defaultOnlineType: Mmop;
  policy: ZonePolicy;
  /** memory_hotplug.memmap_on_memory. */
  memmapOnMemory: boolean;
  /**
   * The seed thread's question: do hot-added struct pages need PG_reserved between their init
   * and their first free? 'keep' is 6.1; 'drop' initialises them without it.
   */
  reserved: 'keep' | 'drop';
  groups: MemoryGroup[];
  resources: HotplugResource[];
  /** node_online_map, N_MEMORY and N_NORMAL_MEMORY. */
  nodesOnline: Set<number>;
  nMemory: Set<number>;
  nNormalMemory: Set<number>;
  allocations: Map<string, TrackedAllocation>;
  nextAllocation: number;
  /** The "Built N zonelists…" line of each build_all_zonelists() call since boot. */
  zonelistLines: string[];
}

/** PHYSMEM_END with 4-level paging: 2^46 (MAX_PHYSMEM_BITS); 5-level: 2^52. */
export const physmemEnd = (m: Machine): number => 2 ** (pgtableL5Enabled(m) ? 52 : 46);

/** mhp_range_allowed(): [start, start + size) is non-empty and below PHYSMEM_END. */
export const mhpRangeAllowed = (m: Machine, start: number, size: number): boolean =>
  size > 0 && start >= 0 && start + size <= physmemEnd(m);

export const hotplugOf = (m: Machine): MemoryHotplug => {
  if (!m.hotplug) throw new Error(`${m.name}: memory hotplug is not initialised (boot with struct pages first)`);
  return m.hotplug;
};

export interface MemoryHotplugOptions {
  /** --hotplug-reserved: 'keep' (6.1) or 'drop'. */
  reserved?: 'keep' | 'drop';
  /**
   * Plan only: memory blocks from memblock's present sections, no struct pages (a replay
   * predicting the boot's memory blocks); nothing can be onlined or added.
   */
  plan?: boolean;
}

/**
 * The hotplug half of boot, after the memmap exists: memory_dev_init() (block size, the online
 * boot blocks and their nodes) and the policy the command line set (memhp_default_state=,
 * memory_hotplug.online_policy / memmap_on_memory, movable_node).
 */
export function memoryHotplugInit(m: Machine, opts: MemoryHotplugOptions = {}): MemoryHotplug {
  if (!m.zones || !m.memblock || (!opts.plan && (!m.memmap || !m.buddy))) throw new Error(`${m.name}: memory hotplug needs the struct pages (boot with the memmap)`);
  const presentEarly = new Map<string, number>();
  const nMemory = new Set<number>();
  const nNormalMemory = new Set<number>();
  for (const pg of m.zones.nodes.values()) {
    pg.zones.forEach((z, zid) => {
      presentEarly.set(zoneKey(pg.nodeId, zid), z.presentPages);
      if (z.presentPages && zid <= ZoneType.MOVABLE) nMemory.add(pg.nodeId);
      if (z.presentPages && zid <= ZoneType.NORMAL) nNormalMemory.add(pg.nodeId);
    });
  }
  const p = m.params;
  const hp: MemoryHotplug = {
    blocks: memoryBlocksFor(m, opts.plan ?? false),
    defaultOnlineType: p.memhpDefaultState === undefined ? 0 : (['offline', 'online', 'online_kernel', 'online_movable'].indexOf(p.memhpDefaultState) as Mmop),
    policy: { onlinePolicy: p.onlinePolicy, autoMovableRatio: 301, autoMovableNumaAware: true, movableNode: p.movableNode, presentEarly },
    memmapOnMemory: p.memmapOnMemory, reserved: opts.reserved ?? 'keep', groups: [], resources: [],
    nodesOnline: new Set(m.onlineNodes), nMemory, nNormalMemory, allocations: new Map(), nextAllocation: 0, zonelistLines: [],
  };
  m.hotplug = hp;
  hp.blocks.memoryDevInit();
  return hp;
}

/** The block subsystem over the memmap's present sections, or memblock's when planning. */
function memoryBlocksFor(m: Machine, plan: boolean): MemoryBlocks {
  const size = probeMemoryBlockSize(m.maxPfn, true);
  if (!plan) {
    const secs = m.memmap!.sections;
    return new MemoryBlocks(m, size, (nr) => presentSection(secs[nr]), secs.length - 1);
  }
  const present = memblocksPresent(m.memblock!);
  return new MemoryBlocks(m, size, (nr) => present.has(nr), Math.max(-1, ...present.keys()));
}

const buddyOf = (m: Machine): Buddy => m.buddy as Buddy;

/** The memmap init context of hotplug: no early checks, reserved pages as --hotplug-reserved says. */
function hotplugInitContext(m: Machine): MemmapInitContext {
  return {
    mb: m.memblock!, zones: m.zones!, memmap: m.memmap, presentSections: new Set(), groupByMobilityDisabled: groupByMobilityDisabled(m),
    early: earlyInitState(), hotplugReserved: (m.hotplug?.reserved ?? 'keep') === 'keep',
  };
}

const pgdatOf = (m: Machine, nid: number): PgData => {
  const pg = m.zones!.nodes.get(nid);
  if (!pg) throw new Error(`node ${nid} has no pgdat`);
  return pg;
};

/** page_zone() of an initialised pfn: node and zone of its struct page. */
export function pageZoneOf(m: Machine, pfn: number): { nid: number; zid: number } {
  const mem = sectionMemmap(m.memmap!, pfn);
  const w = pageWord(pfn);
  return { nid: pageToNid(mem, w), zid: pageZonenum(mem, w) };
}

/**
 * mirrors move_pfn_range_to_zone(): the zone and node grow to span the range, then the struct
 * pages are initialised through the shared core in hotplug context with every pageblock's type
 * set to `migratetype` (MIGRATE_ISOLATE for onlining). ZONE_DEVICE callers pass their altmap.
 */
export function movePfnRangeToZone(
  m: Machine, nid: number, zid: number, startPfn: number, nrPages: number, altmap: VmemAltmap | undefined, migratetype: number,
): void {
  const pg = pgdatOf(m, nid);
  resizeZoneRange(pg.zones[zid]!, startPfn, nrPages);
  resizePgdatRange(pg, startPfn, nrPages);
  memmapInitRange(hotplugInitContext(m), nrPages, nid, zid, startPfn, 0, 'hotplug', altmap, migratetype);
}

/**
 * mirrors remove_pfn_range_from_zone(): the struct pages become uninitialised again (poisoned,
 * init counters cleared), then the zone (not ZONE_DEVICE) and node shrink.
 */
export function removePfnRangeFromZone(m: Machine, nid: number, zid: number, startPfn: number, nrPages: number): void {
  const mm = m.memmap!;
  for (let pfn = startPfn, end = startPfn + nrPages; pfn < end; ) {
    const next = Math.min(end, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
    const ms = pfnToSection(mm, pfn)!;
    if (mm.poison) pageInitPoison(ms.memmap!, pageWord(pfn), next - pfn);
    ms.initCount?.fill(0, pfn % PAGES_PER_SECTION, pfn % PAGES_PER_SECTION + (next - pfn));
    pfn = next;
  }
  if (zid === ZoneType.DEVICE) return;
  const pg = pgdatOf(m, nid);
  shrinkZoneSpan(mm, pg, zid, startPfn, startPfn + nrPages);
  updatePgdatSpan(pg);
}

/** mirrors adjust_present_page_count(): zone, node, early pages and the memory group. */
export function adjustPresentPageCount(m: Machine, pfn: number, group: MemoryGroup | undefined, nrPages: number): void {
  const { nid, zid } = pageZoneOf(m, pfn);
  const pg = pgdatOf(m, nid);
  const hp = hotplugOf(m);
  if (earlySection(pfnToSection(m.memmap!, pfn))) {
    const k = zoneKey(nid, zid);
    hp.policy.presentEarly.set(k, (hp.policy.presentEarly.get(k) ?? 0) + nrPages);
  }
  pg.zones[zid]!.presentPages += nrPages;
  pg.nodePresentPages += nrPages;
  if (group && zid === ZoneType.MOVABLE) group.presentMovablePages += nrPages;
  else if (group) group.presentKernelPages += nrPages;
}

/** build_all_zonelists() after a zone became populated or empty. */
function rebuildZonelists(m: Machine): void {
  buildAllZonelists(buddyOf(m), buddyOf(m).zonelistOptions);
  // Its line: vm_total_pages counts the managed pages above each zone's high watermark — those of
  // before the recompute when onlining (it comes after), of after it when offlining.
  const totalPages = nrFreeZonePages(m.watermarks ?? watermarkStateNew(), wmarkZonesOf(m), ZoneType.MOVABLE);
  hotplugOf(m).zonelistLines.push(builtZonelists.emit({ nodes: m.onlineNodes.length, grouping: totalPages >= PAGEBLOCK_NR_PAGES * MIGRATE_TYPES, totalPages }));
}

/** node_states_set_node() / node_states_clear_node(): N_MEMORY and N_NORMAL_MEMORY follow present pages. */
function updateNodeStates(m: Machine, nid: number): void {
  const hp = hotplugOf(m);
  const pg = pgdatOf(m, nid);
  const normal = pg.zones.slice(0, ZoneType.NORMAL + 1).some(populatedZone);
  const any = normal || populatedZone(pg.zones[ZoneType.MOVABLE]!);
  if (normal) hp.nNormalMemory.add(nid);
  else hp.nNormalMemory.delete(nid);
  if (any) hp.nMemory.add(nid);
  else hp.nMemory.delete(nid);
}

/**
 * mirrors online_pages(): move the range to the zone isolated, hand it to the buddy allocator
 * in MAX_ORDER - 1 chunks (generic_online_page() → __free_pages_core(): managed and totalram
 * grow), mark the sections online, count the pages present, rebuild the zonelists for a zone
 * that was empty, then undo the isolation so the pages become allocatable as Movable.
 */
export function onlinePages(m: Machine, pfn: number, nrPages: number, nid: number, zid: number, group: MemoryGroup | undefined): number {
  if (!nrPages || pfn % PAGEBLOCK_NR_PAGES !== 0 || (pfn + nrPages) % PAGES_PER_SECTION !== 0) return EINVAL;
  movePfnRangeToZone(m, nid, zid, pfn, nrPages, undefined, MigrateType.ISOLATE);
  const b = buddyOf(m);
  const zone = pgdatOf(m, nid).zones[zid]!;
  const needRebuild = !populatedZone(zone);
  const end = pfn + nrPages;
  for (let p = pfn; p < end; ) {
    // online_pages_range(): the largest order the pfn's alignment allows (__ffs), capped.
    let order = 0;
    while (order < MAX_ORDER - 1 && p % 2 ** (order + 1) === 0) order++;
    freePagesCore(b, { memmap: m.memmap!, zones: m.zones! }, p, order);
    m.totalramPages = (m.totalramPages ?? 0) + 2 ** order;
    p += 2 ** order;
  }
  setSectionsOnline(m.memmap!, pfn, end, true);
  adjustPresentPageCount(m, pfn, group, nrPages);
  updateNodeStates(m, nid);
  if (needRebuild) rebuildZonelists(m);
  undoIsolatePageRange(b, buddyZone(b, nid, zid), pfn, end, MigrateType.MOVABLE);
  machineInitPerZoneWmarkMin(m);
  return 0;
}

/**
 * mirrors offline_pages(): refuse ranges with holes or in several zones (EINVAL), isolate every
 * pageblock (EBUSY on a reserved or unmovable page, isolation undone), migrate what is movable
 * until only free pages remain (6.1 retries forever when migration cannot finish; a signal ends
 * it with EINTR: meminit returns EINTR at once), take the free pages out of the allocator, then
 * managed, present and totalram shrink, and the zone and node spans with them.
 */
export function offlinePages(m: Machine, startPfn: number, nrPages: number, nid: number, zid: number, group: MemoryGroup | undefined): number {
  const end = startPfn + nrPages;
  if (!nrPages || startPfn % PAGEBLOCK_NR_PAGES !== 0 || end % PAGES_PER_SECTION !== 0) return EINVAL;
  if (systemRamPages(m, startPfn, nrPages) !== nrPages) return EINVAL;
  const first = pageZoneOf(m, startPfn);
  const last = pageZoneOf(m, end - 1);
  if (first.nid !== nid || first.zid !== zid || last.nid !== nid || last.zid !== zid) return EINVAL;
  const b = buddyOf(m);
  const bz = buddyZone(b, nid, zid);
  let ret = startIsolatePageRange(b, bz, startPfn, end);
  if (ret) return ret;
  for (;;) {
    let pfn = startPfn;
    for (;;) {
      pfn = scanMovablePages(m, pfn, end);
      if (pfn < 0) break;
      if (!doMigrateRange(m, pfn, end)) {
        undoIsolatePageRange(b, bz, startPfn, end, MigrateType.MOVABLE);
        return EINTR;
      }
    }
    if (testPagesIsolated(b, startPfn, end) < 0) break;
    // Something neither free nor movable is left (only an unmovable page in ZONE_MOVABLE can
    // be): 6.1 loops here until a signal arrives.
    undoIsolatePageRange(b, bz, startPfn, end, MigrateType.MOVABLE);
    return EINTR;
  }
  offlineIsolatedPages(b, bz, startPfn, end);
  setSectionsOnline(m.memmap!, startPfn, end, false);
  const zone = pgdatOf(m, nid).zones[zid]!;
  zone.managedPages -= nrPages;
  m.totalramPages = (m.totalramPages ?? 0) - nrPages;
  adjustPresentPageCount(m, startPfn, group, -nrPages);
  machineInitPerZoneWmarkMin(m);
  if (!populatedZone(zone)) rebuildZonelists(m);
  updateNodeStates(m, nid);
  removePfnRangeFromZone(m, nid, zid, startPfn, nrPages);
  return 0;
}

/**
 * mirrors mhp_init_memmap_on_memory(): the block's first pages, which hold its own memmap, join
 * the zone as unmovable, PG_vmemmap_self_hosted, never freed; whole sections among them go online.
 */
export function mhpInitMemmapOnMemory(m: Machine, pfn: number, nrPages: number, nid: number, zid: number): void {
  movePfnRangeToZone(m, nid, zid, pfn, nrPages, undefined, MigrateType.UNMOVABLE);
  for (let p = pfn; p < pfn + nrPages; p++) setPageFlag(sectionMemmap(m.memmap!, p), pageWord(p), PG.owner_priv_1);
  if (nrPages >= PAGES_PER_SECTION) setSectionsOnline(m.memmap!, pfn, pfn + nrPages - ((pfn + nrPages) % PAGES_PER_SECTION), true);
}

/** mirrors mhp_deinit_memmap_on_memory(). */
export function mhpDeinitMemmapOnMemory(m: Machine, pfn: number, nrPages: number): void {
  if (nrPages >= PAGES_PER_SECTION) setSectionsOnline(m.memmap!, pfn, pfn + nrPages - ((pfn + nrPages) % PAGES_PER_SECTION), false);
  const { nid, zid } = pageZoneOf(m, pfn);
  removePfnRangeFromZone(m, nid, zid, pfn, nrPages);
}

/**
 * mirrors mhp_supports_memmap_on_memory(): enabled, exactly one memory block, a memmap of whole
 * PMDs and the rest whole pageblocks (a 128 MiB block: 512 memmap pages, 2 MiB).
 */
export function mhpSupportsMemmapOnMemory(m: Machine, size: number): boolean {
  const hp = hotplugOf(m);
  const vmemmap = (size / PAGE_SIZE) * STRUCT_PAGE_SIZE;
  return hp.memmapOnMemory && size === hp.blocks.blockSize && vmemmap % (2 * 1024 * 1024) === 0
    && (size - vmemmap) % (PAGEBLOCK_NR_PAGES * PAGE_SIZE) === 0;
}

/** register_memory_resource()'s checks: the pluggable range (E2BIG) and no overlap with System RAM or a hot-added range (EEXIST). */
function registerMemoryResource(m: Machine, start: number, size: number): number {
  if (!mhpRangeAllowed(m, start, size)) return E2BIG;
  const overlaps = (s: number, e: number): boolean => start < e && s < start + size;
  for (const e of m.e820?.table.entries ?? []) if (e.type === 1 && overlaps(e.addr, e.addr + e.size)) return EEXIST;
  for (const r of hotplugOf(m).resources) if (overlaps(r.start, r.end)) return EEXIST;
  return 0;
}

export interface AddMemoryFlags {
  /** MHP_MEMMAP_ON_MEMORY: the ACPI driver asks when mhp_supports_memmap_on_memory() says yes. */
  memmapOnMemory?: boolean;
  /** MHP_MERGE_RESOURCE: merge the "System RAM" resource with its neighbours (the ACPI driver does). */
  mergeResource?: boolean;
  group?: MemoryGroup;
  /** add_memory_driver_managed(): the resource's name ("System RAM (kmem)"); plain add_memory() is "System RAM". */
  resourceName?: string;
}

/** __try_online_node(): a node without a pgdat gets one (empty zones and their free areas). Returns whether it is new. */
function tryOnlineNode(m: Machine, nid: number): boolean {
  const hp = hotplugOf(m);
  if (hp.nodesOnline.has(nid)) return false;
  if (!m.zones!.nodes.has(nid)) {
    const pg = hotaddInitPgdat(m.zones!, nid);
    const b = buddyOf(m);
    pg.zones.forEach((z, zid) => { b.zones[nid * MAX_NR_ZONES + zid] = buddyZoneCreate(z, nid, zid); });
  }
  return true;
}

/**
 * mirrors __add_memory() → add_memory_resource(): block-aligned range (EINVAL), a possible node
 * (EINVAL), the resource (E2BIG/EEXIST), the node's pgdat, sections with poisoned struct pages
 * (arch_add_memory(); with memmap_on_memory the memmap's pages come from the range itself),
 * offline memory blocks linked to the node, then onlining per auto_online_blocks.
 */
export function addMemory(m: Machine, nid: number, start: number, size: number, flags: AddMemoryFlags = {}): number {
  const hp = hotplugOf(m);
  const bs = hp.blocks.blockSize;
  if (!size || start % bs !== 0 || size % bs !== 0) return EINVAL;
  if (!m.numa?.possible.includes(nid) && !(nid === 0 && !m.numa?.possible.length)) return EINVAL;
  let ret = registerMemoryResource(m, start, size);
  if (ret) return ret;
  const startPfn = pfnDown(start);
  const nrPages = size / PAGE_SIZE;
  let altmapAlloc = 0;
  if (flags.memmapOnMemory) {
    if (!mhpSupportsMemmapOnMemory(m, size)) return EINVAL;
    altmapAlloc = (nrPages * STRUCT_PAGE_SIZE) / PAGE_SIZE;
  }
  const hadPgdat = m.zones!.nodes.has(nid);
  const newNode = tryOnlineNode(m, nid);
  // arch_add_memory() → __add_pages(): section by section; undone on failure.
  const added: number[] = [];
  for (let pfn = startPfn; pfn < startPfn + nrPages; pfn += PAGES_PER_SECTION) {
    ret = sparseAddSection(m.memmap!, nid, pfn, Math.min(PAGES_PER_SECTION, startPfn + nrPages - pfn));
    if (ret) break;
    added.push(pfn);
  }
  if (ret) {
    for (const pfn of added) sparseRemoveSection(m.memmap!, pfn, PAGES_PER_SECTION);
    if (!hadPgdat) {
      m.zones!.nodes.delete(nid);
      const b = buddyOf(m);
      for (let zid = 0; zid < MAX_NR_ZONES; zid++) b.zones[nid * MAX_NR_ZONES + zid] = undefined;
    }
    return ret;
  }
  // update_end_of_memory_vars(): max_pfn follows the highest hot-added memory.
  if (startPfn + nrPages > m.maxPfn) {
    m.maxPfn = startPfn + nrPages;
    m.maxLowPfn = m.maxPfn;
  }
  hp.blocks.create(start, size, altmapAlloc, flags.group);
  if (newNode) {
    hp.nodesOnline.add(nid);
    if (!m.onlineNodes.includes(nid)) m.onlineNodes = [...m.onlineNodes, nid].sort((a, b) => a - b);
    rebuildZonelists(m);
  }
  hp.blocks.registerUnderNode(nid, start, size);
  addResource(hp, { start, end: start + size, name: flags.resourceName ?? 'System RAM' }, flags.mergeResource ?? false);
  if (hp.defaultOnlineType !== 0) hp.blocks.onlineRange(start, size, hp.defaultOnlineType);
  return 0;
}

/** Keep the resources sorted; MHP_MERGE_RESOURCE joins touching "System RAM" neighbours (merge_system_ram_resource()). */
function addResource(hp: MemoryHotplug, r: HotplugResource, merge: boolean): void {
  hp.resources.push(r);
  hp.resources.sort((a, b) => a.start - b.start);
  if (!merge) return;
  for (let i = 0; i + 1 < hp.resources.length; ) {
    const a = hp.resources[i]!;
    const c = hp.resources[i + 1]!;
    if (a.end === c.start && a.name === c.name && (a === r || c === r)) {
      a.end = c.end;
      hp.resources.splice(i + 1, 1);
      r = a;
    } else i++;
  }
}

/** release_mem_region_adjustable(): cut [start, end) out of the resource holding it. */
function releaseResource(hp: MemoryHotplug, start: number, end: number): void {
  const out: HotplugResource[] = [];
  for (const r of hp.resources) {
    if (end <= r.start || start >= r.end) out.push(r);
    else {
      if (r.start < start) out.push({ ...r, end: start });
      if (end < r.end) out.push({ ...r, start: end });
    }
  }
  hp.resources = out;
}

/**
 * mirrors remove_memory() → try_remove_memory(): every block of the range offline (EBUSY), a
 * memmap_on_memory block removed alone (EINVAL), then the blocks, sections and resource go, and
 * the node goes offline if it spans and holds nothing any more.
 */
export function removeMemory(m: Machine, start: number, size: number): number {
  const hp = hotplugOf(m);
  const bs = hp.blocks.blockSize;
  if (!size || start % bs !== 0 || size % bs !== 0) return EINVAL;
  const blocks = hp.blocks.inRange(start, size);
  if (blocks.length === 0 || blocks.length !== size / bs) return EINVAL;
  if (blocks.some((b) => b.state !== 'offline')) return EBUSY;
  if (blocks.some((b) => b.nrVmemmapPages) && size !== bs) return EINVAL;
  if (blocks.some((b) => earlySection(pfnToSection(m.memmap!, b.startSectionNr * PAGES_PER_SECTION)))) return EBUSY;
  const nid = blocks[blocks.length - 1]!.nid;
  hp.blocks.remove(start, size);
  for (let pfn = pfnDown(start); pfn < pfnDown(start + size); pfn += PAGES_PER_SECTION) sparseRemoveSection(m.memmap!, pfn, PAGES_PER_SECTION);
  releaseResource(hp, start, start + size);
  if (nid !== NUMA_NO_NODE) tryOfflineNode(m, nid);
  return 0;
}

/** try_offline_node(): a node that spans nothing, has no memory block and no CPU goes offline. */
function tryOfflineNode(m: Machine, nid: number): void {
  const hp = hotplugOf(m);
  if (pgdatOf(m, nid).nodeSpannedPages) return;
  if (hp.blocks.all().some((b) => b.nid === nid)) return;
  if (m.numa?.cpuNodes.has(nid)) return;
  hp.nodesOnline.delete(nid);
  m.onlineNodes = m.onlineNodes.filter((n) => n !== nid);
}
