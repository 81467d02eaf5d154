// ZONE_DEVICE (mm/memremap.c, Linux 6.1): memremap_pages() gives device memory struct pages in
// the Device zone of a node, memunmap_pages() takes them away. The machine keeps its live pgmaps
// (the kernel's pgmap_array) in m.pgmaps.
//
// memremap_pages(pgmap, nid) → pagemap_range():
//   conflict with another pgmap at the first or last pfn   → -ENOMEM
//   any System RAM in the range                              → -ENXIO
//   beyond the hotpluggable physical range                   → -EINVAL
//   arch_add_memory(): add_pages() → __add_pages()           → -ERANGE / -EINVAL / -EEXIST / -ENOMEM
//   move_pfn_range_to_zone(ZONE_DEVICE)    spans grow; the altmap's memmap pages initialised
//   memmap_init_zone_device()              every device page: reserved, Device zone, page->pgmap
//   percpu_ref_get_many(pfn_len)
import { groupByMobilityDisabled } from '../arch/x86/mem-init.js';
import { mhpRangeAllowed, removePfnRangeFromZone } from './memory-hotplug.js';
import { NUMA_NO_NODE, pfnToSectionNr, ZoneType } from '../include/mmzone.js';
import { ENXIO, MemoryType, PGMAP_ADDR_HI, pgmapAddrLo, type DevPagemap, type VmemAltmapState } from '../include/memremap.js';
import { PAGE_SIZE, pfnDown } from '../include/pfn.js';
import type { Machine } from '../kernel/machine.js';
import { regionIntersectsSystemRam } from '../kernel/resource.js';
import { memmapInitZoneDevice, vmemAltmapOffset } from './memmap-init-zone-device.js';
import {
  addPagesDevice, movePfnRangeToZoneDevice,
  removePagesDevice, sectionChunks,
} from './memremap-hotplug.js';
import { earlySection, EINVAL, ENOMEM } from './sparse.js';

/** The machine's ZONE_DEVICE state: pgmap_array and what unmapping left behind. */
export interface PgmapRegistry {
  /** Live pgmaps, in mapping order. */
  pgmaps: DevPagemap[];
  nextId: number;
  /**
   * Pfn ranges of early sections whose struct pages memunmap_pages() poisoned: they stay
   * pfn_valid() (early sections always are) but no init path reaches them again, as in 6.1.
   */
  poisonedEarly: [number, number][];
}

export class MemremapInputError extends Error {}

/** The machine's registry, created on first use. */
export function pgmapRegistry(m: Machine): PgmapRegistry {
  m.pgmaps ??= { pgmaps: [], nextId: 0, poisonedEarly: [] };
  return m.pgmaps;
}

/** pfn_first(): the first pfn with a device struct page (after the altmap's reserve and free). */
export const pfnFirst = (p: DevPagemap): number => pfnDown(p.start) + vmemAltmapOffset(p.altmap);
/** pfn_end(). */
export const pfnEnd = (p: DevPagemap): number => pfnDown(p.end);
/** pfn_len(): the references the pages hold, one per (compound) page. */
export const pfnLen = (p: DevPagemap): number => Math.floor((pfnEnd(p) - pfnFirst(p)) / 2 ** p.vmemmapShift);
/** pgmap_pfn_valid(): pfn is one of the pgmap's device pages. */
export const pgmapPfnValid = (p: DevPagemap, pfn: number): boolean => pfn >= pfnFirst(p) && pfn < pfnEnd(p);

/** get_dev_pagemap(): the live pgmap whose range holds pfn. */
export function getDevPagemap(m: Machine, pfn: number): DevPagemap | undefined {
  return m.pgmaps?.pgmaps.find((p) => pfn >= pfnDown(p.start) && pfn < pfnEnd(p));
}

/** What a driver fills in before memremap_pages(): one range, a type, optionally an altmap. */
export interface MemremapRequest {
  /** MEMORY_DEVICE_FS_DAX (pmem) or MEMORY_DEVICE_GENERIC (devdax). */
  type: MemoryType;
  /** The range, bytes: [start, start + size). */
  start: number;
  size: number;
  /** The node (dev_to_node()); NUMA_NO_NODE takes numa_mem_id(), the first online node. */
  nid: number;
  /** PGMAP_ALTMAP_VALID: the memmap on the device, from basePfn (default the range start). */
  altmap?: { basePfn?: number; reserve: number; free: number; endPfn?: number };
  /** vmemmap_shift: compound pages of 2^shift pfns (devdax); 0 for base pages. */
  vmemmapShift?: number;
}

export interface MemremapResult {
  /** 0, or the negative errno memremap_pages() returns (ERR_PTR). */
  err: number;
  pgmap: DevPagemap | undefined;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function validate(m: Machine, r: MemremapRequest): void {
  if (!m.memmap || !m.zones || !m.memblock) throw new MemremapInputError(`${m.name}: no memmap to map device memory into (boot with memInit() first)`);
  if (!Number.isSafeInteger(r.start) || r.start < 0 || r.start % PAGE_SIZE) throw new MemremapInputError(`start ${String(r.start)}: not a page-aligned address`);
  if (!Number.isSafeInteger(r.size) || r.size <= 0 || r.size % PAGE_SIZE) throw new MemremapInputError(`size ${String(r.size)}: not a positive multiple of 4 KiB`);
  if (r.type !== MemoryType.FS_DAX && r.type !== MemoryType.GENERIC) throw new MemremapInputError(`pgmap type ${r.type}: only fsdax (3) and generic/devdax (4) are modelled`);
  const shift = r.vmemmapShift ?? 0;
  if (!Number.isInteger(shift) || shift < 0 || shift > 18) throw new MemremapInputError(`vmemmap_shift ${shift}: not 0..18 (base pages up to 1 GiB compound pages)`);
  if (r.nid !== NUMA_NO_NODE && !m.zones.nodes.has(r.nid)) throw new MemremapInputError(`node ${r.nid}: not a node of ${m.name} (${[...m.zones.nodes.keys()].join(', ')})`);
  if (r.altmap && (!Number.isSafeInteger(r.altmap.reserve) || !Number.isSafeInteger(r.altmap.free) || r.altmap.reserve < 0 || r.altmap.free < 0)) {
    throw new MemremapInputError('altmap: reserve and free must be pfn counts');
  }
}

/** numa_mem_id() of the CPU that probes the device: the first online node. */
function numaMemId(m: Machine): number {
  const online = m.numa ? [...m.numa.online].filter((n) => m.zones!.nodes.has(n)) : [];
  return online.length ? Math.min(...online) : Math.min(...m.zones!.nodes.keys());
}

/** Subtract [s, e) from a list of ranges. */
function subtractRange(list: [number, number][], s: number, e: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of list) {
    if (b <= s || a >= e) out.push([a, b]);
    else {
      if (a < s) out.push([a, s]);
      if (b > e) out.push([e, b]);
    }
  }
  return out;
}

/**
 * mirrors memremap_pages() → pagemap_range() for one range. Returns the errno the kernel would
 * (0 on success, with the live pgmap); bad input (not the kernel's to refuse) throws a
 * MemremapInputError naming what was wrong. Nothing is left half-done on failure.
 */
export function memremapPages(m: Machine, r: MemremapRequest): MemremapResult {
  validate(m, r);
  const reg = pgmapRegistry(m);
  const startPfn = pfnDown(r.start);
  const nrPages = r.size / PAGE_SIZE;
  const fail = (err: number): MemremapResult => ({ err, pgmap: undefined });
  if (getDevPagemap(m, startPfn) || getDevPagemap(m, startPfn + nrPages - 1)) return fail(ENOMEM);
  if (regionIntersectsSystemRam(m, r.start, r.start + r.size) !== 'disjoint') return fail(ENXIO);
  const nid = r.nid === NUMA_NO_NODE ? numaMemId(m) : r.nid;
  if (!mhpRangeAllowed(m, r.start, r.size)) return fail(EINVAL);
  const altmap: VmemAltmapState | undefined = r.altmap && {
    basePfn: r.altmap.basePfn ?? startPfn, endPfn: r.altmap.endPfn ?? startPfn + nrPages - 1,
    reserve: r.altmap.reserve, free: r.altmap.free, alloc: 0, align: 0,
  };
  // device-dax refuses a range whose device pages are not whole compound pages (dev_dax_validate_align()).
  const perCompound = 2 ** (r.vmemmapShift ?? 0);
  const first = startPfn + vmemAltmapOffset(altmap);
  if (perCompound > 1 && (first % perCompound || (startPfn + nrPages - first) % perCompound)) return fail(EINVAL);
  const id = reg.nextId;
  const pgmap: DevPagemap = {
    id, type: r.type, start: r.start, end: r.start + r.size, altmap, vmemmapShift: r.vmemmapShift ?? 0, nid,
    addrHi: PGMAP_ADDR_HI, addrLo: pgmapAddrLo(id), ref: 0, vmemmapPfn: new Map(),
  };
  const err = addPagesDevice(m, nid, startPfn, nrPages, altmap, pgmap.vmemmapPfn);
  if (err) return fail(err);
  reg.nextId++;
  reg.pgmaps.push(pgmap);
  reg.poisonedEarly = subtractRange(reg.poisonedEarly, startPfn, startPfn + nrPages);
  movePfnRangeToZoneDevice(m, nid, startPfn, nrPages, altmap);
  memmapInitZoneDevice(m.memmap!, groupByMobilityDisabled(m), nid, startPfn, nrPages, pgmap);
  pgmap.ref += pfnLen(pgmap);
  return { err: 0, pgmap };
}

/**
 * mirrors memunmap_pages(): the pages' references dropped, then pageunmap_range():
 * remove_pfn_range_from_zone() (struct pages poisoned; the Device zone and node keep their span,
 * as 6.1 does not shrink them) and arch_remove_memory() → __remove_pages() (sections or
 * subsections removed, altmap blocks returned). Throws when pgmap is not live.
 */
export function memunmapPages(m: Machine, pgmap: DevPagemap): void {
  const reg = pgmapRegistry(m);
  const i = reg.pgmaps.indexOf(pgmap);
  if (i < 0) throw new MemremapInputError(`pgmap ${pgmap.id} [mem ${hex(pgmap.start)}-${hex(pgmap.end - 1)}]: not mapped`);
  pgmap.ref -= pfnLen(pgmap);
  const startPfn = pfnDown(pgmap.start);
  const nrPages = pfnEnd(pgmap) - startPfn;
  removePfnRangeFromZone(m, pgmap.nid, ZoneType.DEVICE, startPfn, nrPages);
  removePagesDevice(m, startPfn, nrPages, pgmap.altmap, pgmap.vmemmapPfn);
  for (const [p, n] of sectionChunks(startPfn, nrPages)) {
    if (earlySection(m.memmap!.sections[pfnToSectionNr(p)])) reg.poisonedEarly.push([p, p + n]);
  }
  reg.poisonedEarly.sort((a, b) => a[0] - b[0]);
  reg.pgmaps.splice(i, 1);
}

/** The Device zone of node nid. */
export const deviceZone = (m: Machine, nid: number) => m.zones!.nodes.get(nid)!.zones[ZoneType.DEVICE]!;
