// Single-thread struct page throughput over a pre-touched memmap (never run by npm test):
//   npm run -s build && node dist/bench/page-init.js [GiB=4] [rounds=5]
// __init_single_page over every pfn, then reserve_bootmem_region and __free_pages_core in
// MAX_ORDER blocks (to a buddy stand-in that only counts), against a plain fill of the same bytes.
import { MAX_ORDER, MAX_ORDER_NR_PAGES, PAGES_PER_SECTION } from '../src/include/mmzone.js';
import { memblockAdd, memblockCreate, memblockSetNode } from '../src/mm/memblock.js';
import { freePagesCore } from '../src/mm/page-free-core.js';
import { initSinglePageRange, memInitContext, reserveBootmemRegion } from '../src/mm/page-init.js';
import { forEachValidSection, sparseInit } from '../src/mm/sparse.js';
import { freeAreaInit, x86MaxZonePfns } from '../src/mm/zone.js';
import { noCoreParams } from '../src/mm/zone-movable.js';
import { Printk } from '../src/kernel/printk.js';

const gib = Number(process.argv[2] ?? 4);
const rounds = Number(process.argv[3] ?? 5);
const bytes = gib * 2 ** 30;
const pages = bytes / 4096;
const mb = memblockCreate();
memblockAdd(mb, 0, bytes);
memblockSetNode(mb, 0, bytes, mb.memory, 0);
const zones = freeAreaInit({
  mb, maxZonePfn: x86MaxZonePfns(pages), possible: [0], online: new Set([0]), core: noCoreParams, dmaReserve: 0, printk: new Printk(),
});

let t = performance.now();
const mm = sparseInit(mb, { poison: true, budgetBytes: 16 * 2 ** 30 });
const allocMs = performance.now() - t;
const ctx = memInitContext(mb, zones, mm, 0);
let freed = 0;
const buddy = {
  freeOnePage: (_p: number, order: number): void => void (freed += 2 ** order),
  freeMaxOrderRun: (_p: number, n: number): void => void (freed += n * MAX_ORDER_NR_PAGES),
};

const best = (f: () => void): number => {
  let b = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
};
const fillMs = best(() => { for (const ms of forEachValidSection(mm)) ms.memmap.fill(0xffffffff); });
const initMs = best(() => initSinglePageRange(mm, 0, pages, 1, 0));
const reserveMs = best(() => reserveBootmemRegion(ctx, 0, bytes));
const freeMs = best(() => { for (let p = 0; p < pages; p += 2 ** (MAX_ORDER - 1)) freePagesCore(buddy, ctx, p, MAX_ORDER - 1); });
const rate = (ms: number): number => +(pages / 1e6 / (ms / 1000)).toFixed(1);
console.log(JSON.stringify({
  gib, pages, sections: pages / PAGES_PER_SECTION, allocAndPoisonMs: Math.round(allocMs),
  fill: { ms: +fillMs.toFixed(1), gbPerSec: +((pages * 64) / 1e6 / fillMs).toFixed(2), mpagesPerSec: rate(fillMs) },
  initSinglePage: { ms: +initMs.toFixed(1), mpagesPerSec: rate(initMs) },
  reserveBootmemRegion: { ms: +reserveMs.toFixed(1), mpagesPerSec: rate(reserveMs) },
  freePagesCore: { ms: +freeMs.toFixed(1), mpagesPerSec: rate(freeMs), freed },
}));
