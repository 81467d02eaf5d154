// build_all_zonelists() of 6.1 with CONFIG_NUMA (mm/page_alloc.c): each node's fallback list
// of zones. Nodes come local first, then as find_next_best_node() ranks them: by node_distance(),
// a penalty for nodes below the local one and for nodes with CPUs, and node_load, which spreads
// the first node of each distance group across the lists built after it. Within a node, zones
// go from the highest populated one down (build_zonerefs_node()).
import { MAX_NR_ZONES, MAX_NUMNODES } from '../include/mmzone.js';
import type { BuddyZone } from './free-area.js';
import type { Buddy } from './page-alloc.js';
import { populatedZone } from './zone.js';

/** LOCAL_DISTANCE / REMOTE_DISTANCE (include/linux/topology.h). */
export const LOCAL_DISTANCE = 10;
export const REMOTE_DISTANCE = 20;
export const PENALTY_FOR_NODE_WITH_CPUS = 1;

export interface ZonelistOptions {
  /** node_distance(): the SLIT when the firmware has one; default x86's answer without: 10 local, 20 remote. */
  distance?: (from: number, to: number) => number;
  /** cpumask_of_node() is not empty when the zonelists are built; default: every node has CPUs. */
  nodeHasCpus?: (nid: number) => boolean;
  /** nr_online_nodes; default: the nodes with memory. */
  nrOnlineNodes?: number;
}

export const defaultNodeDistance = (from: number, to: number): number => (from === to ? LOCAL_DISTANCE : REMOTE_DISTANCE);

/** What find_next_best_node() reads besides the used mask. */
export interface NodeRanking {
  /** N_MEMORY, ascending. */
  memoryNodes: number[];
  distance: (from: number, to: number) => number;
  hasCpus: (nid: number) => boolean;
  /** node_load[], shared by all nodes' builds. */
  nodeLoad: Map<number, number>;
}

/**
 * mirrors find_next_best_node(): the local node first (memory or not), then the unused node with
 * memory of least (distance + [n < node] + [has CPUs]) × MAX_NUMNODES + node_load; -1 when none is left.
 */
export function findNextBestNode(node: number, used: Set<number>, r: NodeRanking): number {
  if (!used.has(node)) {
    used.add(node);
    return node;
  }
  let best = -1;
  let minVal = Infinity;
  for (const n of r.memoryNodes) {
    if (used.has(n)) continue;
    let val = r.distance(node, n) + (n < node ? 1 : 0);
    if (r.hasCpus(n)) val += PENALTY_FOR_NODE_WITH_CPUS;
    val = val * MAX_NUMNODES + (r.nodeLoad.get(n) ?? 0);
    if (val < minVal) {
      minVal = val;
      best = n;
    }
  }
  if (best >= 0) used.add(best);
  return best;
}

/** mirrors build_zonelists()'s node order: a node whose distance differs from the previous one's adds to its node_load. */
export function buildNodeOrder(local: number, r: NodeRanking): number[] {
  const used = new Set<number>();
  const order: number[] = [];
  let prev = local;
  for (let node = findNextBestNode(local, used, r); node >= 0; node = findNextBestNode(local, used, r)) {
    if (r.distance(local, node) !== r.distance(local, prev)) r.nodeLoad.set(node, (r.nodeLoad.get(node) ?? 0) + 1);
    order.push(node);
    prev = node;
  }
  return order;
}

/** mirrors build_zonerefs_node(): the node's populated zones, highest first. */
export function buildZonerefsNode(b: Buddy, nid: number): BuddyZone[] {
  const out: BuddyZone[] = [];
  for (let zid = MAX_NR_ZONES - 1; zid >= 0; zid--) {
    const bz = b.zones[nid * MAX_NR_ZONES + zid];
    if (bz && populatedZone(bz.zone)) out.push(bz);
  }
  return out;
}

/**
 * mirrors __build_all_zonelists() at boot: node_load cleared once, then every possible node's
 * fallback zonelist in node id order. Hotplug calls it again when a zone becomes populated.
 */
export function buildAllZonelists(b: Buddy, opts: ZonelistOptions = {}): void {
  const nids = [...b.layout.nodes.keys()].sort((x, y) => x - y);
  const memoryNodes = nids.filter((nid) => b.layout.nodes.get(nid)!.nodePresentPages > 0);
  const r: NodeRanking = {
    memoryNodes, distance: opts.distance ?? defaultNodeDistance, hasCpus: opts.nodeHasCpus ?? (() => true), nodeLoad: new Map(),
  };
  b.nrOnlineNodes = opts.nrOnlineNodes ?? memoryNodes.length;
  b.nodeOrder.clear();
  b.zonelists.clear();
  for (const nid of nids) {
    const order = buildNodeOrder(nid, r);
    b.nodeOrder.set(nid, order);
    b.zonelists.set(nid, order.flatMap((n) => buildZonerefsNode(b, n)));
  }
}
