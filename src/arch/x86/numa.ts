// x86 NUMA initialisation (arch/x86/mm/numa.c, the SRAT parsing of drivers/acpi/numa/srat.c):
// SRAT affinity → numa_meminfo → cleaned up → node ids on memblock → NODE_DATA allocated per node.
import { MAX_NUMNODES } from '../../include/mmzone.js';
import { PAGE_SIZE, PHYS_ADDR_MAX, pfnPhys, roundUp, SZ_1M } from '../../include/pfn.js';
import { SMP_CACHE_BYTES } from '../../include/memblock.js';
import type { Memblock } from '../../mm/memblock.js';
import {
  memblockClearHotplug,
  memblockDump,
  memblockMarkHotplug,
  memblockPhysAllocTryNid,
  memblockSearchPfnNid,
  memblockSetBottomUp,
  memblockSetNode,
} from '../../mm/memblock.js';
import { absentPagesInRange } from '../../mm/node-ranges.js';
import type { Printk } from '../../kernel/printk.js';
import * as F from '../../trace/formats/numa.js';
import type { Srat } from './firmware.js';

/** One struct numa_memblk: [start, end) on node nid. */
export interface NumaMemblk {
  start: number;
  end: number;
  nid: number;
}

export interface NumaState {
  /** numa_meminfo after cleanup: the node layout handed to memblock. */
  meminfo: NumaMemblk[];
  /** numa_reserved_meminfo: SRAT ranges without RAM (hotplug windows, above max_pfn). */
  reservedMeminfo: NumaMemblk[];
  /** node_possible_map, ascending. */
  possible: number[];
  /** node_online_map after NUMA init (nodes that got NODE_DATA). */
  online: Set<number>;
  /** Nodes that have CPUs (brought online later by init_cpu_to_node()). */
  cpuNodes: Set<number>;
  /** NODE_DATA placement per node, [start, end). */
  nodeData: Map<number, { start: number; end: number }>;
  /** True when the SRAT was used; false when a single node was faked. */
  fromSrat: boolean;
}

/** An allocation NUMA init made, for the replay to check against the log. */
export interface NumaAllocation {
  nid: number;
  size: number;
  addr: number;
}

export interface NumaInitOptions {
  srat: Srat | undefined;
  numaOff: boolean;
  maxPfn: number;
  /** roundup(sizeof(pg_data_t), PAGE_SIZE). */
  nodeDataSize: number;
  printk: Printk;
  /**
   * Called for each NODE_DATA allocation instead of allocating, when the replay already
   * knows where the kernel put it; returns the address to use. Default: allocate.
   */
  allocNodeData?: (nid: number, size: number) => number;
}

/** numa_add_memblk_to(): zero-length blocks are ignored, invalid ones rejected. */
function numaAddMemblkTo(mi: NumaMemblk[], nid: number, start: number, end: number): void {
  if (start === end) return;
  if (start > end || nid < 0 || nid >= MAX_NUMNODES) return;
  mi.push({ start, end, nid });
}

/** memblock_overlaps_region() on memblock.memory. */
function overlapsMemory(mb: Memblock, start: number, end: number): boolean {
  return mb.memory.regions.some((r) => r.base < end && start < r.base + r.size);
}

/** numa_cleanup_meminfo(): trim, move RAM-less ranges aside, merge same-node neighbours. */
export function numaCleanupMeminfo(
  mb: Memblock, mi: NumaMemblk[], reserved: NumaMemblk[], maxPfn: number, printk: Printk,
): boolean {
  const high = pfnPhys(maxPfn);
  for (let i = 0; i < mi.length; i++) {
    const bi = mi[i]!;
    if (!overlapsMemory(mb, bi.start, bi.end)) {
      reserved.push(bi);
      mi.splice(i--, 1);
      continue;
    }
    if (bi.end > high) {
      numaAddMemblkTo(reserved, bi.nid, high, bi.end);
      bi.end = high;
    }
    if (bi.start >= bi.end) mi.splice(i--, 1);
  }
  for (let i = 0; i < mi.length; i++) {
    const bi = mi[i]!;
    for (let j = i + 1; j < mi.length; j++) {
      const bj = mi[j]!;
      if (bi.end > bj.start && bi.start < bj.end && bi.nid !== bj.nid) {
        printk.emit(F.numaOverlap, { a: { ...bi }, b: { ...bj } });
        return false;
      }
      if (bi.nid !== bj.nid) continue;
      const start = Math.min(bi.start, bj.start);
      const end = Math.max(bi.end, bj.end);
      // Only join when the gap between them holds no other node's memory.
      if (mi.some((bk) => bk.nid !== bi.nid && start < bk.end && end > bk.start)) continue;
      printk.emit(F.numaMerge, { nid: bi.nid, a: [bi.start, bi.end], b: [bj.start, bj.end], to: [start, end] });
      bi.start = start;
      bi.end = end;
      mi.splice(j--, 1);
    }
  }
  return true;
}

/** numa_meminfo_cover_memory(): the nodes must cover all e820 RAM but for 1 MiB of slack. */
function numaMeminfoCoverMemory(mb: Memblock, mi: NumaMemblk[], maxPfn: number, printk: Printk): boolean {
  let numaram = 0;
  for (const b of mi) {
    const s = Math.floor(b.start / PAGE_SIZE);
    const e = Math.floor(b.end / PAGE_SIZE);
    numaram += e - s - absentPagesInRange(mb, b.nid, s, e);
    if (numaram < 0) numaram = 0;
  }
  const e820ram = maxPfn - absentPagesInRange(mb, MAX_NUMNODES, 0, maxPfn);
  if (e820ram - numaram >= SZ_1M / PAGE_SIZE) {
    printk.emit(F.numaNotCovered, { numaMB: Math.floor((numaram * PAGE_SIZE) / SZ_1M), e820MB: Math.floor((e820ram * PAGE_SIZE) / SZ_1M) });
    return false;
  }
  return true;
}

/** early_pfn_to_nid(): the node of the memory region holding pfn, else the first online node. */
export function earlyPfnToNid(mb: Memblock, pfn: number, firstOnline: number): number {
  return memblockSearchPfnNid(mb, pfn)?.nid ?? firstOnline;
}

/** numa_clear_kernel_node_hotplug(): nodes holding reserved (kernel) memory cannot be hot-removed. */
function numaClearKernelNodeHotplug(mb: Memblock, mi: NumaMemblk[]): void {
  for (const b of mi) memblockSetNode(mb, b.start, b.end - b.start, mb.reserved, b.nid);
  const kernelNodes = new Set<number>();
  for (const r of mb.reserved.regions) if (r.nid !== MAX_NUMNODES) kernelNodes.add(r.nid);
  for (const b of mi) if (kernelNodes.has(b.nid)) memblockClearHotplug(mb, b.start, b.end - b.start);
}

/** alloc_node_data(): NODE_DATA from node-local memory, else anywhere. */
function allocNodeData(mb: Memblock, st: NumaState, nid: number, o: NumaInitOptions): void {
  const size = o.nodeDataSize;
  const addr = o.allocNodeData ? o.allocNodeData(nid, size) : memblockPhysAllocTryNid(mb, size, SMP_CACHE_BYTES, nid);
  if (!addr) return;
  o.printk.emit(F.nodeDataAllocated, { nid, start: addr, end: addr + size });
  const tnid = earlyPfnToNid(mb, Math.floor(addr / PAGE_SIZE), st.online.size ? Math.min(...st.online) : 0);
  if (tnid !== nid) o.printk.emit(F.nodeDataOnNode, { nid, on: tnid });
  st.nodeData.set(nid, { start: addr, end: addr + size });
  st.online.add(nid);
}

/** numa_register_memblks(): node ids onto memblock, then NODE_DATA for every node with memory. */
function numaRegisterMemblks(mb: Memblock, st: NumaState, parsed: Set<number>, o: NumaInitOptions): boolean {
  const possible = new Set(parsed);
  for (const b of st.meminfo) possible.add(b.nid);
  if (possible.size === 0) return false;
  for (const b of st.meminfo) memblockSetNode(mb, b.start, b.end - b.start, mb.memory, b.nid);
  numaClearKernelNodeHotplug(mb, st.meminfo);
  if (!numaMeminfoCoverMemory(mb, st.meminfo, o.maxPfn, o.printk)) return false;
  st.possible = [...possible].sort((a, b) => a - b);
  for (const nid of st.possible) {
    let start = pfnPhys(o.maxPfn);
    let end = 0;
    for (const b of st.meminfo) {
      if (b.nid !== nid) continue;
      start = Math.min(start, b.start);
      end = Math.max(end, b.end);
    }
    if (start < end) allocNodeData(mb, st, nid, o);
  }
  for (const line of memblockDump(mb)) o.printk.lines.push({ format: 'memblock.dump', text: line });
  return true;
}

type InitFunc = (st: NumaState, parsed: Set<number>) => boolean;

/** numa_init(): reset node ids and hotplug marks, run one init method, register the result. */
function numaInit(mb: Memblock, o: NumaInitOptions, initFunc: InitFunc): NumaState | undefined {
  const st: NumaState = {
    meminfo: [], reservedMeminfo: [], possible: [], online: new Set(), cpuNodes: new Set(),
    nodeData: new Map(), fromSrat: false,
  };
  const parsed = new Set<number>();
  memblockSetNode(mb, 0, PHYS_ADDR_MAX, mb.memory, MAX_NUMNODES);
  memblockSetNode(mb, 0, PHYS_ADDR_MAX, mb.reserved, MAX_NUMNODES);
  memblockClearHotplug(mb, 0, PHYS_ADDR_MAX);
  if (!initFunc(st, parsed)) return undefined;
  // SRAT parsing may have run bottom-up (movable_node); the rest of boot allocates top-down.
  memblockSetBottomUp(mb, false);
  if (!numaCleanupMeminfo(mb, st.meminfo, st.reservedMeminfo, o.maxPfn, o.printk)) return undefined;
  if (!numaRegisterMemblks(mb, st, parsed, o)) return undefined;
  return st;
}

/** x86_acpi_numa_init() as far as memory goes: SRAT entries into numa_meminfo and memblock. */
function sratInit(mb: Memblock, srat: Srat): InitFunc {
  return (st, parsed) => {
    for (const c of srat.cpus) {
      parsed.add(c.nid);
      st.cpuNodes.add(c.nid);
    }
    for (const m of srat.memory) {
      numaAddMemblkTo(st.meminfo, m.nid, m.start, m.end);
      parsed.add(m.nid);
      if (m.hotplug) memblockMarkHotplug(mb, m.start, m.end - m.start);
    }
    st.fromSrat = true;
    return parsed.size > 0 && st.meminfo.length > 0;
  };
}

/** dummy_numa_init(): no usable NUMA description, one node spanning all memory. */
function dummyInit(o: NumaInitOptions): InitFunc {
  return (st, parsed) => {
    o.printk.emit(F.numaDummy, { off: o.numaOff });
    o.printk.emit(F.numaFakeNode, { start: 0, end: pfnPhys(o.maxPfn) });
    parsed.add(0);
    st.cpuNodes.add(0);
    numaAddMemblkTo(st.meminfo, 0, 0, pfnPhys(o.maxPfn));
    return true;
  };
}

/** x86_numa_init(): the SRAT if there is a usable one, else a single faked node. */
export function x86NumaInit(mb: Memblock, o: NumaInitOptions): NumaState {
  if (!o.numaOff && o.srat) {
    const st = numaInit(mb, o, sratInit(mb, o.srat));
    if (st) return st;
  }
  return numaInit(mb, o, dummyInit(o))!;
}

/** roundup(sizeof(pg_data_t), PAGE_SIZE): what alloc_node_data() asks memblock for. */
export const nodeDataAllocSize = (pgdatSize: number): number => roundUp(pgdatSize, PAGE_SIZE);

