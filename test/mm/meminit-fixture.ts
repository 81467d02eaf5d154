// Test scaffolding for mem_init: small machines from memblock layouts, early memmap init through
// the real memmap_init walk, and a buddy stand-in that records what memblock_free_all hands over.
import { MAX_ORDER, MAX_ORDER_NR_PAGES } from '../../src/include/mmzone.js';
import { Printk } from '../../src/kernel/printk.js';
import { memblockAdd, memblockCreate, memblockReserve, memblockSetNode, type Memblock } from '../../src/mm/memblock.js';
import { memmapInit } from '../../src/mm/mm-init.js';
import type { BuddyFreeTarget } from '../../src/mm/page-free-core.js';
import { memInitContext, type MemInitContext } from '../../src/mm/page-init.js';
import { sparseInit, type Memmap } from '../../src/mm/sparse.js';
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
  /** A run of MAX_ORDER blocks, recorded as the blocks it appends. */
  freeMaxOrderRun(pfn: number, n: number, nid: number, zid: number, mt: number): void {
    for (let i = 0; i < n; i++) this.blocks.push({ pfn: pfn + i * MAX_ORDER_NR_PAGES, order: MAX_ORDER - 1, nid, zid, mt });
  }
  get pages(): number {
    return this.blocks.reduce((n, b) => n + 2 ** b.order, 0);
  }
}

/** memmap_init() with struct pages: the real walk and core, printing nothing. */
export function earlyMemmapInit(mb: Memblock, zones: ZoneLayout, memmap: Memmap): void {
  memmapInit(mb, zones, undefined, memmap);
}

export interface SmallMachine {
  mb: Memblock;
  zones: ZoneLayout;
  memmap: Memmap;
  ctx: MemInitContext;
  maxPfn: number;
}

/** A machine from [nid, start, end) memory ranges and [start, end) reservations, sized and early-initialised (memmap in wasm arenas unless told). */
export function smallMachine(memory: [number, number, number][], reserved: [number, number][], wasm = true): SmallMachine {
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
  const memmap = sparseInit(mb, { trackInit: true, wasm });
  earlyMemmapInit(mb, zones, memmap);
  return { mb, zones, memmap, ctx: memInitContext(mb, zones, memmap, nodes[0]!), maxPfn };
}
