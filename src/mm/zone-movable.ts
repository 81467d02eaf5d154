// find_zone_movable_pfns_for_nodes() (mm/page_alloc.c, 6.1): where ZONE_MOVABLE starts on
// each node for kernelcore= / movablecore= / kernelcore=mirror / movable_node.
import { MAX_NR_ZONES, MAX_NUMNODES, MAX_ORDER_NR_PAGES, ZoneType } from '../include/mmzone.js';
import { MemblockFlag } from '../include/memblock.js';
import { PAGE_SIZE, roundUp } from '../include/pfn.js';
import type { Memblock } from './memblock.js';
import { forEachMemPfnRange } from './memblock.js';
import { getPfnRangeForNid } from './node-ranges.js';

/** The kernelcore= / movablecore= / movable_node settings, in pages or percent. */
export interface CoreParams {
  requiredKernelcore: number;
  requiredKernelcorePercent: number;
  requiredMovablecore: number;
  requiredMovablecorePercent: number;
  mirroredKernelcore: boolean;
  movableNode: boolean;
}

export const noCoreParams: CoreParams = {
  requiredKernelcore: 0, requiredKernelcorePercent: 0, requiredMovablecore: 0, requiredMovablecorePercent: 0,
  mirroredKernelcore: false, movableNode: false,
};

/** find_usable_zone_for_movable(): the highest non-empty arch zone. */
export function findUsableZoneForMovable(lowest: number[], highest: number[]): ZoneType {
  for (let z = MAX_NR_ZONES - 1; z >= 0; z--) {
    if (z === ZoneType.MOVABLE) continue;
    if (highest[z]! > lowest[z]!) return z as ZoneType;
  }
  return ZoneType.DMA;
}

const setMin = (m: Map<number, number>, nid: number, pfn: number): void => {
  const cur = m.get(nid) ?? 0;
  m.set(nid, cur ? Math.min(cur, pfn) : pfn);
};

export function findZoneMovablePfnsForNodes(
  mb: Memblock, lowest: number[], highest: number[], p: CoreParams,
): { zoneMovablePfn: Map<number, number>; movableZone: ZoneType } {
  const zmp = new Map<number, number>();
  const movableZone = findUsableZoneForMovable(lowest, highest);
  // early_calculate_totalpages(): all memory, and which nodes have some.
  let totalpages = 0;
  const memNodes = new Set<number>();
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    totalpages += r.endPfn - r.startPfn;
    if (r.endPfn > r.startPfn) memNodes.add(r.nid);
  }
  if (p.movableNode) {
    for (const r of mb.memory.regions) {
      if (r.flags & MemblockFlag.HOTPLUG) setMin(zmp, r.nid, Math.floor(r.base / PAGE_SIZE));
    }
    return { zoneMovablePfn: alignMovable(mb, zmp), movableZone };
  }
  if (p.mirroredKernelcore) {
    for (const r of mb.memory.regions) {
      if (r.flags & MemblockFlag.MIRROR) continue;
      const start = Math.ceil(r.base / PAGE_SIZE);
      if (start < (4 * 1024 * 1024 * 1024) / PAGE_SIZE) continue;
      setMin(zmp, r.nid, start);
    }
    return { zoneMovablePfn: alignMovable(mb, zmp), movableZone };
  }
  let requiredKernelcore = p.requiredKernelcore;
  let requiredMovablecore = p.requiredMovablecore;
  if (p.requiredKernelcorePercent) requiredKernelcore = Math.floor((totalpages * 100 * p.requiredKernelcorePercent) / 10000);
  if (p.requiredMovablecorePercent) requiredMovablecore = Math.floor((totalpages * 100 * p.requiredMovablecorePercent) / 10000);
  if (requiredMovablecore) {
    requiredMovablecore = Math.min(totalpages, roundUp(requiredMovablecore, MAX_ORDER_NR_PAGES));
    requiredKernelcore = Math.max(requiredKernelcore, totalpages - requiredMovablecore);
  }
  if (!requiredKernelcore || requiredKernelcore >= totalpages) return { zoneMovablePfn: zmp, movableZone };
  spreadKernelcore(mb, zmp, [...memNodes].sort((a, b) => a - b), requiredKernelcore, lowest[movableZone]!);
  return { zoneMovablePfn: alignMovable(mb, zmp), movableZone };
}

/** The restart loop: spread kernelcore evenly over the nodes with memory, nodes short of it pass the rest on. */
function spreadKernelcore(mb: Memblock, zmp: Map<number, number>, nodes: number[], required: number, usableStartpfn: number): void {
  let usableNodes = nodes.length;
  for (;;) {
    let kernelcoreNode = Math.floor(required / usableNodes);
    for (const nid of nodes) {
      if (required < kernelcoreNode) kernelcoreNode = Math.floor(required / usableNodes);
      let remaining = kernelcoreNode;
      for (const r of forEachMemPfnRange(mb, nid)) {
        let start = Math.max(r.startPfn, zmp.get(nid) ?? 0);
        const end = r.endPfn;
        if (start >= end) continue;
        if (start < usableStartpfn) {
          const kernelPages = Math.min(end, usableStartpfn) - start;
          remaining -= Math.min(kernelPages, remaining);
          required -= Math.min(kernelPages, required);
          if (end <= usableStartpfn) {
            zmp.set(nid, end);
            continue;
          }
          start = usableStartpfn;
        }
        const sizePages = Math.min(end - start, remaining);
        zmp.set(nid, start + sizePages);
        required -= Math.min(required, sizePages);
        remaining -= sizePages;
        if (!remaining) break;
      }
    }
    usableNodes--;
    if (!(usableNodes && required > usableNodes)) break;
  }
}

/** out2: align every node's ZONE_MOVABLE start up to MAX_ORDER_NR_PAGES; drop it when past the node's end. */
function alignMovable(mb: Memblock, zmp: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [nid, pfn] of zmp) {
    const aligned = roundUp(pfn, MAX_ORDER_NR_PAGES);
    const [, end] = getPfnRangeForNid(mb, nid);
    if (aligned && aligned < end) out.set(nid, aligned);
  }
  return out;
}
