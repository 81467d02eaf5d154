// Lines printed while sizing nodes and zones (free_area_init(), memmap_init(),
// build_all_zonelists() in mm/page_alloc.c of 6.1). Ranges carry an exclusive end.
import { lineFormat } from '../format.js';
import { hexAlt, parseHex } from '../printk.js';

const H = '(0x[0-9a-f]+)';
const m18 = (start: number, end: number): string => `[mem ${hexAlt(start, 18)}-${hexAlt(end - 1, 18)}]`;

export const zoneRangesHeader = lineFormat<true>('zone.ranges', 'free_area_init', /^Zone ranges:$/, () => true, () => 'Zone ranges:');

export interface ZoneRangeLine { zone: string; start: number; end: number } // start === end: "empty"
/** free_area_init(): "  DMA      [mem 0x0000000000001000-0x0000000000ffffff]" or "  Device   empty". */
export const zoneRange = lineFormat<ZoneRangeLine>(
  'zone.range', 'free_area_init',
  new RegExp(`^  (\\S+) +(?:empty|\\[mem ${H}-${H}\\])$`),
  (m) => (m[2] ? { zone: m[1]!, start: parseHex(m[2]), end: parseHex(m[3]!) + 1 } : { zone: m[1]!, start: 0, end: 0 }),
  (v) => `  ${v.zone.padEnd(8)} ${v.start === v.end ? 'empty' : m18(v.start, v.end)}`,
);

export const movableStartHeader = lineFormat<true>(
  'zone.movable-header', 'free_area_init', /^Movable zone start for each node$/, () => true, () => 'Movable zone start for each node',
);

/** free_area_init(): "  Node 0: 0x0000000100000000". */
export const movableStart = lineFormat<{ nid: number; start: number }>(
  'zone.movable-start', 'free_area_init',
  new RegExp(`^  Node (\\d+): ${H}$`),
  (m) => ({ nid: +m[1]!, start: parseHex(m[2]!) }),
  (v) => `  Node ${v.nid}: ${hexAlt(v.start, 18)}`,
);

export const earlyRangesHeader = lineFormat<true>(
  'zone.early-header', 'free_area_init', /^Early memory node ranges$/, () => true, () => 'Early memory node ranges',
);

export interface EarlyRangeLine { nid: number; start: number; end: number }
/** free_area_init(): "  node   0: [mem 0x0000000000001000-0x000000000009efff]". */
export const earlyRange = lineFormat<EarlyRangeLine>(
  'zone.early-range', 'free_area_init',
  new RegExp(`^  node +(\\d+): \\[mem ${H}-${H}\\]$`),
  (m) => ({ nid: +m[1]!, start: parseHex(m[2]!), end: parseHex(m[3]!) + 1 }),
  (v) => `  node ${String(v.nid).padStart(3)}: ${m18(v.start, v.end)}`,
);

/** free_area_init(): a possible node that is not online gets a pgdat of its own. */
export const initializingMemoryless = lineFormat<{ nid: number }>(
  'zone.init-memoryless', 'free_area_init',
  /^Initializing node (\d+) as memoryless$/,
  (m) => ({ nid: +m[1]! }),
  (v) => `Initializing node ${v.nid} as memoryless`,
);

export interface InitmemLine { nid: number; start: number; end: number } // start === end: memoryless
/** free_area_init_node(): "Initmem setup node 0 [mem …]" or "Initmem setup node 2 as memoryless". */
export const initmemSetup = lineFormat<InitmemLine>(
  'zone.initmem', 'free_area_init_node',
  new RegExp(`^Initmem setup node (\\d+) (?:as memoryless|\\[mem ${H}-${H}\\])$`),
  (m) => (m[2] ? { nid: +m[1]!, start: parseHex(m[2]), end: parseHex(m[3]!) + 1 } : { nid: +m[1]!, start: 0, end: 0 }),
  (v) => `Initmem setup node ${v.nid} ${v.start === v.end ? 'as memoryless' : m18(v.start, v.end)}`,
);

export interface UnavailableLine { nid: number; zone: string; pages: number }
/** init_unavailable_range(): "On node 0, zone DMA: 1 pages in unavailable ranges". */
export const unavailableRanges = lineFormat<UnavailableLine>(
  'zone.unavailable', 'init_unavailable_range',
  /^On node (\d+), zone (\S+): (\d+) pages in unavailable ranges$/,
  (m) => ({ nid: +m[1]!, zone: m[2]!, pages: +m[3]! }),
  (v) => `On node ${v.nid}, zone ${v.zone}: ${v.pages} pages in unavailable ranges`,
);

export interface ZonelistsLine { nodes: number; grouping: boolean; totalPages: number }
/** build_all_zonelists(): "Built 1 zonelists, mobility grouping on.  Total pages: 515878". */
export const builtZonelists = lineFormat<ZonelistsLine>(
  'zone.zonelists', 'build_all_zonelists',
  /^Built (\d+) zonelists, mobility grouping (on|off)\.  Total pages: (-?\d+)$/,
  (m) => ({ nodes: +m[1]!, grouping: m[2] === 'on', totalPages: +m[3]! }),
  (v) => `Built ${v.nodes} zonelists, mobility grouping ${v.grouping ? 'on' : 'off'}.  Total pages: ${v.totalPages}`,
);

/** build_all_zonelists(): "Policy zone: Normal". */
export const policyZone = lineFormat<{ zone: string }>(
  'zone.policy', 'build_all_zonelists',
  /^Policy zone: (\S+)$/,
  (m) => ({ zone: m[1]! }),
  (v) => `Policy zone: ${v.zone}`,
);

/**
 * build_zonelists(): "Fallback order for Node 1: 1 0". The kernel ends the line with a space
 * after the last node; the lexer trims it, and so does this format.
 */
export const fallbackOrder = lineFormat<{ nid: number; order: number[] }>(
  'zone.fallback-order', 'build_zonelists',
  /^Fallback order for Node (\d+): ((?:\d+ )*\d+)?$/,
  (m) => ({ nid: +m[1]!, order: m[2] ? m[2].split(' ').map(Number) : [] }),
  (v) => `Fallback order for Node ${v.nid}: ${v.order.join(' ')}`,
);
