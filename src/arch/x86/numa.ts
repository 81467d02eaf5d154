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
import { LOCAL_DISTANCE } from '../../mm/zonelist.js';
import type { Printk } from '../../kernel/printk.js';
import * as F from '../../trace/formats/numa.js';
import type { Srat } from './firmware.js';
import { numaDistanceNew, numaResetDistance, numaSetDistance, type NumaDistance } from './numa-distance.js';
import { numaEmulation } from './numa-emulation.js';
import { numaAddMemblkTo, numaCleanupMeminfo, type NumaMemblk } from './numa-meminfo.js';

export { numaCleanupMeminfo, type NumaMemblk } from './numa-meminfo.js';

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
  /** emu_nid_to_phys[]: the physical node behind each node id (the identity without numa=fake). */
  emuNidToPhys: number[];
  /** numa_distance: the SLIT's, the emulated nodes', or none (node_distance() is then 10/20). */
  distance: NumaDistance;
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
  /** numa=fake=: the NUMA emulation to run, as written. */
  fake?: string | undefined;
  /**
   * Called for each NODE_DATA allocation instead of allocating, when the replay already
   * knows where the kernel put it; returns the address to use. Default: allocate.
   */
  allocNodeData?: (nid: number, size: number) => number;
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

/** numa_init(): reset node ids, hotplug marks and distances, run one init method, register the result. */
function numaInit(mb: Memblock, o: NumaInitOptions, distance: NumaDistance, initFunc: InitFunc): NumaState | undefined {
  const st: NumaState = {
    meminfo: [], reservedMeminfo: [], possible: [], online: new Set(), cpuNodes: new Set(),
    nodeData: new Map(), fromSrat: false, emuNidToPhys: [], distance,
  };
  const parsed = new Set<number>();
  memblockSetNode(mb, 0, PHYS_ADDR_MAX, mb.memory, MAX_NUMNODES);
  memblockSetNode(mb, 0, PHYS_ADDR_MAX, mb.reserved, MAX_NUMNODES);
  memblockClearHotplug(mb, 0, PHYS_ADDR_MAX);
  numaResetDistance(mb, distance);
  if (!initFunc(st, parsed)) return undefined;
  // SRAT parsing may have run bottom-up (movable_node); the rest of boot allocates top-down.
  memblockSetBottomUp(mb, false);
  if (!numaCleanupMeminfo(mb, st.meminfo, st.reservedMeminfo, o.maxPfn, o.printk)) return undefined;
  st.emuNidToPhys = numaEmulation(mb, { ...st, parsed }, o.fake, o.maxPfn, o.printk);
  if (!numaRegisterMemblks(mb, st, parsed, o)) return undefined;
  return st;
}

/** mirrors slit_valid(): 10 from each locality to itself, more than 10 to any other. */
const slitValid = (slit: number[][]): boolean =>
  slit.every((row, i) => row.every((v, j) => (i === j ? v === LOCAL_DISTANCE : v > LOCAL_DISTANCE)));

/** mirrors acpi_parse_slit() and acpi_numa_slit_init(): SLIT distances between the nodes of known proximity domains. */
function acpiParseSlit(mb: Memblock, st: NumaState, parsed: Set<number>, srat: Srat, slit: number[][], printk: Printk): void {
  if (!slitValid(slit)) {
    printk.emit(F.slitInvalid, true);
    return;
  }
  const pxmToNode = new Map<number, number>();
  for (const e of [...srat.memory, ...srat.cpus]) pxmToNode.set(e.pxm, e.nid);
  const ctx = { mb, printk, d: st.distance, nodes: () => [...parsed, ...st.meminfo.map((b) => b.nid)] };
  slit.forEach((row, i) => {
    const from = pxmToNode.get(i);
    if (from === undefined) return;
    row.forEach((v, j) => {
      const to = pxmToNode.get(j);
      if (to !== undefined) numaSetDistance(ctx, from, to, v);
    });
  });
}

/** x86_acpi_numa_init() as far as memory goes: SRAT entries into numa_meminfo and memblock, then the SLIT. */
function sratInit(mb: Memblock, srat: Srat, printk: Printk): InitFunc {
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
    if (srat.slit) acpiParseSlit(mb, st, parsed, srat, srat.slit, printk);
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
  const distance = numaDistanceNew();
  if (!o.numaOff && o.srat) {
    const st = numaInit(mb, o, distance, sratInit(mb, o.srat, o.printk));
    if (st) return st;
  }
  return numaInit(mb, o, distance, dummyInit(o))!;
}

/** roundup(sizeof(pg_data_t), PAGE_SIZE): what alloc_node_data() asks memblock for. */
export const nodeDataAllocSize = (pgdatSize: number): number => roundUp(pgdatSize, PAGE_SIZE);

