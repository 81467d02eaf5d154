// The capture sections of a corpus boot (what its initramfs printed): checked against the model.
import type { BootLog } from './dmesg.js';
import { parseZoneinfo } from './formats/zoneinfo.js';
import type { ReplayContext } from './replay-context.js';

/** /proc/zoneinfo: spanned, present and start_pfn of every zone of every online node must match. */
export function checkZoneinfoCapture(ctx: ReplayContext, log: BootLog): void {
  const cap = log.captures.get('/proc/zoneinfo');
  const zones = ctx.m.zones;
  if (!cap || !zones) return;
  for (const z of parseZoneinfo(cap.lines)) {
    const mine = zones.nodes.get(z.nid)?.zones.find((x) => x.name === z.zone);
    const pairs: [string, number | undefined, number | undefined][] = [
      ['spanned', z.counters.spanned, mine?.spannedPages],
      ['present', z.counters.present, mine?.presentPages],
      ['start_pfn', z.startPfn, mine && mine.presentPages ? mine.zoneStartPfn : undefined],
    ];
    for (const [field, got, want] of pairs) {
      if (got === undefined && want === undefined) continue;
      if (got === want) ctx.check.matched++;
      else ctx.check.add({ line: cap.no, format: 'zoneinfo', what: 'differs', kernel: `Node ${z.nid}, zone ${z.zone}: ${field} ${got}`, predicted: `${field} ${want}` });
    }
  }
}
