// The capture sections of a corpus boot (what its initramfs printed): checked against the model.
import { nodeDistance } from '../arch/x86/numa-distance.js';
import type { BootLog } from './dmesg.js';
import { parseZoneinfo } from './formats/zoneinfo.js';
import type { ReplayContext } from './replay-context.js';
import type { ZoneCounts } from './replay-managed.js';

/** /proc/zoneinfo: spanned, present, start_pfn (and managed, when predicted) of every zone of every online node must match. */
export function checkZoneinfoCapture(ctx: ReplayContext, log: BootLog, managed: ZoneCounts | undefined, name = '/proc/zoneinfo'): void {
  const cap = log.captures.get(name);
  const zones = ctx.m.zones;
  if (!cap || !zones) return;
  for (const z of parseZoneinfo(cap.lines)) {
    const mine = zones.nodes.get(z.nid)?.zones.find((x) => x.name === z.zone);
    const pairs: [string, number | undefined, number | undefined][] = [
      ['spanned', z.counters.spanned, mine?.spannedPages],
      ['present', z.counters.present, mine?.presentPages],
      ['start_pfn', z.startPfn, mine && mine.presentPages ? mine.zoneStartPfn : undefined],
    ];
    if (managed) pairs.push(['managed', z.counters.managed, managed.get(`${z.nid}:${z.zone}`) ?? 0]);
    for (const [field, got, want] of pairs) {
      if (got === undefined && want === undefined) continue;
      if (got === want) ctx.check.matched++;
      else ctx.check.add({ line: cap.no, format: 'zoneinfo', what: 'differs', kernel: `${name === '/proc/zoneinfo' ? '' : `${name}: `}Node ${z.nid}, zone ${z.zone}: ${field} ${got}`, predicted: `${field} ${want}` });
    }
  }
}

/** /sys/devices/system/node: each online node's distance row must be node_distance() of the model's table. */
export function checkNodeDistanceCapture(ctx: ReplayContext, log: BootLog): void {
  const cap = log.captures.get('/sys/devices/system/node');
  const numa = ctx.m.numa;
  if (!cap || !numa) return;
  const rows = cap.lines.map((l) => /^node(\d+) .*distance=([\d,]+)$/.exec(l)).filter((m) => m !== null);
  const nids = rows.map((m) => +m[1]!);
  for (const m of rows) {
    const from = +m[1]!;
    const want = nids.map((to) => nodeDistance(numa.distance, from, to)).join(',');
    if (want === m[2]) ctx.check.matched++;
    else ctx.check.add({ line: cap.no, format: 'node.distance', what: 'differs', kernel: `node${from} distance=${m[2]}`, predicted: `distance=${want}` });
  }
}
