// Single-thread __init_single_page throughput over a pre-touched memmap (never run by npm test):
//   npm run -s build && node dist/bench/page-init.js [GiB=4] [rounds=5]
import { PAGES_PER_SECTION } from '../src/include/mmzone.js';
import { memblockAdd, memblockCreate } from '../src/mm/memblock.js';
import { initSinglePageRange } from '../src/mm/page-init.js';
import { forEachValidSection, sparseInit } from '../src/mm/sparse.js';

const gib = Number(process.argv[2] ?? 4);
const rounds = Number(process.argv[3] ?? 5);
const mb = memblockCreate();
memblockAdd(mb, 0, gib * 2 ** 30);
const pages = (gib * 2 ** 30) / 4096;

let t = performance.now();
const mm = sparseInit(mb, { poison: true, budgetBytes: 16 * 2 ** 30 });
const allocMs = performance.now() - t;
// A second fill: the same bytes, already faulted in; the floor any init loop is measured against.
t = performance.now();
for (const ms of forEachValidSection(mm)) ms.memmap.fill(0xffffffff);
const fillMs = performance.now() - t;

const runs: number[] = [];
for (let r = 0; r < rounds; r++) {
  t = performance.now();
  initSinglePageRange(mm, 0, pages, 1, 0);
  runs.push(performance.now() - t);
}
const best = Math.min(...runs);
console.log(JSON.stringify({
  gib, pages, sections: pages / PAGES_PER_SECTION, allocAndPoisonMs: Math.round(allocMs),
  fillFloorMs: +fillMs.toFixed(1), fillGBps: +((pages * 64) / 1e9 / (fillMs / 1000)).toFixed(2),
  initMs: runs.map((x) => +x.toFixed(1)), bestMpagesPerSec: +(pages / 1e6 / (best / 1000)).toFixed(1),
}));
