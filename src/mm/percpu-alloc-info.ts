// SPDX-License-Identifier: GPL-2.0-only
// The shape of the first percpu chunk (mm/percpu.c): pcpu_build_alloc_info() sizes the units
// and groups the cpus by distance, pcpu_alloc_alloc_info() takes its memory from memblock, and
// pcpu_dump_alloc_info() prints the layout.
import { KernelPanic } from '../kernel/panic.js';
import type { Printk } from '../kernel/printk.js';
import { NR_CPUS, PCPU_ALLOC_INFO_SIZE, PCPU_GROUP_INFO_SIZE, PCPU_MIN_UNIT_SIZE, PERCPU_DYNAMIC_EARLY_SIZE, SIZEOF_INT } from '../include/percpu.js';
import { PAGE_SIZE, roundUp } from '../include/pfn.js';
import { pcpuAllocHeader, pcpuAllocUnits, type PcpuAllocUnits } from '../trace/formats/percpu.js';
import { memblockAlloc } from './memblock-alloc.js';
import type { Memblock } from './memblock-type.js';
import { LOCAL_DISTANCE } from './zonelist.js';

export interface PcpuGroupInfo {
  /** Units of the group, a multiple of the units per allocation. */
  nrUnits: number;
  /** Offset of the group's area from the lowest group's. */
  baseOffset: number;
  /** The cpu of each unit; NR_CPUS marks an unused one. */
  cpuMap: number[];
}

export interface PcpuAllocInfo {
  staticSize: number;
  reservedSize: number;
  dynSize: number;
  unitSize: number;
  atomSize: number;
  allocSize: number;
  /** __ai_size: what memblock gave the info, page aligned. */
  aiSize: number;
  /** Physical address of the info in memblock. */
  addr: number;
  groups: PcpuGroupInfo[];
}

export class PcpuError extends KernelPanic {}

/**
 * pcpu_alloc_alloc_info()'s size: the info, its group array, then one cpu_map slot per unit,
 * page aligned. 1 group of 2 units: 64 + 24 + 2 × 4 = 96 → 4096.
 */
export const pcpuAllocInfoSize = (nrGroups: number, nrUnits: number): number =>
  roundUp(roundUp(PCPU_ALLOC_INFO_SIZE + nrGroups * PCPU_GROUP_INFO_SIZE, SIZEOF_INT) + nrUnits * SIZEOF_INT, PAGE_SIZE);

/** The unit sizing of pcpu_build_alloc_info(), before the cpus are looked at. */
export interface PcpuUnitSizing {
  /** static + reserved + dynamic, page aligned: the part of a unit in use. */
  sizeSum: number;
  /** The dynamic size, grown to fill sizeSum's last page. */
  dynSize: number;
  /** The smallest multiple of the atom that holds a unit. */
  allocSize: number;
  /** The most page-aligned units that share one allocation. */
  maxUpa: number;
}

/**
 * mirrors the first half of pcpu_build_alloc_info(). Debian: 217088 + 8192 + 28672 = 253952
 * (62 pages); a 2 MiB atom holds 8 units of 256 KiB (2 MiB / 8 is page aligned).
 */
export function pcpuUnitSizing(staticSize: number, reservedSize: number, dynSize: number, atomSize: number): PcpuUnitSizing {
  const sizeSum = roundUp(staticSize + reservedSize + Math.max(dynSize, PERCPU_DYNAMIC_EARLY_SIZE), PAGE_SIZE);
  const minUnitSize = Math.max(sizeSum, PCPU_MIN_UNIT_SIZE);
  const allocSize = roundUp(minUnitSize, atomSize);
  let upa = Math.floor(allocSize / minUnitSize);
  while (allocSize % upa || (allocSize / upa) % PAGE_SIZE) upa--;
  return { sizeSum, dynSize: sizeSum - staticSize - reservedSize, allocSize, maxUpa: upa };
}

/**
 * The grouping loop of pcpu_build_alloc_info(): a group takes the first cpu left and every later
 * one at LOCAL_DISTANCE both ways (no distance function: one group). Cpus on nodes 0 1 0 1 →
 * groups [0, 2] and [1, 3].
 */
export function pcpuGroupCpus(cpus: readonly number[], cpuDistance?: (from: number, to: number) => number): number[][] {
  const left = [...cpus];
  const groups: number[][] = [];
  while (left.length) {
    const cpu = left.shift()!;
    const group = [cpu];
    for (let i = 0; i < left.length;) {
      const tcpu = left[i]!;
      if (!cpuDistance || (cpuDistance(cpu, tcpu) === LOCAL_DISTANCE && cpuDistance(tcpu, cpu) === LOCAL_DISTANCE)) {
        group.push(tcpu);
        left.splice(i, 1);
      } else i++;
    }
    groups.push(group);
  }
  return groups;
}

/**
 * The units-per-allocation choice of pcpu_build_alloc_info(): from maxUpa down, the dividers that
 * keep units page aligned, wasting at most a third of the possible cpus in empty units, and
 * stopping once more allocations would be needed. 2 cpus in one group, 8 units max: 8 and 4
 * waste too much, 2 needs 1 allocation, 1 would need 2 → 2 (units of 1 MiB).
 */
export function pcpuBestUpa(allocSize: number, maxUpa: number, groupCnt: readonly number[], nrPossible: number): number {
  let lastAllocs = Infinity;
  let best = 0;
  for (let upa = maxUpa; upa; upa--) {
    if (allocSize % upa || (allocSize / upa) % PAGE_SIZE) continue;
    let allocs = 0;
    let wasted = 0;
    for (const cnt of groupCnt) {
      const thisAllocs = Math.ceil(cnt / upa);
      allocs += thisAllocs;
      wasted += thisAllocs * upa - cnt;
    }
    if (wasted > Math.floor(nrPossible / 3)) continue;
    if (allocs > lastAllocs) break;
    lastAllocs = allocs;
    best = upa;
  }
  return best;
}

export interface PcpuBuildOptions {
  staticSize: number;
  reservedSize: number;
  dynSize: number;
  atomSize: number;
  /** cpu_possible_mask, ascending; nr_cpu_ids is its last cpu + 1. */
  cpus: readonly number[];
  /** The arch's cpu distance (LOCAL_DISTANCE groups cpus together); absent: one group. */
  cpuDistance?: (from: number, to: number) => number;
}

/** pcpu_build_alloc_info(): size the units, group the cpus, allocate and fill the info. */
export function pcpuBuildAllocInfo(mb: Memblock, o: PcpuBuildOptions): PcpuAllocInfo {
  const sizing = pcpuUnitSizing(o.staticSize, o.reservedSize, o.dynSize, o.atomSize);
  const groupCpus = pcpuGroupCpus(o.cpus, o.cpuDistance);
  const upa = pcpuBestUpa(sizing.allocSize, sizing.maxUpa, groupCpus.map((g) => g.length), o.cpus.length);
  const nrUnits = groupCpus.reduce((n, g) => n + roundUp(g.length, upa), 0);
  // pcpu_alloc_alloc_info() is inlined: the trace names its caller.
  const aiSize = pcpuAllocInfoSize(groupCpus.length, nrUnits);
  const addr = memblockAlloc(mb, aiSize, PAGE_SIZE, 'pcpu_build_alloc_info');
  if (!addr) throw new PcpuError(`pcpu_build_alloc_info: no ${aiSize} bytes for the alloc info`);
  const unitSize = sizing.allocSize / upa;
  let unit = 0;
  const groups = groupCpus.map((cpus) => {
    const nr = roundUp(cpus.length, upa);
    const g: PcpuGroupInfo = { nrUnits: nr, baseOffset: unit * unitSize, cpuMap: [...cpus, ...Array<number>(nr - cpus.length).fill(NR_CPUS)] };
    unit += nr;
    return g;
  });
  return {
    staticSize: o.staticSize, reservedSize: o.reservedSize, dynSize: sizing.dynSize, unitSize, atomSize: o.atomSize,
    allocSize: sizing.allocSize, aiSize, addr, groups,
  };
}

/** rounddown_pow_of_two(): 10 → 8. */
const rounddownPowOfTwo = (n: number): number => 2 ** Math.floor(Math.log2(n));

/**
 * pcpu_dump_alloc_info(): the sizes, then each allocation as "[group] cpu cpu …", as many to a
 * line as fit 60 columns rounded down to a power of two (8 one-unit allocations of 1-digit cpus).
 */
export function pcpuDumpAllocInfo(printk: Printk, ai: PcpuAllocInfo, nrPossible: number): void {
  const groupWidth = String(ai.groups.length).length;
  const cpuWidth = String(nrPossible).length;
  const upa = ai.allocSize / ai.unitSize;
  const apl = rounddownPowOfTwo(Math.max(Math.floor(60 / (upa * (cpuWidth + 1) + groupWidth + 3)), 1));
  printk.emit(pcpuAllocHeader, {
    staticSize: ai.staticSize, reservedSize: ai.reservedSize, dynSize: ai.dynSize, unitSize: ai.unitSize,
    allocs: ai.allocSize / ai.atomSize, atomSize: ai.atomSize,
  });
  let line: PcpuAllocUnits[] = [];
  let alloc = 0;
  ai.groups.forEach((g, group) => {
    for (let unit = 0; unit < g.nrUnits; unit += upa, alloc++) {
      if (alloc % apl === 0 && line.length) {
        printk.emit(pcpuAllocUnits, { groupWidth, cpuWidth, allocs: line });
        line = [];
      }
      line.push({ group, cpus: g.cpuMap.slice(unit, unit + upa).map((c) => (c === NR_CPUS ? null : c)) });
    }
  });
  if (line.length) printk.emit(pcpuAllocUnits, { groupWidth, cpuWidth, allocs: line });
}
