// Persistent memory into ZONE_DEVICE after boot, the way 6.1's libnvdimm does it for e820 pmem
// (drivers/nvdimm/e820.c, pmem.c, pfn_devs.c): one namespace per e820 type 7/12 range, either raw
// (pmem_should_map_pages(): the memmap in RAM) or behind a pfn device in "pmem" mode (fsdax
// map=dev: an info block, then the memmap on the device through a vmem_altmap).
//
// Layout nd_pfn_init() writes for a pfn device, then __nvdimm_setup_pfn() turns into an altmap:
//
//   start              +8K              offset = ALIGN(start + 8K + 64 × npfns, align) − start
//   | info block (reserve) | memmap (free)     | data pages ...                 | end_trunc |
import { NUMA_NO_NODE } from '../include/mmzone.js';
import { E820Type } from '../arch/x86/e820-types.js';
import { ENXIO, MemoryType } from '../include/memremap.js';
import { PAGE_SIZE, pfnDown, roundDown, roundUp, SZ_1M } from '../include/pfn.js';
import type { Machine } from '../kernel/machine.js';
import { getDevPagemap, memremapPages, MemremapInputError, memunmapPages, type MemremapResult } from './memremap.js';
import { EINVAL } from './sparse.js';

const SZ_8K = 8192;
const SZ_2M = 2 * SZ_1M;
/** memremap_compat_align(): SUBSECTION_SIZE on x86. */
export const MEMREMAP_COMPAT_ALIGN = SZ_2M;
/** MAX_STRUCT_PAGE_SIZE: pfn devices size the memmap area for 64-byte struct pages. */
const MAX_STRUCT_PAGE_SIZE = 64;

/** An e820 persistent-memory range (type 7, or 12 from memmap=nn!ss). */
export interface PmemRange {
  start: number;
  size: number;
  type: number;
}

/** The machine's persistent-memory ranges, from its e820 table. */
export function pmemRanges(m: Machine): PmemRange[] {
  return (m.e820?.table.entries ?? [])
    .filter((e) => e.type === E820Type.PMEM || e.type === E820Type.PRAM)
    .map((e) => ({ start: e.addr, size: e.size, type: e.type }));
}

export interface PmemMapRequest {
  /** Namespace start: an address inside one pmem range (default: the whole range from there). */
  start: number;
  /** Bytes (default: to the end of the pmem range). */
  size?: number;
  /** Node (default: the node phys_to_target_node() finds, mapped to an online node). */
  nid?: number;
  /** true: a pfn device in pmem mode (memmap on the device); false: a raw namespace (memmap in RAM). */
  altmap: boolean;
  /** 'fsdax' (default, base pages) or 'devdax' (compound pages of `align`). */
  mode?: 'fsdax' | 'devdax';
  /** The pfn device's alignment (default 2 MiB; devdax compound page size). */
  align?: number;
}

/** The pfn device layout nd_pfn_init() computes for [start, start + size). */
export interface PfnDeviceLayout {
  /** dataoff: where the data pages start, bytes from start. */
  offset: number;
  /** end_trunc: bytes cut from the end to keep it aligned. */
  endTrunc: number;
  /** npfns of the info block. */
  npfns: number;
  /** The vmem_altmap __nvdimm_setup_pfn() derives. */
  altmap: { basePfn: number; endPfn: number; reserve: number; free: number };
}

/** mirrors nd_pfn_init() + __nvdimm_setup_pfn() (PFN_MODE_PMEM): the layout, or an errno. */
export function ndPfnLayout(start: number, size: number, nsAlign: number): PfnDeviceLayout | number {
  const align = Math.max(nsAlign, MEMREMAP_COMPAT_ALIGN);
  if (start % MEMREMAP_COMPAT_ALIGN) return EINVAL;
  const endTrunc = start + size - roundDown(start + size, align);
  const pageMapSize = MAX_STRUCT_PAGE_SIZE * Math.floor((size - SZ_8K) / PAGE_SIZE);
  const offset = roundUp(start + SZ_8K + pageMapSize, align) - start;
  if (offset >= size) return ENXIO;
  const reserve = roundUp(SZ_8K, PAGE_SIZE) / PAGE_SIZE;
  const end = start + size - 1 - endTrunc;
  return {
    offset, endTrunc, npfns: Math.floor((size - offset - endTrunc) / PAGE_SIZE),
    altmap: { basePfn: pfnDown(start), endPfn: pfnDown(end), reserve, free: (offset - SZ_8K) / PAGE_SIZE },
  };
}

/** phys_to_target_node() → numa_map_to_online_node(): the node of addr, or NUMA_NO_NODE. */
export function pmemTargetNode(m: Machine, addr: number): number {
  const numa = m.numa;
  if (!numa) return NUMA_NO_NODE;
  const hit = [...numa.meminfo, ...numa.reservedMeminfo].find((b) => b.start <= addr && addr < b.end);
  if (!hit) return NUMA_NO_NODE;
  if (numa.online.has(hit.nid) && m.zones?.nodes.has(hit.nid)) return hit.nid;
  const online = [...numa.online].filter((n) => m.zones?.nodes.has(n)).sort((a, b) => a - b);
  return online[0] ?? NUMA_NO_NODE;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * Map a pmem namespace into ZONE_DEVICE as the pmem driver's probe does: raw (memmap in RAM) or
 * through a pfn device with the memmap on the device. Returns 0 or the kernel's negative errno;
 * throws a MemremapInputError for a range that is not persistent memory of the machine.
 */
export function memremapPmem(m: Machine, req: PmemMapRequest): number {
  return memremapPmemResult(m, req).err;
}

/** memremapPmem() with the pgmap it created. */
export function memremapPmemResult(m: Machine, req: PmemMapRequest): MemremapResult {
  const r = pmemRanges(m).find((p) => p.start <= req.start && req.start < p.start + p.size);
  if (!r) {
    const list = pmemRanges(m).map((p) => `${hex(p.start)}+${hex(p.size)}`).join(', ') || 'none';
    throw new MemremapInputError(`${hex(req.start)}: not in a persistent-memory e820 range of ${m.name} (${list})`);
  }
  const size = req.size ?? r.start + r.size - req.start;
  if (!Number.isSafeInteger(size) || size <= 0 || req.start + size > r.start + r.size) {
    throw new MemremapInputError(`size ${hex(size)}: [${hex(req.start)}, ${hex(req.start + size)}) runs past the pmem range ending at ${hex(r.start + r.size)}`);
  }
  const mode = req.mode ?? 'fsdax';
  const align = req.align ?? SZ_2M;
  if (![PAGE_SIZE, SZ_2M, 1024 * SZ_1M].includes(align)) throw new MemremapInputError(`align ${hex(align)}: not 4K, 2M or 1G`);
  if (mode === 'devdax' && !req.altmap) throw new MemremapInputError('devdax needs a pfn device (altmap: true)');
  const nid = req.nid ?? pmemTargetNode(m, req.start);
  const vmemmapShift = mode === 'devdax' ? Math.log2(align / PAGE_SIZE) : 0;
  const type = mode === 'devdax' ? MemoryType.GENERIC : MemoryType.FS_DAX;
  if (!req.altmap) return memremapPages(m, { type, start: req.start, size, nid, vmemmapShift });
  const lay = ndPfnLayout(req.start, size, align);
  if (typeof lay === 'number') return { err: lay, pgmap: undefined };
  return memremapPages(m, { type, start: req.start, size: size - lay.endTrunc, nid, vmemmapShift, altmap: lay.altmap });
}

/**
 * Every pmem range of the machine, each as one namespace (what the pmem driver probes at boot):
 * the errno of each, in address order.
 */
export function memremapAllPmem(m: Machine, opts: { altmap: boolean; mode?: 'fsdax' | 'devdax' }): { start: number; size: number; err: number }[] {
  return pmemRanges(m).map((r) => ({
    start: r.start, size: r.size,
    err: memremapPmem(m, { start: r.start, altmap: opts.altmap, ...(opts.mode ? { mode: opts.mode } : {}) }),
  }));
}

/** Unmap the pmem namespace mapped at start (memunmap_pages()); throws when nothing is mapped there. */
export function memunmapPmem(m: Machine, start: number): void {
  const p = getDevPagemap(m, pfnDown(start));
  if (!p || p.start !== start) throw new MemremapInputError(`${hex(start)}: no ZONE_DEVICE mapping starts there`);
  memunmapPages(m, p);
}
