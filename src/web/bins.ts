// SPDX-License-Identifier: GPL-2.0-only
// The state of every pfn, from range lists: memblock memory and reserved, the device ranges
// and each node's first_deferred_pfn become one sorted list of [start, end) segments, and a
// view of the address space is binned from it in O(segments + bins), never page by page, so a
// 1 TiB machine bins as fast as a 1 GiB one. Platform-free: the server and a browser worker
// both run it.

/** Pfn states, in the order of a bin's counts. `free`: initialised at boot and not reserved. */
export const PFN_STATES = ['hole', 'reserved', 'free', 'deferred', 'device', 'offline'] as const;
export type PfnState = (typeof PFN_STATES)[number];
export const NR_PFN_STATES = PFN_STATES.length;
export const PfnStateIdx = { hole: 0, reserved: 1, free: 2, deferred: 3, device: 4, offline: 5 } as const;

/** Largest pfn a view may reach: 2^52 bytes of physical address space (MAX_PHYSMEM_BITS). */
export const MAX_VIEW_PFN = 2 ** 40;
/** Most bins one request may ask for: keeps i × span below 2^53, so bin edges are exact. */
export const MAX_BINS = 4096;

export interface PfnRange {
  start: number;
  end: number;
}

export interface NodeRange extends PfnRange {
  nid: number;
}

/** What the classifier needs to know about a machine, in pfns, [start, end). */
export interface PfnMapInput {
  /** memblock.memory: PFN_UP(base) .. PFN_DOWN(end), as for_each_mem_pfn_range() hands out. */
  memory: NodeRange[];
  /** memblock.reserved: PFN_DOWN(base) .. PFN_UP(end), as reserve_bootmem_region() marks pages. */
  reserved: PfnRange[];
  /** e820 persistent memory (types 7 and 12): never RAM to the page allocator. */
  device: PfnRange[];
  /** Offline memory blocks (memory hotplug: DIMMs not onlined yet, blocks offlined since boot). */
  offline: PfnRange[];
  /**
   * Memory add_memory() added after boot (the "System RAM" resources of memory hotplug): RAM
   * that is not in memblock. Online, it is free (online_pages() hands it all to the buddy
   * allocator, none is deferred); where `offline` covers it, offline.
   */
  hotAdded?: PfnRange[];
  /** first_deferred_pfn per node; a missing or infinite value: nothing deferred. */
  firstDeferredPfn: ReadonlyMap<number, number>;
}

/** A run of pfns in one state; runs are sorted, disjoint, and holes are left out. */
export interface StateSegment extends PfnRange {
  state: number;
}

/** Sort by start and merge overlapping or touching ranges. */
export function mergeRanges(rs: readonly PfnRange[]): PfnRange[] {
  const s = rs.filter((r) => r.end > r.start).map((r) => ({ start: r.start, end: r.end })).sort((a, b) => a.start - b.start);
  const out: PfnRange[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

/** Every boundary of every range, ascending and unique: the sweep's elementary intervals. */
function boundaries(lists: readonly (readonly PfnRange[])[]): number[] {
  const pts: number[] = [];
  for (const l of lists) for (const r of l) pts.push(r.start, r.end);
  pts.sort((a, b) => a - b);
  return pts.filter((p, i) => i === 0 || p !== pts[i - 1]);
}

/** A cursor over sorted, disjoint ranges that only moves forward. */
class RangeCursor<T extends PfnRange> {
  private i = 0;
  constructor(private readonly rs: readonly T[]) {}
  /** The range holding pfn, or undefined; pfns must be asked for in ascending order. */
  at(pfn: number): T | undefined {
    while (this.i < this.rs.length && this.rs[this.i]!.end <= pfn) this.i++;
    const r = this.rs[this.i];
    return r && r.start <= pfn ? r : undefined;
  }
}

/**
 * The state runs of a machine. Precedence: device and offline over everything; then no memory
 * (hole: neither memblock nor hot-added); then reserved; then hot-added memory is free; boot
 * memory deferred (pfn ≥ the node's first_deferred_pfn) or free. Reserved
 * pages in the deferred part are initialised at boot (memmap_init_reserved_pages()), so they
 * stay reserved. Example: memory [1,0x9f) + [0x100,0x3ffe0) on node 0, reserved [0,0x100),
 * deferred from 0x10000 → reserved [1,0x9f), free [0x100,0x10000), deferred [0x10000,0x3ffe0).
 */
export function pfnStateSegments(inp: PfnMapInput): StateSegment[] {
  const memory = inp.memory.filter((r) => r.end > r.start).map((r) => ({ ...r })).sort((a, b) => a.start - b.start);
  const reserved = mergeRanges(inp.reserved);
  const device = mergeRanges(inp.device);
  const offline = mergeRanges(inp.offline);
  const hotAdded = mergeRanges(inp.hotAdded ?? []);
  const deferredAt = memory.map((r) => inp.firstDeferredPfn.get(r.nid) ?? Infinity).filter((p) => Number.isFinite(p));
  const pts = boundaries([memory, reserved, device, offline, hotAdded, deferredAt.map((p) => ({ start: p, end: p }))]);
  const mem = new RangeCursor(memory);
  const res = new RangeCursor(reserved);
  const dev = new RangeCursor(device);
  const off = new RangeCursor(offline);
  const hot = new RangeCursor(hotAdded);
  const out: StateSegment[] = [];
  for (let i = 0; i + 1 < pts.length; i++) {
    const start = pts[i]!;
    const end = pts[i + 1]!;
    const m = mem.at(start);
    const added = hot.at(start);
    let state: number = PfnStateIdx.hole;
    if (dev.at(start)) state = PfnStateIdx.device;
    else if (off.at(start)) state = PfnStateIdx.offline;
    else if (!m && !added) state = PfnStateIdx.hole;
    else if (res.at(start)) state = PfnStateIdx.reserved;
    else if (!m) state = PfnStateIdx.free;
    else state = start >= (inp.firstDeferredPfn.get(m.nid) ?? Infinity) ? PfnStateIdx.deferred : PfnStateIdx.free;
    if (state === PfnStateIdx.hole) continue;
    const last = out[out.length - 1];
    if (last && last.state === state && last.end === start) last.end = end;
    else out.push({ start, end, state });
  }
  return out;
}

/** Index of the first run that ends after pfn (segs.length when none does): a binary search. */
function firstSegEndingAfter(segs: readonly StateSegment[], pfn: number): number {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid]!.end <= pfn) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The state of one pfn (binary search over the runs). */
export function pfnStateAt(segs: readonly StateSegment[], pfn: number): PfnState {
  const s = segs[firstSegEndingAfter(segs, pfn)];
  return PFN_STATES[s && s.start <= pfn ? s.state : PfnStateIdx.hole]!;
}

/** First pfn of bin i of [start, end) cut in `bins`: start + ⌊i·span/bins⌋ (bins of 0x10000 → 0, 0x10000, …). */
export const binEdge = (start: number, end: number, bins: number, i: number): number =>
  start + Math.floor((i * (end - start)) / bins);

/**
 * Count the pfns of each state in each of `bins` bins of [start, end): a Float64Array of
 * bins × NR_PFN_STATES, bin b's count of state s at b * NR_PFN_STATES + s. Each run touches
 * only the bins it overlaps; holes are what is left of each bin.
 */
export function binPfnStates(segs: readonly StateSegment[], start: number, end: number, bins: number): Float64Array {
  const counts = new Float64Array(bins * NR_PFN_STATES);
  const span = end - start;
  // Binary search to the first run that ends after start keeps a narrow zoom O(log runs + bins).
  for (let i = firstSegEndingAfter(segs, start); i < segs.length && segs[i]!.start < end; i++) {
    const seg = segs[i]!;
    let p = Math.max(seg.start, start);
    const e = Math.min(seg.end, end);
    let b = Math.floor(((p - start) * bins) / span);
    while (p < e) {
      const be = Math.min(binEdge(start, end, bins, b + 1), e);
      counts[b * NR_PFN_STATES + seg.state]! += be - p;
      p = be;
      b++;
    }
  }
  for (let b = 0; b < bins; b++) {
    let known = 0;
    for (let s = 1; s < NR_PFN_STATES; s++) known += counts[b * NR_PFN_STATES + s]!;
    counts[b * NR_PFN_STATES + PfnStateIdx.hole] = binEdge(start, end, bins, b + 1) - binEdge(start, end, bins, b) - known;
  }
  return counts;
}

/** Pfns of each state in the whole of the runs (the hole count is left to the caller's extent). */
export function totalPfnStates(segs: readonly StateSegment[]): Record<PfnState, number> {
  const t = Object.fromEntries(PFN_STATES.map((s) => [s, 0])) as Record<PfnState, number>;
  for (const s of segs) t[PFN_STATES[s.state]!] += s.end - s.start;
  return t;
}
