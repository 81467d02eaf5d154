// ZONE_DEVICE struct page init throughput (never run by npm test):
//   npm run -s build && node dist/bench/zone-device.js [--size 16G,64G] [--rounds 3] [--no-altmap] [--json] [--out FILE]
// (a short untimed warm-up over the first 256 MiB comes first, so every round runs optimised code)
//
// One pmem namespace per size, set up like a pfn device in fsdax "map=dev" mode (info block,
// memmap on the device through a vmem_altmap). Its sections are added and poisoned first — the
// allocation and first touch of the memmap buffers, timed apart — then each round re-poisons the
// (now resident) memmap untimed and times one variant:
//   6.1   memmap_init_range(MEMINIT_HOTPLUG) over the altmap's pages + memmap_init_zone_device()
//   4.19  memmap_init_zone(MEMMAP_HOTPLUG) per pfn with the atomic SetPageReserved, then the
//         second for_each_device_pfn() walk (list_del, page->pgmap, percpu_ref_get)
// The seed's figures (3 TB of pmem per node: 24.17 s before the 4.20 rework, 19.12 s after) are
// printed per TiB beside ours. Writes nothing unless --out FILE is given.
import { writeFileSync } from 'node:fs';
import { MemoryType, PGMAP_ADDR_HI, pgmapAddrLo, type DevPagemap } from '../src/include/memremap.js';
import { MigrateType, ZoneType } from '../src/include/mmzone.js';
import { PAGE_SIZE } from '../src/include/pfn.js';
import { memblockCreate } from '../src/mm/memblock.js';
import { earlyInitState, memmapInitRange, memmapInitZoneDevice } from '../src/mm/memmap-init-range.js';
import { devmMemremapPagesWalk419, memmapInitZoneHotplug419 } from '../src/mm/memremap-legacy.js';
import { ndPfnLayout } from '../src/mm/memremap-pmem.js';
import { sectionChunks } from '../src/mm/memremap-hotplug.js';
import { pageInitPoison, pageWord } from '../src/mm/page.js';
import { memmapNew, sparseAddSection, type Memmap } from '../src/mm/sparse.js';
import type { ZoneLayout } from '../src/mm/zone.js';

const GiB = 2 ** 30;
const TiB = 2 ** 40;
/** The seed: 3 TB of persistent memory per node, taken as 3 TiB. */
const SEED = { bytes: 3 * TiB, before: 24.17, after: 19.12 };

interface Args { sizes: number[]; rounds: number; altmap: boolean; json: boolean; out: string | undefined }

function parseSize(s: string): number {
  const m = /^(\d+)([GT])$/i.exec(s.trim());
  if (!m) throw new Error(`--size ${s}: want a size like 16G or 1T`);
  const n = Number(m[1]) * (m[2]!.toUpperCase() === 'T' ? TiB : GiB);
  if (n <= 0 || n % (128 * 2 ** 20)) throw new Error(`--size ${s}: not a positive multiple of 128M`);
  return n;
}

function parseArgs(a: string[]): Args {
  const val = (flag: string): string | undefined => {
    const i = a.indexOf(flag);
    if (i < 0) return undefined;
    const v = a[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag}: needs a value`);
    return v;
  };
  const known = new Set(['--size', '--rounds', '--no-altmap', '--json', '--out']);
  a.forEach((x, i) => {
    if (x.startsWith('--') && !known.has(x)) throw new Error(`${x}: unknown option (--size, --rounds, --no-altmap, --json, --out)`);
    if (!x.startsWith('--') && !['--size', '--rounds', '--out'].includes(a[i - 1] ?? '')) throw new Error(`${x}: unexpected argument`);
  });
  const rounds = Number(val('--rounds') ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${val('--rounds')}: want a positive integer`);
  return {
    sizes: (val('--size') ?? '16G,64G').split(',').map(parseSize), rounds,
    altmap: !a.includes('--no-altmap'), json: a.includes('--json'), out: val('--out'),
  };
}

const dummyZones = (): ZoneLayout => ({
  archZoneLowestPossiblePfn: [], archZoneHighestPossiblePfn: [], zoneMovablePfn: new Map(), movableZone: ZoneType.NORMAL, nodes: new Map(),
});

interface Row {
  size: number; pages: number; variant: string; allocMs: number; bestMs: number; medianMs: number;
  mpagesPerSec: number; secPerTiB: number;
  /** The best round's two passes (4.19 only): memmap_init_zone, then the device pfn walk. */
  passesMs?: [number, number];
}

function bench(size: number, args: Args): Row[] {
  const start = 64 * GiB;
  const startPfn = start / PAGE_SIZE;
  const pages = size / PAGE_SIZE;
  const lay = args.altmap ? ndPfnLayout(start, size, 2 * 2 ** 20) : undefined;
  if (typeof lay === 'number') throw new Error(`pfn device layout for ${size / GiB}G failed: ${lay}`);
  const mm: Memmap = memmapNew({ budgetBytes: size / 64 + 64 * 2 ** 20, poison: true });
  const t0 = performance.now();
  for (const [p, n] of sectionChunks(startPfn, pages)) {
    const err = sparseAddSection(mm, 0, p, n);
    if (err) throw new Error(`sparse_add_section(${p}) = ${err}`);
  }
  const allocMs = performance.now() - t0;
  const pgmap: DevPagemap = {
    id: 0, type: MemoryType.FS_DAX, start, end: start + size,
    altmap: lay && { ...lay.altmap, alloc: 0, align: 0 }, vmemmapShift: 0, nid: 0,
    addrHi: PGMAP_ADDR_HI, addrLo: pgmapAddrLo(0), ref: 0, vmemmapPfn: new Map(),
  };
  const ctx = { mb: memblockCreate(), zones: dummyZones(), memmap: mm, presentSections: new Set<number>(), groupByMobilityDisabled: false, early: earlyInitState() };
  // Each variant returns the split point of its time (the end of its first pass).
  const variants: [string, () => number][] = [
    ['6.1 memmap_init_zone_device', () => {
      memmapInitRange(ctx, pages, 0, ZoneType.DEVICE, startPfn, 0, 'hotplug', pgmap.altmap, MigrateType.MOVABLE);
      memmapInitZoneDevice(mm, false, 0, startPfn, pages, pgmap);
      return performance.now();
    }],
    ['4.19 per-page + second walk', () => {
      memmapInitZoneHotplug419(mm, false, 0, startPfn, pages, pgmap.altmap);
      const split = performance.now();
      devmMemremapPagesWalk419(mm, pgmap);
      return split;
    }],
  ];
  // Warm the JIT up untimed over the first 256 MiB (no altmap), so round 1 measures steady code.
  const warm: DevPagemap = { ...pgmap, end: start + Math.min(size, 256 * 2 ** 20), altmap: undefined };
  const warmPages = (warm.end - start) / PAGE_SIZE;
  for (let r = 0; r < 3; r++) {
    memmapInitZoneDevice(mm, false, 0, startPfn, warmPages, warm);
    memmapInitZoneHotplug419(mm, false, 0, startPfn, warmPages, undefined);
    devmMemremapPagesWalk419(mm, warm);
  }
  const times = variants.map(() => [] as [number, number][]);
  for (let r = 0; r < args.rounds; r++) {
    variants.forEach(([, run], i) => {
      for (const [p, n] of sectionChunks(startPfn, pages)) pageInitPoison(mm.sections[Math.floor(p / 32768)]!.memmap!, pageWord(p), n);
      const t = performance.now();
      const split = run();
      const e = performance.now();
      times[i]!.push([e - t, split - t]);
    });
  }
  return variants.map(([variant], i) => {
    const ts = [...times[i]!].sort((a, b) => a[0] - b[0]);
    const [best, split] = ts[0]!;
    return {
      size, pages, variant, allocMs: +allocMs.toFixed(1), bestMs: +best.toFixed(1), medianMs: +ts[Math.floor(ts.length / 2)]![0].toFixed(1),
      mpagesPerSec: +(pages / 1e6 / (best / 1000)).toFixed(1), secPerTiB: +((best / 1000) * (TiB / size)).toFixed(2),
      ...(i === 1 ? { passesMs: [+split.toFixed(1), +(best - split).toFixed(1)] as [number, number] } : {}),
    };
  });
}

function main(): void {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`zone-device bench: ${(e as Error).message}`);
    process.exit(2);
  }
  const rows = args.sizes.flatMap((s) => bench(s, args));
  const seedPages = SEED.bytes / PAGE_SIZE;
  const seed = [['seed 4.19 (before)', SEED.before], ['seed 4.20 (after)', SEED.after]].map(([variant, s]) => ({
    variant: variant as string, seconds: s as number, secPerTiB: +((s as number) / 3).toFixed(2),
    mpagesPerSec: +(seedPages / 1e6 / (s as number)).toFixed(1),
  }));
  const result = { altmap: args.altmap, rounds: args.rounds, rows, seed };
  if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  if (args.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  console.log(`ZONE_DEVICE init, ${args.altmap ? 'memmap on the device (altmap)' : 'memmap in RAM'}, best of ${args.rounds}`);
  console.log(`${'size'.padEnd(6)} ${'variant'.padEnd(30)} ${pad('alloc+touch ms', 14)} ${pad('best ms', 9)} ${pad('median ms', 10)} ${pad('Mpages/s', 9)} ${pad('s/TiB', 7)}`);
  for (const r of rows) {
    const passes = r.passesMs ? `  (memmap_init_zone ${r.passesMs[0]} ms + pfn walk ${r.passesMs[1]} ms)` : '';
    console.log(`${`${r.size / GiB}G`.padEnd(6)} ${r.variant.padEnd(30)} ${pad(r.allocMs, 14)} ${pad(r.bestMs, 9)} ${pad(r.medianMs, 10)} ${pad(r.mpagesPerSec, 9)} ${pad(r.secPerTiB, 7)}${passes}`);
  }
  for (const s of seed) {
    console.log(`${'3T'.padEnd(6)} ${s.variant.padEnd(30)} ${pad('-', 14)} ${pad(s.seconds * 1000, 9)} ${pad('-', 10)} ${pad(s.mpagesPerSec, 9)} ${pad(s.secPerTiB, 7)}`);
  }
}

main();
