// SPDX-License-Identifier: GPL-2.0-only
// Which zone hot-plugged memory joins, and how zones and nodes grow and shrink around it
// (mm/memory_hotplug.c, 6.1): zone_for_pfn_range() with the contig-zones and auto-movable
// policies, resize_zone_range/resize_pgdat_range, shrink_zone_span/update_pgdat_span.
import { MAX_NR_ZONES, PAGES_PER_SECTION, ZONE_NAMES, ZoneType } from '../include/mmzone.js';
import { PAGES_PER_SUBSECTION, SectionFlag } from '../include/sparsemem.js';
import { pagePoisoned, pageToNid, pageWord, pageZonenum } from './page.js';
import { pfnSectionValid, pfnToSection, type Memmap } from './sparse.js';
import { populatedZone, zoneEndPfn, type PgData, type Zone, type ZoneLayout } from './zone.js';

/** enum mmop: how a memory block is to be onlined (MMOP_OFFLINE means "default" for device_online()). */
export const Mmop = { OFFLINE: 0, ONLINE: 1, ONLINE_KERNEL: 2, ONLINE_MOVABLE: 3 } as const;
export type Mmop = (typeof Mmop)[keyof typeof Mmop];
/** online_type_to_str[]: the words state and auto_online_blocks accept and show. */
export const MMOP_NAMES = ['offline', 'online', 'online_kernel', 'online_movable'] as const;

/** mhp_online_type_from_str(): sysfs_streq() against the names (one trailing newline allowed), -1 if none. */
export function mhpOnlineTypeFromStr(s: string): Mmop | -1 {
  const v = s.endsWith('\n') ? s.slice(0, -1) : s;
  const i = (MMOP_NAMES as readonly string[]).indexOf(v);
  return i < 0 ? -1 : (i as Mmop);
}

/** memory_hotplug.online_policy. */
export type OnlinePolicy = 'contig-zones' | 'auto-movable';

/** A static memory group (memory_group_register_static(): one per ACPI memory device). */
export interface MemoryGroup {
  id: number;
  nid: number;
  /** s.max_pages: the device's size in pages. */
  maxPages: number;
  presentKernelPages: number;
  presentMovablePages: number;
}

/** What zone choice reads besides the zones. */
export interface ZonePolicy {
  onlinePolicy: OnlinePolicy;
  /** memory_hotplug.auto_movable_ratio (301) and auto_movable_numa_aware (true). */
  autoMovableRatio: number;
  autoMovableNumaAware: boolean;
  movableNode: boolean;
  /** zone->present_early_pages: present pages of early sections, per "nid:zid". */
  presentEarly: Map<string, number>;
}

export const zoneKey = (nid: number, zid: number): string => `${nid}:${zid}`;

/** zone_intersects(): an empty zone intersects nothing. */
export function zoneIntersects(z: Zone, startPfn: number, nrPages: number): boolean {
  if (z.spannedPages === 0) return false;
  return startPfn < zoneEndPfn(z) && startPfn + nrPages > z.zoneStartPfn;
}

/** default_kernel_zone_for_pfn(): the first of DMA, DMA32 that intersects the range, else Normal. */
export function defaultKernelZoneForPfn(pg: PgData, startPfn: number, nrPages: number): ZoneType {
  for (let zid = 0; zid < ZoneType.NORMAL; zid++) if (zoneIntersects(pg.zones[zid]!, startPfn, nrPages)) return zid as ZoneType;
  return ZoneType.NORMAL;
}

/**
 * default_zone_for_pfn(): the zone already spanning the range when only one of kernel/movable
 * does; otherwise Movable under movable_node, else the kernel zone ("online" of a fresh DIMM
 * gives Normal, or Movable with movable_node).
 */
export function defaultZoneForPfn(pg: PgData, p: ZonePolicy, startPfn: number, nrPages: number): ZoneType {
  const kernel = defaultKernelZoneForPfn(pg, startPfn, nrPages);
  const inKernel = zoneIntersects(pg.zones[kernel]!, startPfn, nrPages);
  const inMovable = zoneIntersects(pg.zones[ZoneType.MOVABLE]!, startPfn, nrPages);
  if (inKernel !== inMovable) return inKernel ? kernel : ZoneType.MOVABLE;
  return p.movableNode ? ZoneType.MOVABLE : kernel;
}

/**
 * auto_movable_can_online_movable(): would nrPages more Movable keep MOVABLE:KERNEL_EARLY within
 * the ratio (all nodes, or node nid)? Only dynamic memory groups (virtio-mem) change the stats;
 * meminit's groups are static (ACPI memory devices).
 */
function autoMovableCanOnlineMovable(lay: ZoneLayout, p: ZonePolicy, nid: number | undefined, nrPages: number): boolean {
  let kernelEarly = 0;
  let movable = 0;
  for (const pg of lay.nodes.values()) {
    if (nid !== undefined && pg.nodeId !== nid) continue;
    pg.zones.forEach((z, zid) => {
      if (!populatedZone(z)) return;
      if (zid === ZoneType.MOVABLE) movable += z.presentPages;
      else kernelEarly += p.presentEarly.get(zoneKey(pg.nodeId, zid)) ?? 0;
    });
  }
  movable += nrPages;
  return movable <= Math.floor((p.autoMovableRatio * kernelEarly) / 100);
}

/** auto_movable_zone_for_pfn(): Movable when the whole group could go there within the ratio, else the kernel zone. */
function autoMovableZoneForPfn(lay: ZoneLayout, p: ZonePolicy, nid: number, group: MemoryGroup | undefined, pfn: number, nrPages: number): ZoneType {
  const pg = lay.nodes.get(nid)!;
  const kernel = defaultKernelZoneForPfn(pg, pfn, nrPages);
  if (!p.autoMovableRatio) return kernel;
  let maxPages = nrPages;
  let online = 0;
  if (group) {
    if (group.presentKernelPages) return kernel;
    maxPages = group.maxPages;
    online = group.presentMovablePages;
  }
  const want = maxPages - online;
  if (!autoMovableCanOnlineMovable(lay, p, undefined, want)) return kernel;
  if (p.autoMovableNumaAware && !autoMovableCanOnlineMovable(lay, p, nid, want)) return kernel;
  return ZoneType.MOVABLE;
}

/** zone_for_pfn_range(): the zone onlining [startPfn, +nrPages) of node nid as `type` would use. */
export function zoneForPfnRange(
  lay: ZoneLayout, p: ZonePolicy, type: Mmop, nid: number, group: MemoryGroup | undefined, startPfn: number, nrPages: number,
): ZoneType {
  const pg = lay.nodes.get(nid);
  if (!pg) throw new Error(`zone_for_pfn_range: node ${nid} has no pgdat`);
  if (type === Mmop.ONLINE_KERNEL) return defaultKernelZoneForPfn(pg, startPfn, nrPages);
  if (type === Mmop.ONLINE_MOVABLE) return ZoneType.MOVABLE;
  if (p.onlinePolicy === 'auto-movable') return autoMovableZoneForPfn(lay, p, nid, group, startPfn, nrPages);
  return defaultZoneForPfn(pg, p, startPfn, nrPages);
}

/**
 * valid_zones_show() of an offline block: the default zone, then the kernel and movable choices
 * when they differ from it ("Movable Normal" under movable_node for a fresh DIMM).
 */
export function validZonesOffline(
  lay: ZoneLayout, p: ZonePolicy, nid: number, group: MemoryGroup | undefined, startPfn: number, nrPages: number,
): string {
  const def = zoneForPfnRange(lay, p, Mmop.ONLINE, nid, group, startPfn, nrPages);
  let s: string = ZONE_NAMES[def];
  for (const t of [Mmop.ONLINE_KERNEL, Mmop.ONLINE_MOVABLE] as const) {
    const z = zoneForPfnRange(lay, p, t, nid, group, startPfn, nrPages);
    if (z !== def) s += ` ${ZONE_NAMES[z]}`;
  }
  return s;
}

/** resize_zone_range() (with init_currently_empty_zone()'s start for an empty zone). */
export function resizeZoneRange(z: Zone, startPfn: number, nrPages: number): void {
  const oldEnd = zoneEndPfn(z);
  if (z.spannedPages === 0 || startPfn < z.zoneStartPfn) z.zoneStartPfn = startPfn;
  z.spannedPages = Math.max(startPfn + nrPages, z.spannedPages === 0 ? 0 : oldEnd) - z.zoneStartPfn;
}

/** resize_pgdat_range(). */
export function resizePgdatRange(pg: PgData, startPfn: number, nrPages: number): void {
  const oldEnd = pg.nodeStartPfn + pg.nodeSpannedPages;
  if (!pg.nodeSpannedPages || startPfn < pg.nodeStartPfn) pg.nodeStartPfn = startPfn;
  pg.nodeSpannedPages = Math.max(startPfn + nrPages, pg.nodeSpannedPages ? oldEnd : 0) - pg.nodeStartPfn;
  pg.nodeEndPfn = pg.nodeStartPfn + pg.nodeSpannedPages;
}

/** pfn_to_online_page() as a test: an online section, a populated subsection, an initialised struct page. */
export function pfnOnline(mm: Memmap, pfn: number): boolean {
  const ms = pfnToSection(mm, pfn);
  if (!ms?.memmap || !(ms.flags & SectionFlag.IS_ONLINE) || !pfnSectionValid(ms, pfn)) return false;
  return !pagePoisoned(ms.memmap, pageWord(pfn));
}

/** find_smallest_section_pfn()/find_biggest_section_pfn(): an online pfn of the zone in [start, end), by subsection. */
function findSectionPfn(mm: Memmap, nid: number, zid: number, start: number, end: number, fromTop: boolean): number {
  const step = PAGES_PER_SUBSECTION;
  const test = (pfn: number): boolean => {
    if (!pfnOnline(mm, pfn)) return false;
    const mem = pfnToSection(mm, pfn)!.memmap!;
    return pageToNid(mem, pageWord(pfn)) === nid && pageZonenum(mem, pageWord(pfn)) === zid;
  };
  if (fromTop) {
    for (let pfn = end - 1; pfn >= start; pfn -= step) if (test(pfn)) return pfn;
  } else {
    for (let pfn = start; pfn < end; pfn += step) if (test(pfn)) return pfn;
  }
  return 0;
}

/** shrink_zone_span(): the zone loses [start, end) at its start or end, down to its next online pfn. */
export function shrinkZoneSpan(mm: Memmap, pg: PgData, zid: number, start: number, end: number): void {
  const z = pg.zones[zid]!;
  if (z.zoneStartPfn === start) {
    const pfn = findSectionPfn(mm, pg.nodeId, zid, end, zoneEndPfn(z), false);
    if (pfn) {
      z.spannedPages = zoneEndPfn(z) - pfn;
      z.zoneStartPfn = pfn;
    } else {
      z.zoneStartPfn = 0;
      z.spannedPages = 0;
    }
  } else if (zoneEndPfn(z) === end) {
    const pfn = findSectionPfn(mm, pg.nodeId, zid, z.zoneStartPfn, start, true);
    if (pfn) z.spannedPages = pfn - z.zoneStartPfn + 1;
    else {
      z.zoneStartPfn = 0;
      z.spannedPages = 0;
    }
  }
}

/** update_pgdat_span(): the node spans its zones. */
export function updatePgdatSpan(pg: PgData): void {
  let start = 0;
  let end = 0;
  for (const z of pg.zones) {
    if (!z.spannedPages) continue;
    if (!end) {
      start = z.zoneStartPfn;
      end = zoneEndPfn(z);
      continue;
    }
    end = Math.max(end, zoneEndPfn(z));
    start = Math.min(start, z.zoneStartPfn);
  }
  pg.nodeStartPfn = start;
  pg.nodeSpannedPages = end - start;
  pg.nodeEndPfn = end;
}

/** free_area_init_core_hotplug() for a node without a pgdat: empty zones, nothing present. */
export function hotaddInitPgdat(lay: ZoneLayout, nid: number): PgData {
  const pg: PgData = {
    nodeId: nid, nodeStartPfn: 0, nodeEndPfn: 0, nodeSpannedPages: 0, nodePresentPages: 0, zones: [], firstDeferredPfn: Infinity,
  };
  for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
    pg.zones.push({
      type: zid as ZoneType, name: ZONE_NAMES[zid]!, zoneStartPfn: 0, spannedPages: 0, presentPages: 0,
      managedEstimate: 0, managedPages: 0, memmapPages: 0,
    });
  }
  lay.nodes.set(nid, pg);
  // Keep node id order: walks over the layout (zoneinfo, zonelists) go node by node.
  const sorted = [...lay.nodes].sort((a, b) => a[0] - b[0]);
  lay.nodes.clear();
  for (const [k, v] of sorted) lay.nodes.set(k, v);
  return pg;
}

/** Sections a range touches, for the section-online bookkeeping of online_pages()/offline. */
export function setSectionsOnline(mm: Memmap, startPfn: number, endPfn: number, online: boolean): void {
  for (let pfn = startPfn - (startPfn % PAGES_PER_SECTION); pfn < endPfn; pfn += PAGES_PER_SECTION) {
    const ms = pfnToSection(mm, pfn);
    if (!ms) continue;
    ms.flags = online ? ms.flags | SectionFlag.IS_ONLINE : ms.flags & ~SectionFlag.IS_ONLINE;
  }
}
