// SPDX-License-Identifier: GPL-2.0-only
// The invariants memory hotplug adds to the checker: an offline block's struct pages are
// uninitialised (poisoned, as remove_pfn_range_from_zone() and sparse_add_section() leave them);
// an online block's pages link to the block's node and zone, which span them; hot-added online
// pages are PG_reserved only where they hold the block's own memmap (with 6.1's keep); every
// zone's present pages are what its online blocks and boot memory account.
import { PAGES_PER_SECTION, ZONE_NAMES } from '../include/mmzone.js';
import type { Machine } from '../kernel/machine.js';
import { PAGE_WORDS, pagePoisoned, pageReserved, pageToNid, pageWord, pageZonenum } from './page.js';
import { earlySection, pfnToSection } from './sparse.js';
import { zoneEndPfn } from './zone.js';
import type { Violation } from './check.js';

const hex = (pfn: number): string => `0x${pfn.toString(16)}`;

/** Check every memory block of a machine with memory hotplug; each violation goes to `report`. */
export function checkHotplug(m: Machine, report: (v: Violation) => void): void {
  const hp = m.hotplug!;
  const blocks = hp.blocks;
  for (const mem of blocks.all()) {
    const start = blocks.startPfn(mem);
    const end = start + blocks.blockPages;
    const early = earlySection(pfnToSection(m.memmap!, start));
    for (let pfn = start; pfn < end; ) {
      const next = Math.min(end, pfn - (pfn % PAGES_PER_SECTION) + PAGES_PER_SECTION);
      const ms = pfnToSection(m.memmap!, pfn);
      const mem32 = ms?.memmap;
      if (!mem32) {
        pfn = next;
        continue;
      }
      for (let p = pfn, w = pageWord(pfn); p < next; p++, w += PAGE_WORDS) {
        const poisoned = pagePoisoned(mem32, w);
        if (mem.state === 'offline') {
          if (!poisoned && m.memmap!.poison) report({ what: 'offline-init', pfn: p, detail: `pfn ${hex(p)}: memory${mem.id} is offline but its struct page is initialised` });
          continue;
        }
        if (early || poisoned) continue;
        const nid = pageToNid(mem32, w);
        const zid = pageZonenum(mem32, w);
        const z = m.zones!.nodes.get(nid)?.zones[zid];
        if (nid !== mem.nid || zid !== mem.zid || !z || p < z.zoneStartPfn || p >= zoneEndPfn(z)) {
          report({
            what: 'hotplug-zone', pfn: p, nid: mem.nid,
            detail: `pfn ${hex(p)}: memory${mem.id} is online in node ${mem.nid} zone ${ZONE_NAMES[mem.zid ?? 0]}, its page links to node ${nid} zone ${ZONE_NAMES[zid] ?? zid}${z ? ` spanning ${hex(z.zoneStartPfn)}-${hex(zoneEndPfn(z))}` : ''}`,
          });
        }
        const vmemmap = p - start < mem.nrVmemmapPages;
        if (pageReserved(mem32, w) !== (vmemmap && hp.reserved === 'keep')) {
          report({ what: 'reserved-flag', pfn: p, detail: `pfn ${hex(p)}: memory${mem.id}: PG_reserved is ${pageReserved(mem32, w) ? 'set' : 'clear'} on a hot-added ${vmemmap ? 'memmap' : 'online'} page` });
        }
      }
      pfn = next;
    }
  }
  // Present pages per zone: boot memory's (counted at boot, less what was offlined) + online hot-added blocks.
  for (const pg of m.zones!.nodes.values()) {
    let sum = 0;
    for (const z of pg.zones) {
      if (z.presentPages < 0 || z.presentPages > z.spannedPages) {
        report({ what: 'hotplug-present', nid: pg.nodeId, zone: z.name, detail: `node ${pg.nodeId} zone ${z.name}: ${z.presentPages} pages present in a span of ${z.spannedPages}` });
      }
      sum += z.presentPages;
    }
    if (sum !== pg.nodePresentPages) {
      report({ what: 'hotplug-present', nid: pg.nodeId, detail: `node ${pg.nodeId}: node_present_pages ${pg.nodePresentPages}, its zones have ${sum}` });
    }
  }
}
