// The memmap invariant checker (CONFIG_DEBUG_VM's checks, gathered in one pass over a booted
// machine): struct pages initialised exactly once, node/zone links, reserved memory, the free
// areas (free-area-check.ts), pageblock migratetypes. Range and section loops over the typed
// arrays; nothing is allocated per page. Violations are capped (`limit`), the total is kept.
import { MemblockFlag } from '../include/memblock.js';
import { MAX_NR_ZONES, MAX_NUMNODES, MIGRATE_TYPES, PAGEBLOCK_NR_PAGES, PAGES_PER_SECTION, ZONE_NAMES } from '../include/mmzone.js';
import { PAGE_SIZE, pfnDown, pfnPhys, pfnUp } from '../include/pfn.js';
import { PAGES_PER_SUBSECTION, SectionFlag } from '../include/sparsemem.js';
import { checkHotplug } from './memory-hotplug-check.js';
import type { Machine } from '../kernel/machine.js';
import type { BuddyZone } from './free-area.js';
import { checkZoneDevice, zoneDeviceSkipRanges, type ZoneDeviceViolationKind } from './check-zone-device.js';
import { checkFreeAreasReport, type FreeAreaProblem, type FreeBlock } from './free-area-check.js';
import { forEachMemPfnRange, forEachMemRegion, forEachReservedMemRange, memblockIsRegionReserved, memblockSearchPfnNid, type Memblock } from './memblock.js';
import { PAGE_WORDS, pageBuddy, pagePoisoned, pageReserved, pageToNid, pageWord, pageZonenum } from './page.js';
import type { Buddy } from './page-alloc.js';
import { getPageblockMigratetype } from './pageblock.js';
import { earlySection, forEachValidSection, pfnSectionValid, pfnToSection, type Memmap } from './sparse.js';
import { populatedZone, zoneEndPfn, type ZoneLayout } from './zone.js';

export type ViolationKind =
  | 'init-count' | 'poisoned' | 'zone-link' | 'reserved-flag' | 'reserved-free' | 'migratetype' | FreeAreaProblem
  | 'offline-init' | 'hotplug-zone' | 'hotplug-present'
  | ZoneDeviceViolationKind;

export interface Violation {
  what: ViolationKind;
  pfn?: number;
  nid?: number;
  /** The zone's name ("DMA32"). */
  zone?: string;
  detail: string;
}

export interface CheckResult {
  /** The first `limit` violations found. */
  violations: Violation[];
  /** All violations found, the ones past the limit included. */
  total: number;
  /** Valid pfns whose struct page was checked. */
  pfns: number;
  /** Blocks on the free lists. */
  freeBlocks: number;
}

const hex = (pfn: number): string => `0x${pfn.toString(16)}`;

interface Ctx {
  /** Built on first use: see deferredReservedInits(). */
  edges?: Map<number, number>;
  m: Machine;
  mb: Memblock;
  memmap: Memmap;
  res: CheckResult;
  limit: number;
}

function report(c: Ctx, v: Violation): void {
  if (c.res.total++ < c.limit) c.res.violations.push(v);
}

/**
 * Valid pfn ranges of online sections: a whole early section, or its populated subsections.
 * Offline memory (hot-added and not onlined yet, or offlined again) has no initialised struct
 * pages: memory-hotplug-check.ts checks those.
 */
function forEachValidPfnRange(mm: Memmap, fn: (mem: Uint32Array, count: Uint8Array | undefined, start: number, end: number) => void): void {
  for (const ms of forEachValidSection(mm)) {
    if (!(ms.flags & SectionFlag.IS_ONLINE)) continue;
    const base = ms.nr * PAGES_PER_SECTION;
    if (earlySection(ms)) {
      fn(ms.memmap, ms.initCount, base, base + PAGES_PER_SECTION);
      continue;
    }
    for (let s = base; s < base + PAGES_PER_SECTION; s += PAGES_PER_SUBSECTION) {
      if (pfnSectionValid(ms, s)) fn(ms.memmap, ms.initCount, s, s + PAGES_PER_SUBSECTION);
    }
  }
}

/**
 * How many times 6.1 initialises a reserved struct page that lies at or above its node's first
 * deferred pfn: init_reserved_page() runs for every memblock.reserved region the page touches
 * (memmap_init_reserved_pages() walks regions, not pages) and re-initialises a page that is not
 * early-initialised each time; a page outside memblock.memory (a hole or section tail
 * init_unavailable_range() set up, zone MAX_NR_ZONES when no zone spans it) has one more.
 * Only a page at a region's edge can be touched by several (regions never overlap), e.g. the
 * page of ten 8-byte cpumask allocations. See test/mm/memblock-free-all.test.ts.
 */
function deferredReservedInits(c: Ctx, pfn: number): number | undefined {
  const nid = memblockSearchPfnNid(c.mb, pfn)?.nid;
  // early_pfn_to_nid() of a pfn outside memblock.memory: the first online node.
  const online = c.m.numa?.online.size ? [...c.m.numa.online] : [0];
  if (pfn < (c.m.memmapPlan?.firstDeferredPfn.get(nid ?? Math.min(...online)) ?? Infinity)) return undefined;
  c.edges ??= reservedEdgePfns(c.mb);
  const k = c.edges.get(pfn) ?? (memblockIsRegionReserved(c.mb, pfnPhys(pfn), PAGE_SIZE) ? 1 : 0);
  return k === 0 ? undefined : k + (nid === undefined ? 1 : 0);
}

/** Pfn → the number of reserved regions whose first or last page it is. */
function reservedEdgePfns(mb: Memblock): Map<number, number> {
  const edges = new Map<number, number>();
  for (const r of mb.reserved.regions) {
    if (!r.size) continue;
    const first = pfnDown(r.base);
    const last = pfnUp(r.base + r.size) - 1;
    edges.set(first, (edges.get(first) ?? 0) + 1);
    if (last !== first) edges.set(last, (edges.get(last) ?? 0) + 1);
  }
  return edges;
}

/** Valid pfns [start, end) of one section: initialised once (init counters when kept), not poisoned. */
function checkInitRange(c: Ctx, mem: Uint32Array, count: Uint8Array | undefined, start: number, end: number): void {
  c.res.pfns += end - start;
  for (let pfn = start, w = pageWord(start); pfn < end; pfn++, w += PAGE_WORDS) {
    const poisoned = pagePoisoned(mem, w);
    if (poisoned) report(c, { what: 'poisoned', pfn, detail: `pfn ${hex(pfn)}: struct page is poisoned (never initialised)` });
    const n = count ? count[pfn % PAGES_PER_SECTION]! : 1;
    if (n !== 1 && !(!poisoned && pageReserved(mem, w) && n === deferredReservedInits(c, pfn))) {
      report(c, { what: 'init-count', pfn, detail: `pfn ${hex(pfn)}: struct page initialised ${n} times` });
    }
  }
}

/** Every valid pfn outside ZONE_DEVICE ranges (checkZoneDevice() has those): initialised once, not poisoned. */
function checkInit(c: Ctx): void {
  const skip = zoneDeviceSkipRanges(c.m.pgmaps);
  forEachValidPfnRange(c.memmap, (mem, count, start, end) => {
    let s = start;
    for (const [a, b] of skip) {
      if (b <= s) continue;
      if (a >= end) break;
      if (a > s) checkInitRange(c, mem, count, s, a);
      s = Math.max(s, b);
      if (s >= end) break;
    }
    if (s < end) checkInitRange(c, mem, count, s, end);
  });
}

/** Memory pfns link to their range's node and to a zone of it that spans them. */
function checkZoneLinks(c: Ctx, zones: ZoneLayout): void {
  const starts = new Float64Array(MAX_NR_ZONES);
  const ends = new Float64Array(MAX_NR_ZONES);
  for (const r of forEachMemPfnRange(c.mb, MAX_NUMNODES)) {
    const pg = zones.nodes.get(r.nid);
    for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
      const z = pg?.zones[zid];
      starts[zid] = z ? z.zoneStartPfn : 0;
      ends[zid] = z ? zoneEndPfn(z) : 0;
    }
    for (let pfn = r.startPfn; pfn < r.endPfn; ) {
      const next = Math.min(r.endPfn, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
      const mem = pfnToSection(c.memmap, pfn)?.memmap;
      for (let p = pfn, w = pageWord(pfn); mem && p < next; p++, w += PAGE_WORDS) {
        if (pagePoisoned(mem, w)) continue;
        const nid = pageToNid(mem, w);
        const zid = pageZonenum(mem, w);
        if (nid === r.nid && zid < MAX_NR_ZONES && starts[zid]! <= p && p < ends[zid]!) continue;
        report(c, {
          what: 'zone-link', pfn: p, nid: r.nid,
          detail: `pfn ${hex(p)}: page links to node ${nid} zone ${ZONE_NAMES[zid] ?? zid}, not a zone of node ${r.nid} spanning it`,
        });
      }
      pfn = next;
    }
  }
}

/**
 * Reserved ranges (and NOMAP memory) as [startPfn, endPfn), in order, less what free_reserved_area()
 * gave back late in boot: memblock still lists that as reserved (x86 discards memblock unread).
 */
function reservedPfnRanges(m: Machine, mb: Memblock): [number, number][] {
  let out: [number, number][] = [];
  for (const r of forEachReservedMemRange(mb)) out.push([pfnDown(r.start), pfnUp(r.end)]);
  for (const r of forEachMemRegion(mb)) if (r.flags & MemblockFlag.NOMAP) out.push([pfnDown(r.base), pfnUp(r.base + r.size)]);
  for (const [fs, fe] of m.lateFreed ?? []) {
    const [s, e] = [pfnUp(fs), pfnDown(fe)];
    out = out.flatMap(([a, b]): [number, number][] => (b <= s || e <= a ? [[a, b]] : [...(a < s ? [[a, s]] : []), ...(e < b ? [[e, b]] : [])] as [number, number][]));
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Reserved memory: PG_reserved on every valid struct page, no PageBuddy, no free block over it. */
function checkReserved(c: Ctx, blocks: FreeBlock[]): void {
  const ranges = reservedPfnRanges(c.m, c.mb);
  for (const [start, end] of ranges) {
    for (let pfn = start; pfn < end; ) {
      const next = Math.min(end, pfn - (pfn % PAGES_PER_SUBSECTION) + PAGES_PER_SUBSECTION);
      const ms = pfnToSection(c.memmap, pfn);
      const mem = ms?.memmap && (earlySection(ms) || pfnSectionValid(ms, pfn)) ? ms.memmap : undefined;
      for (let p = pfn, w = pageWord(pfn); mem && p < next; p++, w += PAGE_WORDS) {
        if (pagePoisoned(mem, w)) continue;
        if (!pageReserved(mem, w)) report(c, { what: 'reserved-flag', pfn: p, detail: `pfn ${hex(p)}: memblock-reserved but not PG_reserved` });
        if (pageBuddy(mem, w)) report(c, { what: 'reserved-free', pfn: p, detail: `pfn ${hex(p)}: memblock-reserved but PageBuddy` });
      }
      pfn = next;
    }
  }
  // Free blocks against reserved ranges, both sorted: a two-pointer sweep.
  const sorted = [...blocks].sort((a, b) => a.pfn - b.pfn);
  let i = 0;
  for (const b of sorted) {
    const end = b.pfn + 2 ** b.order;
    while (i < ranges.length && ranges[i]![1] <= b.pfn) i++;
    const r = ranges[i];
    if (r && r[0] < end) {
      const p = Math.max(r[0], b.pfn);
      report(c, { what: 'reserved-free', pfn: p, detail: `free block ${hex(b.pfn)}/${b.order} covers reserved pfn ${hex(p)}` });
    }
  }
}

/** Every pageblock of a populated zone has a migratetype below MIGRATE_TYPES. */
function checkPageblocks(c: Ctx, bz: BuddyZone): void {
  const z = bz.zone;
  if (!populatedZone(z)) return;
  for (let pfn = z.zoneStartPfn - (z.zoneStartPfn % PAGEBLOCK_NR_PAGES); pfn < zoneEndPfn(z); pfn += PAGEBLOCK_NR_PAGES) {
    if (!pfnToSection(c.memmap, pfn)) continue;
    const mt = getPageblockMigratetype(c.memmap, pfn);
    if (mt >= MIGRATE_TYPES) {
      report(c, { what: 'migratetype', pfn, nid: bz.nid, zone: z.name, detail: `pageblock ${hex(pfn)}: migratetype ${mt} is not one of the ${MIGRATE_TYPES}` });
    }
  }
}

/** Check a machine booted with its memmap (memInit()); returns the violations and what was covered. */
export function checkMachineReport(m: Machine, limit = 10000): CheckResult {
  if (!m.memblock || !m.zones || !m.memmap || !m.buddy || !('zonelists' in m.buddy)) {
    throw new Error(`${m.name}: no memmap and buddy allocator to check (boot with memInit() first)`);
  }
  const b = m.buddy as Buddy;
  const c: Ctx = { m, mb: m.memblock, memmap: m.memmap, res: { violations: [], total: 0, pfns: 0, freeBlocks: 0 }, limit };
  checkInit(c);
  checkZoneLinks(c, m.zones);
  const zones = b.zones.filter((z): z is BuddyZone => !!z);
  const blocks = checkFreeAreasReport(b, zones, (what, bz, detail, pfn) =>
    report(c, { what, ...(pfn === undefined ? {} : { pfn }), nid: bz.nid, zone: bz.zone.name, detail }));
  c.res.freeBlocks = blocks.length;
  checkReserved(c, blocks);
  for (const bz of zones) checkPageblocks(c, bz);
  if (m.hotplug) checkHotplug(m, (v) => report(c, v));
  c.res.pfns += checkZoneDevice(m, c.memmap, blocks, b.groupByMobilityDisabled, (what, detail, pfn, nid, zone) =>
    report(c, { what, detail, ...(pfn === undefined ? {} : { pfn }), ...(nid === undefined ? {} : { nid }), ...(zone === undefined ? {} : { zone }) }));
  return c.res;
}

/** The violations of checkMachineReport(): empty when every invariant holds. */
export const checkMachine = (m: Machine): Violation[] => checkMachineReport(m).violations;
