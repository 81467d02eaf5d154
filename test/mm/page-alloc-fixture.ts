// Scaffolding for the buddy allocator tests: small machines with a Buddy and nothing freed yet,
// a way to hand chosen blocks to it, and readers of its free lists.
import { MAX_NR_ZONES, MAX_ORDER, MIGRATE_TYPES } from '../../src/include/mmzone.js';
import { freeListPfns, type BuddyZone } from '../../src/mm/free-area.js';
import { buddyCreate, pageBuddyZone, type Buddy, type BuddyOptions } from '../../src/mm/page-alloc.js';
import { PAGE_WORDS, pageWord, setPageCount } from '../../src/mm/page.js';
import { Fpi, freePagesOk } from '../../src/mm/page-free-core.js';
import { setPageblockMigratetype } from '../../src/mm/pageblock.js';
import { sectionMemmap } from '../../src/mm/sparse.js';
import { smallMachine, type SmallMachine } from './meminit-fixture.js';

export const M = 1024 ** 2;

export interface BuddyMachine extends SmallMachine {
  b: Buddy;
}

/** A machine with every struct page initialised, zones' managed_pages at 0 (as memblock_free_all starts) and an empty Buddy. */
export function buddyMachine(memory: [number, number, number][], reserved: [number, number][] = [], opts?: BuddyOptions): BuddyMachine {
  const m = smallMachine(memory, reserved);
  for (const pg of m.zones.nodes.values()) for (const z of pg.zones) z.managedPages = 0;
  return { ...m, b: buddyCreate(m.memmap, m.zones, opts) };
}

/** Node 0 with 8 MiB: ZONE_DMA over pfns [0, 0x800), four pageblocks, all Movable. */
export const dmaMachine = (opts?: BuddyOptions): BuddyMachine => buddyMachine([[0, 0, 8 * M]], [], opts);

/**
 * Hand [pfn, pfn + 2^order) to the allocator as __free_pages_core() would (refcount 0, managed
 * pages up), but with the caller's fpi flags; `mt` first sets the pageblock's migratetype.
 */
export function giveBack(b: Buddy, pfn: number, order: number, opts: { fpi?: number; mt?: number } = {}): void {
  const mm = sectionMemmap(b.memmap, pfn);
  for (let i = 0; i < 1 << order; i++) setPageCount(mm, pageWord(pfn) + i * PAGE_WORDS, 0);
  if (opts.mt !== undefined) setPageblockMigratetype(b.memmap, pfn, opts.mt);
  pageBuddyZone(b, mm, pageWord(pfn)).zone.managedPages += 1 << order;
  freePagesOk(b, b, pfn, order, opts.fpi ?? Fpi.NONE);
}

/** Every free block of a zone as [pfn, order, migratetype] sorted by pfn. */
export function freeBlocks(b: Buddy, bz: BuddyZone): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let order = 0; order < MAX_ORDER; order++) {
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) for (const pfn of freeListPfns(b, bz, order, mt)) out.push([pfn, order, mt]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/** The zone (nid, zid). */
export const zoneOf = (b: Buddy, nid: number, zid: number): BuddyZone => b.zones[nid * MAX_NR_ZONES + zid]!;
