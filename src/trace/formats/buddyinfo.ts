// /proc/buddyinfo (frag_show_print() in mm/vmstat.c, 6.1): one line per populated zone of every
// online node, nr_free of each order as "%6lu " after "Node %d, zone %8s ":
// "Node 0, zone      DMA      0      0      0      0      0      1      1      1      0      1      3 "
// (every number is followed by a space, so the line ends with one).
import { lineFormat, parseEvery } from '../format.js';

export interface BuddyinfoZone {
  nid: number;
  zone: string;
  /** free_area[order].nr_free, order 0 first. */
  nrFree: number[];
}

/** "%6lu " of each value: right-aligned in six columns, one space after. */
export const columns = (values: readonly number[], width: number, mark: (v: number) => string = () => ''): string =>
  values.map((v) => `${mark(v)}${String(v).padStart(width)} `).join('');

export const buddyinfoZone = lineFormat<BuddyinfoZone>(
  'buddyinfo.zone', 'frag_show_print',
  /^Node (\d+), zone +(\S+) ((?: *\d+ )+)$/,
  (m) => ({ nid: +m[1]!, zone: m[2]!, nrFree: m[3]!.trim().split(/ +/).map(Number) }),
  (v) => `Node ${v.nid}, zone ${v.zone.padStart(8)} ${columns(v.nrFree, 6)}`,
);

export const emitBuddyinfo = (zones: readonly BuddyinfoZone[]): string[] => zones.map((z) => buddyinfoZone.emit(z));

/** The zones of a /proc/buddyinfo text; throws on a line that is not one. */
export function parseBuddyinfo(lines: readonly string[]): BuddyinfoZone[] {
  return parseEvery(buddyinfoZone, lines, '/proc/buddyinfo');
}
