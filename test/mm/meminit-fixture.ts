// Test scaffolding for mem_init: small machines from memblock layouts, the early memmap init
// (memmap_init_range(MEMINIT_EARLY) and init_unavailable_range over the existing memmapInit walk,
// written here plainly until the shared memmap-init core lands), and a buddy stand-in that
// records what memblock_free_all hands over.
import { MigrateType, PAGEBLOCK_NR_PAGES } from '../../src/include/mmzone.js';
import { Printk } from '../../src/kernel/printk.js';
import { memblockAdd, memblockCreate, memblockReserve, memblockSetNode, type Memblock } from '../../src/mm/memblock.js';
import { memmapInit } from '../../src/mm/mm-init.js';
import { pageWord, setPageReserved } from '../../src/mm/page.js';
import type { BuddyFreeTarget } from '../../src/mm/page-free-core.js';
import { initSinglePageRange, memInitContext, type MemInitContext } from '../../src/mm/page-init.js';
import { setPageblockMigratetype } from '../../src/mm/pageblock.js';
import { pfnValid, sectionMemmap, sparseInit, type Memmap } from '../../src/mm/sparse.js';
import { freeAreaInit, x86MaxZonePfns, type ZoneLayout } from '../../src/mm/zone.js';
import { noCoreParams } from '../../src/mm/zone-movable.js';

export const M = 1024 ** 2;

export interface FreedBlock {
  pfn: number;
  order: number;
  nid: number;
  zid: number;
  mt: number;
}

export class RecordingBuddy implements BuddyFreeTarget {
  blocks: FreedBlock[] = [];
  freeOnePage(pfn: number, order: number, nid: number, zid: number, mt: number): void {
    this.blocks.push({ pfn, order, nid, zid, mt });
  }
  get pages(): number {
    return this.blocks.reduce((n, b) => n + 2 ** b.order, 0);
  }
}

/** memmap_init() with struct pages: early ranges Movable at pageblock starts, holes reserved. */
export function earlyMemmapInit(mb: Memblock, zones: ZoneLayout, memmap: Memmap): void {
  memmapInit(mb, zones, undefined, {
    initRange(nid, zone, start, end) {
      initSinglePageRange(memmap, start, end, zone, nid);
      for (let p = start + ((PAGEBLOCK_NR_PAGES - (start % PAGEBLOCK_NR_PAGES)) % PAGEBLOCK_NR_PAGES); p < end; p += PAGEBLOCK_NR_PAGES) {
        setPageblockMigratetype(memmap, p, MigrateType.MOVABLE);
      }
    },
    unavailableRange(nid, zone, start, end) {
      for (let p = start; p < end; p++) {
        if (!pfnValid(memmap, p - (p % PAGEBLOCK_NR_PAGES))) continue;
        initSinglePageRange(memmap, p, p + 1, zone, nid);
        setPageReserved(sectionMemmap(memmap, p), pageWord(p));
      }
    },
  });
}

export interface SmallMachine {
  mb: Memblock;
  zones: ZoneLayout;
  memmap: Memmap;
  ctx: MemInitContext;
  maxPfn: number;
}

/** A machine from [nid, start, end) memory ranges and [start, end) reservations, sized and early-initialised. */
export function smallMachine(memory: [number, number, number][], reserved: [number, number][]): SmallMachine {
  const mb = memblockCreate();
  for (const [nid, s, e] of memory) {
    memblockAdd(mb, s, e - s);
    memblockSetNode(mb, s, e - s, mb.memory, nid);
  }
  for (const [s, e] of reserved) memblockReserve(mb, s, e - s);
  const nodes = [...new Set(memory.map((r) => r[0]))].sort((a, b) => a - b);
  const maxPfn = Math.max(...memory.map((r) => r[2])) / 4096;
  const zones = freeAreaInit({
    mb, maxZonePfn: x86MaxZonePfns(maxPfn), possible: nodes, online: new Set(nodes), core: noCoreParams, dmaReserve: 0,
    printk: new Printk(),
  });
  const memmap = sparseInit(mb, { trackInit: true });
  earlyMemmapInit(mb, zones, memmap);
  return { mb, zones, memmap, ctx: memInitContext(mb, zones, memmap, nodes[0]!), maxPfn };
}
