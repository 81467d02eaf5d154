// Zone watermarks and lowmem reserves (mm/page_alloc.c, 6.1): calculate_min_free_kbytes(),
// __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(), init_per_zone_wmark_min() and
// nr_free_zone_pages(); with khugepaged's set_recommended_min_free_kbytes() (mm/khugepaged.c)
// and hugepage_init()'s part in it (mm/huge_memory.c). The formulas take each zone's managed
// pages as they are at that moment of boot or hotplug, because the kernel computes these at
// fixed points (postcore and subsys initcalls, every online and offline) and never again, while
// managed pages keep changing between them; the last functions apply them to a Machine.
import { MAX_NR_ZONES, PAGEBLOCK_NR_PAGES, ZoneType } from '../include/mmzone.js';
import type { Machine } from '../kernel/machine.js';
import { MIGRATE_PCPTYPES } from './pageblock.js';

/** watermark_scale_factor (sysctl, default 10: 0.1% of a zone between watermarks). */
export const WATERMARK_SCALE_FACTOR = 10;
/** sysctl_lowmem_reserve_ratio per zone type (x86_64: DMA, DMA32, Normal, Movable, Device). */
export const LOWMEM_RESERVE_RATIO: readonly number[] = [256, 256, 32, 0, 0];
/** min_free_kbytes before init_per_zone_wmark_min() runs. */
const MIN_FREE_KBYTES_DEFAULT = 1024;
/** hugepage_init() leaves THP off below 512 MiB of RAM. */
const THP_MIN_RAM_PAGES = 512 * 256;

/** A zone as the watermark code sees it, at one moment. */
export interface WmarkZone {
  nid: number;
  zid: number;
  managed: number;
  /** present_pages: populated_zone(). */
  present: number;
}

/** zone->_watermark[] and lowmem_reserve[] of one zone. */
export interface ZoneWmark {
  min: number;
  low: number;
  high: number;
  promo: number;
  /** lowmem_reserve[j] for every zone type j: /proc/zoneinfo's "protection". */
  lowmemReserve: number[];
}

/** The machine's watermark state: min_free_kbytes, whether khugepaged runs, each zone's marks by "nid:zid". */
export interface WatermarkState {
  minFreeKbytes: number;
  /** hugepage_flags_enabled() with khugepaged started: hotplug recomputes raise min_free_kbytes again. */
  khugepaged: boolean;
  zones: Map<string, ZoneWmark>;
}

export const wmarkKey = (nid: number, zid: number): string => `${nid}:${zid}`;

export const watermarkStateNew = (): WatermarkState => ({ minFreeKbytes: MIN_FREE_KBYTES_DEFAULT, khugepaged: false, zones: new Map() });

/** A copy whose zones' marks can change without touching the original's. */
export const watermarkStateClone = (st: WatermarkState): WatermarkState => ({
  ...st, zones: new Map([...st.zones].map(([k, w]) => [k, { ...w, lowmemReserve: [...w.lowmemReserve] }])),
});

const marksOf = (st: WatermarkState, z: WmarkZone): ZoneWmark => {
  let w = st.zones.get(wmarkKey(z.nid, z.zid));
  if (!w) {
    w = { min: 0, low: 0, high: 0, promo: 0, lowmemReserve: new Array<number>(MAX_NR_ZONES).fill(0) };
    st.zones.set(wmarkKey(z.nid, z.zid), w);
  }
  return w;
};

/** int_sqrt(): the floor of the square root, exact for any integer below 2^53. */
export function intSqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/**
 * mirrors nr_free_zone_pages(): managed pages above the high watermark, summed over the zones up
 * to `highestZone` of the fallback zonelist (which holds every node's populated zones).
 */
export function nrFreeZonePages(st: WatermarkState, zones: readonly WmarkZone[], highestZone: number): number {
  let sum = 0;
  for (const z of zones) {
    if (z.zid > highestZone || z.zid === ZoneType.DEVICE) continue;
    const high = st.zones.get(wmarkKey(z.nid, z.zid))?.high ?? 0;
    if (z.managed > high) sum += z.managed - high;
  }
  return sum;
}

/** nr_free_buffer_pages(): nr_free_zone_pages(gfp_zone(GFP_USER)), i.e. up to ZONE_NORMAL. */
export const nrFreeBufferPages = (st: WatermarkState, zones: readonly WmarkZone[]): number => nrFreeZonePages(st, zones, ZoneType.NORMAL);

/** mirrors calculate_min_free_kbytes(): sqrt(lowmem_kbytes × 16), clamped to [128, 262144]. */
export function calculateMinFreeKbytes(st: WatermarkState, zones: readonly WmarkZone[]): void {
  const lowmemKbytes = nrFreeBufferPages(st, zones) * 4;
  st.minFreeKbytes = Math.min(262144, Math.max(128, intSqrt(lowmemKbytes * 16)));
}

/** mult_frac(x, n, d) on unsigned longs. */
const multFrac = (x: number, n: number, d: number): number => Math.floor(x / d) * n + Math.floor(((x % d) * n) / d);

/**
 * mirrors __setup_per_zone_wmarks(): each zone's share of min_free_kbytes by managed pages (no
 * highmem on x86_64), and low/high/promo a step apart: a quarter of min, or 0.1% of the zone.
 */
export function setupPerZoneWmarks(st: WatermarkState, zones: readonly WmarkZone[]): void {
  const pagesMin = Math.floor(st.minFreeKbytes / 4);
  const lowmem = zones.reduce((n, z) => n + z.managed, 0);
  for (const z of zones) {
    const w = marksOf(st, z);
    const min = lowmem ? Math.floor((pagesMin * z.managed) / lowmem) : 0;
    const step = Math.max(Math.floor(min / 4), multFrac(z.managed, WATERMARK_SCALE_FACTOR, 10000));
    w.min = min;
    w.low = min + step;
    w.high = w.low + step;
    w.promo = w.high + step;
  }
}

/**
 * mirrors setup_per_zone_lowmem_reserve(): zone i keeps back, from allocations that could have
 * used a higher zone j of its node, the managed pages of zones i+1..j over its ratio (none when
 * its ratio is 0 or it manages nothing).
 */
export function setupPerZoneLowmemReserve(st: WatermarkState, zones: readonly WmarkZone[]): void {
  const byNode = new Map<number, WmarkZone[]>();
  for (const z of zones) byNode.set(z.nid, [...(byNode.get(z.nid) ?? []), z]);
  for (const nodeZones of byNode.values()) {
    const managed = (zid: number): number => nodeZones.find((z) => z.zid === zid)?.managed ?? 0;
    for (const z of nodeZones) {
      if (z.zid >= MAX_NR_ZONES - 1) continue;
      const ratio = LOWMEM_RESERVE_RATIO[z.zid] ?? 0;
      const clear = !ratio || !z.managed;
      const w = marksOf(st, z);
      let upper = 0;
      for (let j = z.zid + 1; j < MAX_NR_ZONES; j++) {
        upper += managed(j);
        w.lowmemReserve[j] = clear ? 0 : Math.floor(upper / ratio);
      }
    }
  }
}

/**
 * mirrors set_recommended_min_free_kbytes(): with THP on, min_free_kbytes rises to 2 free
 * pageblocks plus 9 of mixed types per populated zone up to Normal (at most 5% of
 * nr_free_buffer_pages()); with THP off it is recalculated. Then the watermarks follow.
 */
export function setRecommendedMinFreeKbytes(st: WatermarkState, zones: readonly WmarkZone[], thp: boolean): void {
  if (!thp) {
    calculateMinFreeKbytes(st, zones);
  } else {
    const nrZones = zones.filter((z) => z.present > 0 && z.zid <= ZoneType.NORMAL).length;
    let recommended = PAGEBLOCK_NR_PAGES * nrZones * 2 + PAGEBLOCK_NR_PAGES * nrZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
    recommended = Math.min(recommended, Math.floor(nrFreeBufferPages(st, zones) / 20)) * 4;
    if (recommended > st.minFreeKbytes) st.minFreeKbytes = recommended;
  }
  setupPerZoneWmarks(st, zones);
}

/**
 * mirrors init_per_zone_wmark_min() (postcore initcall, and after every online and offline):
 * min_free_kbytes from the free buffer pages, the watermarks, the lowmem reserves, and
 * khugepaged's raise when it runs.
 */
export function initPerZoneWmarkMin(st: WatermarkState, zones: readonly WmarkZone[]): void {
  calculateMinFreeKbytes(st, zones);
  setupPerZoneWmarks(st, zones);
  setupPerZoneLowmemReserve(st, zones);
  if (st.khugepaged) setRecommendedMinFreeKbytes(st, zones, true);
}

/**
 * hugepage_init()'s effect on the marks (subsys initcall): below 512 MiB of RAM THP stays off and
 * nothing changes; otherwise start_stop_khugepaged() starts khugepaged if THP is on
 * (transparent_hugepage= not "never") and recomputes min_free_kbytes either way.
 */
export function hugepageInit(st: WatermarkState, zones: readonly WmarkZone[], thp: boolean): void {
  if (zones.reduce((n, z) => n + z.managed, 0) < THP_MIN_RAM_PAGES) return;
  st.khugepaged = thp;
  setRecommendedMinFreeKbytes(st, zones, thp);
}

/**
 * Every zone of every online node (for_each_zone()) with its managed pages: the struct pages'
 * count, plus the machine's managedAdjust, or the counts given ("nid:zone name" → pages, a replay's
 * prediction at some moment of boot).
 */
export function wmarkZonesOf(m: Machine, managed?: ReadonlyMap<string, number>): WmarkZone[] {
  const out: WmarkZone[] = [];
  for (const nid of m.onlineNodes) {
    m.zones?.nodes.get(nid)?.zones.forEach((z, zid) => {
      const pages = managed ? managed.get(`${nid}:${z.name}`) ?? 0 : z.managedPages + (m.managedAdjust?.get(wmarkKey(nid, zid)) ?? 0);
      out.push({ nid, zid, managed: pages, present: z.presentPages });
    });
  }
  return out;
}

/** init_per_zone_wmark_min() on a machine after memory went online or offline. */
export function machineInitPerZoneWmarkMin(m: Machine): void {
  m.watermarks ??= watermarkStateNew();
  initPerZoneWmarkMin(m.watermarks, wmarkZonesOf(m));
}

/**
 * The watermark initcalls of boot: init_per_zone_wmark_min() (postcore) over the managed pages
 * of then, hugepage_init() (subsys) over those after the arch initcalls (EFI boot services memory
 * freed). The model passes the same counts twice; a replay, the log's.
 */
export function bootWatermarks(m: Machine, postcore: readonly WmarkZone[], subsys: readonly WmarkZone[]): WatermarkState {
  const st = watermarkStateNew();
  initPerZoneWmarkMin(st, postcore);
  hugepageInit(st, subsys, m.params.transparentHugepage !== 'never');
  return st;
}
