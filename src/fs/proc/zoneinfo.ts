// SPDX-License-Identifier: GPL-2.0-only
// /proc/zoneinfo's predicted subset (zoneinfo_show_print() in mm/vmstat.c) from a machine's zones:
// every zone of every online node, spanned/present (and managed when known), start_pfn of populated
// ones; min/low/high and protection once the watermarks are set (a boot with struct pages).
import type { Machine } from '../../kernel/machine.js';
import { wmarkKey } from '../../mm/watermark.js';
import type { ZoneinfoZone } from '../../trace/formats/zoneinfo.js';

/** The zones as /proc/zoneinfo lists them; `managed` per "nid:zone name" when known. */
export function zoneinfoOf(m: Machine, managed?: ReadonlyMap<string, number>): ZoneinfoZone[] {
  const out: ZoneinfoZone[] = [];
  if (!m.zones) return out;
  for (const nid of m.onlineNodes) {
    const pg = m.zones.nodes.get(nid);
    if (!pg) continue;
    pg.zones.forEach((z, zid) => {
      const w = m.watermarks?.zones.get(wmarkKey(nid, zid));
      out.push({
        nid, zone: z.name,
        counters: {
          ...(w ? { min: w.min, low: w.low, high: w.high } : {}),
          spanned: z.spannedPages, present: z.presentPages, ...(managed ? { managed: managed.get(`${nid}:${z.name}`) ?? 0 } : {}),
        },
        ...(w ? { protection: [...w.lowmemReserve] } : {}),
        ...(z.presentPages ? { startPfn: z.zoneStartPfn } : {}),
      });
    });
  }
  return out;
}

