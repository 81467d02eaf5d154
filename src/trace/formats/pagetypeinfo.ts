// /proc/pagetypeinfo (pagetypeinfo_show() in mm/vmstat.c, 6.1). For every node with memory:
//
//   Page block order: 9
//   Pages per block:  512
//   <blank>
//   Free pages count per migrate type at order       0      1 ...     10 
//   Node    0, zone      DMA, type    Unmovable      0      0 ...      0 
//   ...                                               (each populated zone × each migratetype)
//   <blank>
//   Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate 
//   Node 0, zone      DMA            1            7            0            0            0 
//
// Free counts walk each list and stop at 100000, printed ">100000"; rows and headers end with
// a space. The "Number of mixed blocks" table needs PAGE_OWNER at runtime and is not emitted.
import { lineFormat } from '../format.js';
import { columns } from './buddyinfo.js';

/** list_for_each() in pagetypeinfo_showfree_print() gives up at this count and prints ">". */
export const FREECOUNT_CAP = 100000;

export interface PagetypeinfoFree {
  zone: string;
  type: string;
  /** Blocks on the list per order, capped at FREECOUNT_CAP (which prints as ">100000"). */
  counts: number[];
}

export interface PagetypeinfoBlocks {
  zone: string;
  /** Pageblocks of each migratetype, in the header's order. */
  counts: number[];
}

export interface PagetypeinfoNode {
  nid: number;
  pageblockOrder: number;
  pagesPerBlock: number;
  /** Columns of the free table (MAX_ORDER). */
  orders: number;
  free: PagetypeinfoFree[];
  /** migratetype_names[] as the block table's header lists them. */
  types: string[];
  blocks: PagetypeinfoBlocks[];
}

const words = (s: string): string[] => s.trim().split(/ +/);

export const pageBlockOrder = lineFormat<number>(
  'pagetypeinfo.block-order', 'pagetypeinfo_show', /^Page block order: (\d+)$/, (m) => +m[1]!, (v) => `Page block order: ${v}`,
);

export const pagesPerBlock = lineFormat<number>(
  'pagetypeinfo.pages-per-block', 'pagetypeinfo_show', /^Pages per block: {2}(\d+)$/, (m) => +m[1]!, (v) => `Pages per block:  ${v}`,
);

const FREE_TITLE = 'Free pages count per migrate type at order';
/** "%-43s " then "%6d " for each order; the value is the number of orders. */
export const freeHeader = lineFormat<number>(
  'pagetypeinfo.free-header', 'pagetypeinfo_showfree',
  new RegExp(`^${FREE_TITLE} ((?: *\\d+ )+)$`),
  (m) => {
    const cols = words(m[1]!).map(Number);
    return cols.every((o, i) => o === i) ? cols.length : undefined;
  },
  (v) => `${FREE_TITLE.padEnd(43)} ${columns([...Array(v).keys()], 6)}`,
);

/** "Node %4d, zone %8s, type %12s " then "%s%6lu " per order (">" when the walk was cut off). */
export const freeRow = lineFormat<PagetypeinfoFree & { nid: number }>(
  'pagetypeinfo.free', 'pagetypeinfo_showfree_print',
  /^Node +(\d+), zone +(\S+), type +(\S+) ((?: *>?\d+ )+)$/,
  (m) => ({ nid: +m[1]!, zone: m[2]!, type: m[3]!, counts: words(m[4]!).map((t) => +t.replace('>', '')) }),
  (v) => `Node ${String(v.nid).padStart(4)}, zone ${v.zone.padStart(8)}, type ${v.type.padStart(12)} `
    + columns(v.counts, 6, (n) => (n >= FREECOUNT_CAP ? '>' : '')),
);

const BLOCKS_TITLE = 'Number of blocks type ';
/** "%-23s" then "%12s " per migratetype name. */
export const blocksHeader = lineFormat<string[]>(
  'pagetypeinfo.blocks-header', 'pagetypeinfo_showblockcount',
  new RegExp(`^${BLOCKS_TITLE}((?: *\\S+ )+)$`),
  (m) => words(m[1]!),
  (v) => `${BLOCKS_TITLE.padEnd(23)}${v.map((t) => `${t.padStart(12)} `).join('')}`,
);

/** "Node %d, zone %8s " then "%12lu " per migratetype. */
export const blocksRow = lineFormat<PagetypeinfoBlocks & { nid: number }>(
  'pagetypeinfo.blocks', 'pagetypeinfo_showblockcount_print',
  /^Node (\d+), zone +(\S+) ((?: *\d+ )+)$/,
  (m) => ({ nid: +m[1]!, zone: m[2]!, counts: words(m[3]!).map(Number) }),
  (v) => `Node ${v.nid}, zone ${v.zone.padStart(8)} ${columns(v.counts, 12)}`,
);

/** The text of /proc/pagetypeinfo, one string per line. */
export function emitPagetypeinfo(nodes: readonly PagetypeinfoNode[]): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    out.push(pageBlockOrder.emit(n.pageblockOrder), pagesPerBlock.emit(n.pagesPerBlock), '', freeHeader.emit(n.orders));
    for (const f of n.free) out.push(freeRow.emit({ nid: n.nid, ...f }));
    out.push('', blocksHeader.emit(n.types));
    for (const b of n.blocks) out.push(blocksRow.emit({ nid: n.nid, ...b }));
  }
  return out;
}

/** Read /proc/pagetypeinfo back; throws on a line out of place, naming it. */
export function parsePagetypeinfo(lines: readonly string[]): PagetypeinfoNode[] {
  const out: PagetypeinfoNode[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`/proc/pagetypeinfo line ${i + 1}: expected ${what}, got ${JSON.stringify(lines[i])}`);
  };
  const expect = <T>(f: { parse(l: string): T | undefined }, what: string): T => {
    const v = f.parse(lines[i] ?? '') ?? fail(what);
    i++;
    return v;
  };
  const blank = (what: string): void => {
    if (lines[i] !== '') fail(what);
    i++;
  };
  while (i < lines.length) {
    const pageblockOrder = expect(pageBlockOrder, 'Page block order');
    const perBlock = expect(pagesPerBlock, 'Pages per block');
    blank('a blank line');
    const orders = expect(freeHeader, 'the free pages header');
    const cur: PagetypeinfoNode = { nid: -1, pageblockOrder, pagesPerBlock: perBlock, orders, free: [], types: [], blocks: [] };
    out.push(cur);
    for (let r = freeRow.parse(lines[i] ?? ''); r; r = freeRow.parse(lines[++i] ?? '')) {
      cur.nid = r.nid;
      cur.free.push({ zone: r.zone, type: r.type, counts: r.counts });
    }
    blank('a free pages row or a blank line');
    cur.types = expect(blocksHeader, 'the blocks header');
    for (let r = blocksRow.parse(lines[i] ?? ''); r; r = blocksRow.parse(lines[++i] ?? '')) {
      cur.nid = r.nid;
      cur.blocks.push({ zone: r.zone, counts: r.counts });
    }
  }
  return out;
}
