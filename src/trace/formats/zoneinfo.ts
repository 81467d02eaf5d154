// /proc/zoneinfo (zoneinfo_show_print() in mm/vmstat.c): the lines meminit predicts and reads back.
import { lineFormat } from '../format.js';

export const zoneinfoHeader = lineFormat<{ nid: number; zone: string }>(
  'zoneinfo.header', 'zoneinfo_show_print',
  /^Node (\d+), zone +(\S+)$/,
  (m) => ({ nid: +m[1]!, zone: m[2]! }),
  (v) => `Node ${v.nid}, zone ${v.zone.padStart(8)}`,
);

export type ZoneinfoField = 'pages free' | 'boost' | 'min' | 'low' | 'high' | 'spanned' | 'present' | 'managed' | 'cma';

/** "  pages free     3584" and the eight-space-indented counters below it. */
export const zoneinfoCounter = lineFormat<{ field: ZoneinfoField; value: number }>(
  'zoneinfo.counter', 'zoneinfo_show_print',
  /^(?: {2}(pages free) {5}| {8}(boost|min|low|high|spanned|present|managed|cma) +)(\d+)$/,
  (m) => ({ field: (m[1] ?? m[2]) as ZoneinfoField, value: +m[3]! }),
  (v) => (v.field === 'pages free' ? `  pages free     ${v.value}` : `        ${v.field.padEnd(8)} ${v.value}`),
);

/** "        protection: (0, 1855, 3788, 3788, 3788)": lowmem_reserve[] over every zone type. */
export const zoneinfoProtection = lineFormat<number[]>(
  'zoneinfo.protection', 'zoneinfo_show_print',
  /^ {8}protection: \((\d+(?:, \d+)*)\)$/,
  (m) => m[1]!.split(', ').map(Number),
  (v) => `        protection: (${v.join(', ')})`,
);

export const zoneinfoStartPfn = lineFormat<number>(
  'zoneinfo.start-pfn', 'zoneinfo_show_print',
  /^ {2}start_pfn: +(\d+)$/,
  (m) => +m[1]!,
  (v) => `  start_pfn:           ${v}`,
);

export interface ZoneinfoZone {
  nid: number;
  zone: string;
  counters: Partial<Record<ZoneinfoField, number>>;
  protection?: number[];
  startPfn?: number;
}

/** Read the zones of a /proc/zoneinfo text (unknown lines are skipped). */
export function parseZoneinfo(lines: string[]): ZoneinfoZone[] {
  const out: ZoneinfoZone[] = [];
  let cur: ZoneinfoZone | undefined;
  for (const l of lines) {
    const h = zoneinfoHeader.parse(l);
    if (h) {
      cur = { ...h, counters: {} };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const c = zoneinfoCounter.parse(l);
    if (c) cur.counters[c.field] = c.value;
    const pr = zoneinfoProtection.parse(l);
    if (pr) cur.protection = pr;
    const s = zoneinfoStartPfn.parse(l);
    if (s !== undefined) cur.startPfn = s;
  }
  return out;
}

/** The predicted subset of /proc/zoneinfo: header, the watermarks when known, spanned, present (managed when known), protection, start_pfn. */
export function emitZoneinfo(zones: ZoneinfoZone[]): string[] {
  const out: string[] = [];
  for (const z of zones) {
    out.push(zoneinfoHeader.emit(z));
    for (const f of ['min', 'low', 'high', 'spanned', 'present', 'managed'] as const) {
      const v = z.counters[f];
      if (v !== undefined) out.push(zoneinfoCounter.emit({ field: f, value: v }));
    }
    if (z.protection) out.push(zoneinfoProtection.emit(z.protection));
    if (z.startPfn !== undefined) out.push(zoneinfoStartPfn.emit(z.startPfn));
  }
  return out;
}
