// The ZONE_DEVICE part of the invariant checker: for every live pgmap, its device pages were
// initialised exactly once (since the range was added), are PG_reserved, link to the Device zone
// of the pgmap's node, carry page->pgmap (compound tails: compound_head) with zone_device_data
// NULL, hold the refcount 6.1 gives them, are never free, and their pageblocks are movable; the
// altmap's memmap pages are initialised once, its reserve never, and its counts add up; Device
// zones span their pgmaps and own no present or managed pages.
import type { DevPagemap } from '../include/memremap.js';
import { MemoryType } from '../include/memremap.js';
import { MIGRATE_TYPES, MigrateType, PAGEBLOCK_NR_PAGES, PAGES_PER_SECTION, pfnToSectionNr, ZONE_NAMES, ZoneType } from '../include/mmzone.js';
import { pfnDown, roundUp } from '../include/pfn.js';
import { PAGES_PER_SUBSECTION } from '../include/sparsemem.js';
import type { Machine } from '../kernel/machine.js';
import type { FreeBlock } from './free-area-check.js';
import { vmemAltmapOffset } from './memmap-init-zone-device.js';
import type { PgmapRegistry } from './memremap.js';
import {
  PAGE_WORDS, PageWord, pageBuddy, pagePgmapHi, pagePgmapLo, pagePoisoned, pageReserved, pageToNid, pageWord,
  pageZonenum, pageZoneDeviceDataNull, vmemmapHi, vmemmapLo,
} from './page.js';
import { getPageblockMigratetype } from './pageblock.js';
import { pfnSectionValid, type Memmap } from './sparse.js';
import { VMEMMAP_PMD_PFNS } from './sparse-vmemmap.js';

export type ZoneDeviceViolationKind =
  | 'device-init-count' | 'device-reserved' | 'device-zone' | 'device-node' | 'device-pgmap' | 'device-free'
  | 'device-refcount' | 'device-migratetype' | 'device-span' | 'device-accounting' | 'device-section' | 'altmap';

export interface ZoneDeviceReport {
  (what: ZoneDeviceViolationKind, detail: string, pfn?: number, nid?: number, zone?: string): void;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** [start, end) pfn ranges the generic init check must leave to this one: live pgmaps and unmapped early holes. */
export function zoneDeviceSkipRanges(reg: PgmapRegistry | undefined): [number, number][] {
  if (!reg) return [];
  const out: [number, number][] = reg.pgmaps.map((p) => [pfnDown(p.start), pfnDown(p.end)]);
  out.push(...reg.poisonedEarly);
  return out.sort((a, b) => a[0] - b[0]);
}

/** What a pfn of a pgmap's range is: the altmap's reserve, a page holding the memmap, a device page. */
const PfnKind = { RESERVE: 0, ALTMAP: 1, DEVICE: 2 } as const;

function checkPages(memmap: Memmap, p: DevPagemap, gbm: boolean, report: ZoneDeviceReport): number {
  const start = pfnDown(p.start);
  const end = pfnDown(p.end);
  const first = start + vmemAltmapOffset(p.altmap);
  const reserveEnd = p.altmap ? p.altmap.basePfn + p.altmap.reserve : start;
  const perCompound = 2 ** p.vmemmapShift;
  const headRef = p.type === MemoryType.PRIVATE || p.type === MemoryType.COHERENT ? 0 : 1;
  let pfns = 0;
  for (let pfn = start; pfn < end; ) {
    const next = Math.min(end, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
    const ms = memmap.sections[pfnToSectionNr(pfn)];
    if (!ms?.memmap) {
      report('device-section', `pfn ${hex(pfn)}: section ${pfnToSectionNr(pfn)} of pgmap ${p.id} has no memmap`, pfn, p.nid);
      pfn = next;
      continue;
    }
    for (let s = pfn - (pfn % PAGES_PER_SUBSECTION); s < next; s += PAGES_PER_SUBSECTION) {
      if (!pfnSectionValid(ms, s)) report('device-section', `pfn ${hex(Math.max(s, pfn))}: subsection of pgmap ${p.id} not populated`, Math.max(s, pfn), p.nid);
    }
    const mem = ms.memmap;
    const count = ms.initCount;
    for (let q = pfn, w = pageWord(pfn); q < next; q++, w += PAGE_WORDS) {
      pfns++;
      const kind = q < reserveEnd ? PfnKind.RESERVE : q < first ? PfnKind.ALTMAP : PfnKind.DEVICE;
      const n = count ? count[q % PAGES_PER_SECTION]! : 1;
      if (kind === PfnKind.RESERVE) {
        if (count && n !== 0) report('altmap', `pfn ${hex(q)}: altmap reserve of pgmap ${p.id} initialised ${n} times (6.1 never does)`, q, p.nid);
        continue;
      }
      const what = kind === PfnKind.ALTMAP ? 'altmap memmap page' : 'device page';
      if (n !== 1 || pagePoisoned(mem, w)) {
        report('device-init-count', `pfn ${hex(q)}: ${what} of pgmap ${p.id} initialised ${pagePoisoned(mem, w) ? 'never (poisoned)' : `${n} times`}`, q, p.nid);
        continue;
      }
      if (!pageReserved(mem, w)) report('device-reserved', `pfn ${hex(q)}: ${what} of pgmap ${p.id} is not PG_reserved`, q, p.nid);
      if (pageZonenum(mem, w) !== ZoneType.DEVICE) {
        report('device-zone', `pfn ${hex(q)}: ${what} links to zone ${ZONE_NAMES[pageZonenum(mem, w)] ?? pageZonenum(mem, w)}, not Device`, q, p.nid);
      }
      if (pageToNid(mem, w) !== p.nid) report('device-node', `pfn ${hex(q)}: ${what} links to node ${pageToNid(mem, w)}, pgmap ${p.id} is on node ${p.nid}`, q, p.nid);
      if (pageBuddy(mem, w)) report('device-free', `pfn ${hex(q)}: ${what} of pgmap ${p.id} is PageBuddy`, q, p.nid);
      if (kind !== PfnKind.DEVICE) continue;
      const tail = (q - first) % perCompound !== 0;
      const headPfn = q - ((q - first) % perCompound);
      const wantHi = tail ? vmemmapHi(headPfn) : p.addrHi;
      const wantLo = tail ? vmemmapLo(headPfn) + 1 : p.addrLo;
      if (pagePgmapHi(mem, w) !== wantHi || pagePgmapLo(mem, w) !== wantLo || (!tail && !pageZoneDeviceDataNull(mem, w))) {
        report('device-pgmap', `pfn ${hex(q)}: ${tail ? 'compound_head' : 'page->pgmap'} is `
          + `0x${pagePgmapHi(mem, w).toString(16)}${pagePgmapLo(mem, w).toString(16).padStart(8, '0')}, want `
          + `0x${wantHi.toString(16)}${wantLo.toString(16).padStart(8, '0')}${tail ? '' : ' and zone_device_data NULL'}`, q, p.nid);
      }
      const ref = mem[w + PageWord.REFCOUNT]! | 0;
      const wantRef = tail ? 0 : headRef;
      if (ref !== wantRef) report('device-refcount', `pfn ${hex(q)}: refcount ${ref}, 6.1 leaves ${wantRef}`, q, p.nid);
    }
    pfn = next;
  }
  const want = gbm ? MigrateType.UNMOVABLE : MigrateType.MOVABLE;
  for (let pb = roundUp(reserveEnd, PAGEBLOCK_NR_PAGES); pb < end; pb += PAGEBLOCK_NR_PAGES) {
    const mt = getPageblockMigratetype(memmap, pb);
    if (mt !== want) {
      report('device-migratetype', `pageblock ${hex(pb)} of pgmap ${p.id}: migratetype ${mt < MIGRATE_TYPES ? mt : `${mt} (invalid)`}, want ${want}`, pb, p.nid, 'Device');
    }
  }
  return pfns;
}

function checkAltmap(memmap: Memmap, p: DevPagemap, report: ZoneDeviceReport): void {
  const a = p.altmap;
  if (!a) return;
  const start = pfnDown(p.start);
  if (a.alloc + a.align > a.free) report('altmap', `pgmap ${p.id}: altmap alloc ${a.alloc} + align ${a.align} exceeds free ${a.free}`, start, p.nid);
  let blocks = 0;
  for (const [nr, pfn] of p.vmemmapPfn) {
    if (pfn < 0) continue;
    blocks++;
    const lo = a.basePfn + a.reserve;
    if (pfn < lo || pfn + VMEMMAP_PMD_PFNS > lo + a.free) {
      report('altmap', `pgmap ${p.id}: memmap of section ${nr} at pfn ${hex(pfn)} lies outside the altmap's free pfns`, pfn, p.nid);
    }
    if (!memmap.sections[nr]?.memmap) report('altmap', `pgmap ${p.id}: section ${nr} has an altmap block but no memmap`, pfn, p.nid);
  }
  if (blocks * VMEMMAP_PMD_PFNS !== a.alloc) {
    report('altmap', `pgmap ${p.id}: ${blocks} sections hold their memmap on the device, but the altmap counts ${a.alloc} pfns (want ${blocks * VMEMMAP_PMD_PFNS})`, start, p.nid);
  }
}

/** The ZONE_DEVICE checks of a machine; returns how many pfns were checked. */
export function checkZoneDevice(m: Machine, memmap: Memmap, blocks: readonly FreeBlock[], gbm: boolean, report: ZoneDeviceReport): number {
  for (const pg of m.zones?.nodes.values() ?? []) {
    const z = pg.zones[ZoneType.DEVICE];
    if (z && (z.presentPages !== 0 || z.managedPages !== 0)) {
      report('device-accounting', `node ${pg.nodeId} Device zone: present ${z.presentPages}, managed ${z.managedPages}; device pages are never counted`, undefined, pg.nodeId, 'Device');
    }
  }
  const reg = m.pgmaps;
  if (!reg) return 0;
  let pfns = 0;
  for (const p of reg.pgmaps) {
    const start = pfnDown(p.start);
    const end = pfnDown(p.end);
    const pg = m.zones?.nodes.get(p.nid);
    const z = pg?.zones[ZoneType.DEVICE];
    if (!pg || !z || start < z.zoneStartPfn || end > z.zoneStartPfn + z.spannedPages || start < pg.nodeStartPfn || end > pg.nodeEndPfn) {
      report('device-span', `pgmap ${p.id} [${hex(start)}, ${hex(end)}): not inside node ${p.nid}'s Device zone and node spans`, start, p.nid, 'Device');
    }
    pfns += checkPages(memmap, p, gbm, report);
    checkAltmap(memmap, p, report);
    for (const b of blocks) {
      const bend = b.pfn + 2 ** b.order;
      if (b.pfn < end && bend > start) report('device-free', `free block ${hex(b.pfn)}/${b.order} covers device pfn ${hex(Math.max(b.pfn, start))} of pgmap ${p.id}`, Math.max(b.pfn, start), p.nid);
    }
  }
  return pfns;
}
