// SPDX-License-Identifier: GPL-2.0-only
// Memory blocks (drivers/base/memory.c, 6.1): the units /sys/devices/system/memory lists and
// memory hotplug onlines and offlines; their size (x86's memory_block_size_bytes() hook), the
// boot blocks and their nodes, the device online/offline operations behind the state and online
// attributes, valid_zones. The files themselves are served by src/fs/sysfs.ts.
import { MAX_NR_ZONES, MAX_NUMNODES, NUMA_NO_NODE, PAGES_PER_SECTION, SECTION_SIZE_BITS, sectionNrToPfn, ZONE_NAMES } from '../../include/mmzone.js';
import { PAGE_SIZE, pfnPhys, SZ_1G } from '../../include/pfn.js';
import type { Machine } from '../../kernel/machine.js';
import { forEachMemPfnRange } from '../../mm/memblock.js';
import {
  adjustPresentPageCount, EINVAL, mhpDeinitMemmapOnMemory, mhpInitMemmapOnMemory, offlinePages, onlinePages,
} from '../../mm/memory-hotplug.js';
import {
  mhpOnlineTypeFromStr, Mmop, validZonesOffline, zoneForPfnRange, zoneIntersects, type MemoryGroup,
} from '../../mm/memory-hotplug-zone.js';
import { populatedZone, type PgData } from '../../mm/zone.js';

/** MIN_MEMORY_BLOCK_SIZE: one 128 MiB section. */
export const MIN_MEMORY_BLOCK_SIZE = 2 ** SECTION_SIZE_BITS;
/** MAX_BLOCK_SIZE on x86_64. */
export const MAX_BLOCK_SIZE = 2 * SZ_1G;
/** MEM_SIZE_FOR_LARGE_BLOCK: below this much boot memory, blocks stay one section. */
export const MEM_SIZE_FOR_LARGE_BLOCK = 64 * SZ_1G;

/**
 * probe_memory_block_size() (arch/x86/mm/init_64.c, 6.1): one section below 64 GiB of boot
 * memory; above, 2 GiB on bare metal, and under a hypervisor the largest size up to 2 GiB that
 * divides the end of boot memory. The seed's 384 GiB pc guest ends at 385 GiB (the PCI hole's
 * GiB moves above 4 GiB) → 1 GiB blocks; every corpus boot prints "Memory block size: 128MB".
 */
export function probeMemoryBlockSize(maxPfn: number, hypervisor: boolean): number {
  const bootMemEnd = maxPfn * PAGE_SIZE;
  if (bootMemEnd < MEM_SIZE_FOR_LARGE_BLOCK) return MIN_MEMORY_BLOCK_SIZE;
  if (!hypervisor) return MAX_BLOCK_SIZE;
  let bz = MAX_BLOCK_SIZE;
  while (bz > MIN_MEMORY_BLOCK_SIZE && bootMemEnd % bz !== 0) bz /= 2;
  return bz;
}

// ---------------------------------------------------------------------------------------------
// Memory blocks and /sys/devices/system/memory (drivers/base/memory.c, drivers/base/core.c).

/** A struct memory_block: one directory memoryN. */
export interface MemoryBlock {
  id: number;
  startSectionNr: number;
  state: 'online' | 'offline' | 'going-offline';
  /** mem->online_type: how the next device_online() onlines (MMOP_OFFLINE: the default). */
  onlineType: Mmop;
  /** mem->nid: the last node registered (NUMA_NO_NODE until then). */
  nid: number;
  /** The nodeN links under the block. */
  nodes: Set<number>;
  /** mem->zone: the single zone holding the online block, undefined when it spans several (or is offline). */
  zid: number | undefined;
  /** Pages at the block's start holding its own memmap (memmap_on_memory). */
  nrVmemmapPages: number;
  group: MemoryGroup | undefined;
}

/** Kernel errnos as their strerror() text: what a failed write or read shows. */
export const ERRNO_TEXT: Readonly<Record<number, string>> = {
  [-1]: 'Operation not permitted', [-2]: 'No such file or directory', [-4]: 'Interrupted system call',
  [-7]: 'Argument list too long', [-12]: 'Cannot allocate memory', [-13]: 'Permission denied', [-16]: 'Device or resource busy',
  [-17]: 'File exists', [-21]: 'Is a directory', [-22]: 'Invalid argument', [-34]: 'Numerical result out of range',
};
/** strerror() of a negative errno. */
export const errnoText = (errno: number): string => ERRNO_TEXT[errno] ?? `Unknown error ${-errno}`;
export const ENOENT = -2;
export const EACCES = -13;
export const EISDIR = -21;
export const ERANGE = -34;

/** The memory subsystem of one machine: its blocks by id, and the device operations on them. */
export class MemoryBlocks {
  readonly blockSize: number;
  readonly sectionsPerBlock: number;
  private readonly byId = new Map<number, MemoryBlock>();

  /**
   * present: present_section_nr() at memory_dev_init() time (the memmap's sections; memblock's
   * when only planning a replay); highest: __highest_present_section_nr.
   */
  constructor(private readonly m: Machine, blockSize: number, private readonly present: (nr: number) => boolean, private readonly highest: number) {
    this.blockSize = blockSize;
    this.sectionsPerBlock = blockSize / MIN_MEMORY_BLOCK_SIZE;
  }

  get blockPages(): number {
    return this.sectionsPerBlock * PAGES_PER_SECTION;
  }

  startPfn(mem: MemoryBlock): number {
    return sectionNrToPfn(mem.startSectionNr);
  }

  get(id: number): MemoryBlock | undefined {
    return this.byId.get(id);
  }

  all(): MemoryBlock[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  /** walk_memory_blocks(): the blocks present in [start, start + size). */
  inRange(start: number, size: number): MemoryBlock[] {
    const first = Math.floor(start / this.blockSize);
    const last = Math.floor((start + size - 1) / this.blockSize);
    const out: MemoryBlock[] = [];
    for (let id = first; id <= last; id++) {
      const mem = this.byId.get(id);
      if (mem) out.push(mem);
    }
    return out;
  }

  private add(id: number, state: 'online' | 'offline', nrVmemmapPages: number, group: MemoryGroup | undefined): void {
    this.byId.set(id, {
      id, startSectionNr: id * this.sectionsPerBlock, state, onlineType: Mmop.OFFLINE, nid: NUMA_NO_NODE, nodes: new Set(), zid: undefined,
      nrVmemmapPages, group,
    });
  }

  /** memory_dev_init(): an online block for every run of sections with a present one, then their nodes (node_dev_init()). */
  memoryDevInit(): void {
    for (let nr = 0; nr <= this.highest; nr += this.sectionsPerBlock) {
      let present = false;
      for (let s = nr; s < nr + this.sectionsPerBlock; s++) present ||= this.present(s);
      if (present) this.add(nr / this.sectionsPerBlock, 'online', 0, undefined);
    }
    for (const nid of [...(this.m.hotplug?.nodesOnline ?? [])].sort((a, b) => a - b)) this.registerUnderNodeEarly(nid);
  }

  /**
   * register_memory_blocks_under_node(MEMINIT_EARLY) → register_mem_block_under_node_early():
   * a block of the node's span links to the node when one of its present pfns is the node's by
   * early_pfn_to_nid() (holes answer the first online node); memory_block_add_nid() then picks
   * the block's zone, or none when it spans two zones or two nodes.
   */
  private registerUnderNodeEarly(nid: number): void {
    const m = this.m;
    const pg = m.zones!.nodes.get(nid);
    if (!pg || !pg.nodeSpannedPages) return;
    const firstOnline = Math.min(...(m.numa?.online.size ? m.numa.online : [0]));
    const ranges = [...forEachMemPfnRange(m.memblock!, MAX_NUMNODES)];
    for (const mem of this.inRange(pfnPhys(pg.nodeStartPfn), pfnPhys(pg.nodeSpannedPages))) {
      const start = this.startPfn(mem);
      let hit = false;
      for (let s = mem.startSectionNr; s < mem.startSectionNr + this.sectionsPerBlock && !hit; s++) {
        if (!this.present(s)) continue;
        const lo = sectionNrToPfn(s);
        const hi = lo + PAGES_PER_SECTION;
        let covered = 0;
        for (const r of ranges) {
          const a = Math.max(lo, r.startPfn);
          const b = Math.min(hi, r.endPfn);
          if (a >= b) continue;
          covered += b - a;
          if (r.nid === nid) hit = true;
        }
        if (covered < PAGES_PER_SECTION && nid === firstOnline) hit = true;
      }
      if (!hit) continue;
      if (mem.nid !== nid) mem.zid = mem.nid === NUMA_NO_NODE ? earlyNodeZoneForMemoryBlock(pg, start, this.blockPages) : undefined;
      mem.nid = nid;
      mem.nodes.add(nid);
    }
  }

  /** create_memory_block_devices(): offline blocks for a hot-added range. */
  create(start: number, size: number, nrVmemmapPages: number, group: MemoryGroup | undefined): void {
    for (let id = start / this.blockSize; id < (start + size) / this.blockSize; id++) this.add(id, 'offline', nrVmemmapPages, group);
  }

  /** register_memory_blocks_under_node(MEMINIT_HOTPLUG): the range's blocks link to nid. */
  registerUnderNode(nid: number, start: number, size: number): void {
    for (const mem of this.inRange(start, size)) {
      mem.nid = nid;
      mem.nodes.add(nid);
    }
  }

  /** remove_memory_block_devices(). */
  remove(start: number, size: number): void {
    for (const mem of this.inRange(start, size)) this.byId.delete(mem.id);
  }

  /** walk_memory_blocks(online_memory_block): device_online() of each block with the given type. */
  onlineRange(start: number, size: number, type: Mmop): void {
    for (const mem of this.inRange(start, size)) {
      mem.onlineType = type;
      this.deviceOnline(mem);
    }
  }

  /** memory_block_online(): the zone, the self-hosted memmap, online_pages(), then its present pages. */
  private memoryBlockOnline(mem: MemoryBlock): number {
    const m = this.m;
    const hp = m.hotplug!;
    const start = this.startPfn(mem);
    const nr = this.blockPages;
    const nv = mem.nrVmemmapPages;
    const zid = zoneForPfnRange(m.zones!, hp.policy, mem.onlineType, mem.nid, mem.group, start, nr);
    if (nv) mhpInitMemmapOnMemory(m, start, nv, mem.nid, zid);
    const ret = onlinePages(m, start + nv, nr - nv, mem.nid, zid, mem.group);
    if (ret) {
      if (nv) mhpDeinitMemmapOnMemory(m, start, nv);
      return ret;
    }
    if (nv) adjustPresentPageCount(m, start, mem.group, nv);
    mem.zid = zid;
    return 0;
  }

  /** memory_block_offline(): EINVAL for a block in several zones; the self-hosted memmap goes last. */
  private memoryBlockOffline(mem: MemoryBlock): number {
    const m = this.m;
    if (mem.zid === undefined) return EINVAL;
    const start = this.startPfn(mem);
    const nv = mem.nrVmemmapPages;
    if (nv) adjustPresentPageCount(m, start, mem.group, -nv);
    const ret = offlinePages(m, start + nv, this.blockPages - nv, mem.nid, mem.zid, mem.group);
    if (ret) {
      if (nv) adjustPresentPageCount(m, start, mem.group, nv);
      return ret;
    }
    if (nv) mhpDeinitMemmapOnMemory(m, start, nv);
    mem.zid = undefined;
    return 0;
  }

  /** memory_block_change_state(). */
  private changeState(mem: MemoryBlock, to: 'online' | 'offline', from: 'online' | 'offline'): number {
    if (mem.state !== from) return EINVAL;
    if (to === 'offline') mem.state = 'going-offline';
    const ret = to === 'online' ? this.memoryBlockOnline(mem) : this.memoryBlockOffline(mem);
    mem.state = ret ? from : to;
    return ret;
  }

  /** device_online() → memory_subsys_online(): 1 when already online. */
  deviceOnline(mem: MemoryBlock): number {
    if (mem.state === 'online') return 1;
    if (mem.onlineType === Mmop.OFFLINE) mem.onlineType = Mmop.ONLINE;
    const ret = this.changeState(mem, 'online', 'offline');
    mem.onlineType = Mmop.OFFLINE;
    return ret;
  }

  /** device_offline() → memory_subsys_offline(): 1 when already offline. */
  deviceOffline(mem: MemoryBlock): number {
    if (mem.state === 'offline') return 1;
    return this.changeState(mem, 'offline', 'online');
  }

  /** state_store(): an online type name; anything but success or a negative errno reads EINVAL. */
  stateStore(mem: MemoryBlock, buf: string): number {
    const type = mhpOnlineTypeFromStr(buf);
    if (type === -1) return EINVAL;
    let ret: number;
    if (type === Mmop.OFFLINE) ret = this.deviceOffline(mem);
    else {
      mem.onlineType = type;
      ret = this.deviceOnline(mem);
    }
    if (ret < 0) return ret;
    return ret ? EINVAL : 0;
  }

  /** online_store() (drivers/base/core.c): kstrtobool, then device_online/offline; "already" is success. */
  onlineStore(mem: MemoryBlock, buf: string): number {
    const v = kstrtobool(buf);
    if (v === undefined) return EINVAL;
    const ret = v ? this.deviceOnline(mem) : this.deviceOffline(mem);
    return ret < 0 ? ret : 0;
  }

  /** valid_zones_show(). */
  validZones(mem: MemoryBlock): string {
    if (mem.state === 'online') return mem.zid === undefined ? 'none' : ZONE_NAMES[mem.zid]!;
    const hp = this.m.hotplug!;
    return validZonesOffline(this.m.zones!, hp.policy, mem.nid, mem.group, this.startPfn(mem), this.blockPages);
  }
}

/** early_node_zone_for_memory_block(): the one populated zone of the node the block intersects, if only one. */
function earlyNodeZoneForMemoryBlock(pg: PgData, startPfn: number, nrPages: number): number | undefined {
  let match: number | undefined;
  for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
    const z = pg.zones[zid]!;
    if (!populatedZone(z) || !zoneIntersects(z, startPfn, nrPages)) continue;
    if (match !== undefined) return undefined;
    match = zid;
  }
  return match;
}

/** kstrtobool(): the first character y/Y/t/T/1 or "on" is true, n/N/f/F/0 or "off" false, else invalid. */
export function kstrtobool(s: string): boolean | undefined {
  const c = s[0];
  if (c !== undefined && 'yYtT1'.includes(c)) return true;
  if (c !== undefined && 'nNfF0'.includes(c)) return false;
  if (c === 'o' || c === 'O') {
    if (s[1] === 'n' || s[1] === 'N') return true;
    if (s[1] === 'f' || s[1] === 'F') return false;
  }
  return undefined;
}
