// SPDX-License-Identifier: GPL-2.0-only
// The x86 NUMA distance table (arch/x86/mm/numa.c): a cnt × cnt byte matrix in memblock memory,
// allocated on the first numa_set_distance() after a reset. The SLIT fills it during SRAT
// parsing; NUMA emulation rebuilds it for the fake nodes.
import { PAGE_SIZE } from '../../include/pfn.js';
import type { Printk } from '../../kernel/printk.js';
import { memblockGetCurrentLimit, memblockPhysAllocRange, memblockPhysFree, type Memblock } from '../../mm/memblock.js';
import { LOCAL_DISTANCE, REMOTE_DISTANCE } from '../../mm/zonelist.js';
import * as F from '../../trace/formats/numa.js';

/** numa_distance / numa_distance_cnt, and the pr_warn_once() sites that already printed. */
export interface NumaDistance {
  /** numa_distance_cnt: 0 when there is no table. */
  cnt: number;
  /** numa_distance[from * cnt + to]. */
  table: number[];
  /** Where memblock put the table. */
  addr: number;
  /** numa_distance == (void *)1: the allocation failed; no retry until a reset. */
  failed: boolean;
  warnedOnce: Set<string>;
}

/** What allocating a table needs besides the table. */
export interface NumaDistanceCtx {
  mb: Memblock;
  printk: Printk;
  d: NumaDistance;
  /** numa_nodes_parsed plus the nodes of numa_meminfo: the table covers node ids up to the highest. */
  nodes: () => Iterable<number>;
}

export const numaDistanceNew = (): NumaDistance => ({ cnt: 0, table: [], addr: 0, failed: false, warnedOnce: new Set() });

/** mirrors numa_reset_distance(): free the table; the next numa_set_distance() makes a new one. */
export function numaResetDistance(mb: Memblock, d: NumaDistance): void {
  if (d.cnt) memblockPhysFree(mb, d.addr, d.cnt * d.cnt, 'numa_reset_distance');
  d.cnt = 0;
  d.table = [];
  d.addr = 0;
  d.failed = false;
}

/**
 * mirrors numa_alloc_distance(): one byte per node pair up to the highest known node, from any
 * mapped memory (setup_arch() left memblock's limit at PFN_PHYS(max_pfn_mapped)); 10 on the
 * diagonal, 20 elsewhere.  Nodes {0, 3} → cnt 4, a 16-byte table in its own page.
 */
function numaAllocDistance(c: NumaDistanceCtx): boolean {
  let cnt = 0;
  for (const nid of c.nodes()) cnt = Math.max(cnt, nid);
  cnt++;
  const addr = memblockPhysAllocRange(c.mb, cnt * cnt, PAGE_SIZE, 0, memblockGetCurrentLimit(c.mb), 'numa_alloc_distance');
  if (!addr) {
    c.printk.emit(F.distanceAllocFailed, true);
    c.d.failed = true;
    return false;
  }
  c.d.addr = addr;
  c.d.cnt = cnt;
  c.d.table = Array.from({ length: cnt * cnt }, (_, k) => (Math.floor(k / cnt) === k % cnt ? LOCAL_DISTANCE : REMOTE_DISTANCE));
  c.printk.emit(F.distanceTable, { cnt });
  return true;
}

/**
 * mirrors numa_set_distance(): creates the table on first use; node ids beyond it and
 * distances that are no u8 (or not 10 from a node to itself) are ignored with a one-time warning.
 */
export function numaSetDistance(c: NumaDistanceCtx, from: number, to: number, distance: number): void {
  const d = c.d;
  if (!d.cnt && (d.failed || !numaAllocDistance(c))) return;
  const v = { from, to, distance };
  if (from >= d.cnt || to >= d.cnt || from < 0 || to < 0) {
    if (!d.warnedOnce.has('bound')) c.printk.emit(F.distanceOutOfBound, v);
    d.warnedOnce.add('bound');
    return;
  }
  if ((distance & 0xff) !== distance || (from === to && distance !== LOCAL_DISTANCE)) {
    if (!d.warnedOnce.has('invalid')) c.printk.emit(F.distanceInvalid, v);
    d.warnedOnce.add('invalid');
    return;
  }
  d.table[from * d.cnt + to] = distance;
}

/** mirrors __node_distance(): the table, or 10/20 for nodes it does not cover. */
export function nodeDistance(d: NumaDistance, from: number, to: number): number {
  if (from >= d.cnt || to >= d.cnt) return from === to ? LOCAL_DISTANCE : REMOTE_DISTANCE;
  return d.table[from * d.cnt + to]!;
}
