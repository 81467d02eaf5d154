// The buddy allocator on real boots. Every corpus log: the node order of each zonelist equals
// the kernel's "Fallback order for Node N:" lines, from the SLIT and CPU lists the capture
// recorded. pc-1g and a three-node boot with a memoryless node: memblock_free_all (plus a plain
// stand-in for deferred init) into a real Buddy gives every zone the free pages it was handed,
// well-formed lists, and /proc/buddyinfo and /proc/pagetypeinfo in the kernel's layout (values
// are end-of-boot runtime numbers, so columns are compared, not digits), with each zone's
// pageblock count exactly the kernel's.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MemblockFlag } from '../../src/include/memblock.js';
import { MAX_ORDER_NR_PAGES, MigrateType, PAGEBLOCK_NR_PAGES } from '../../src/include/mmzone.js';
import { pfnDown, pfnUp } from '../../src/include/pfn.js';
import { checkFreeAreas } from '../../src/mm/free-area-check.js';
import { forEachFreeMemRange } from '../../src/mm/memblock.js';
import { freePagesMemory, memblockFreeAll } from '../../src/mm/memblock-free-all.js';
import { buddyCreate } from '../../src/mm/page-alloc.js';
import { freePagesCore, type BuddyFreeTarget } from '../../src/mm/page-free-core.js';
import { initSinglePageRange, memInitContext, type MemInitContext } from '../../src/mm/page-init.js';
import { setPageblockMigratetype } from '../../src/mm/pageblock.js';
import { sparseInit } from '../../src/mm/sparse.js';
import { buddyinfo, pagetypeinfo } from '../../src/mm/vmstat.js';
import { buildNodeOrder, type NodeRanking } from '../../src/mm/zonelist.js';
import { zoneEndPfn } from '../../src/mm/zone.js';
import { lexBootLog, type BootLog } from '../../src/trace/dmesg.js';
import { emitBuddyinfo } from '../../src/trace/formats/buddyinfo.js';
import { emitPagetypeinfo, parsePagetypeinfo } from '../../src/trace/formats/pagetypeinfo.js';
import { fallbackOrder } from '../../src/trace/formats/zone.js';
import { replayBootLog } from '../../src/trace/replay.js';
import { earlyMemmapInit } from './meminit-fixture.js';

const corpus = fileURLToPath(new URL('../../../test/corpus/', import.meta.url));
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log')).sort();
const read = (name: string): BootLog => lexBootLog(readFileSync(corpus + name, 'utf8'), name);

/** "0-2,5" → [0, 1, 2, 5]; "-" → []. */
const nodeList = (s: string): number[] => (s === '-' ? [] : s.split(',').flatMap((p) => {
  const [a, b] = p.split('-').map(Number);
  return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
}));

describe('build_zonelists node order on the corpus', () => {
  for (const name of logs) {
    const log = read(name);
    // The boot's build (memory onlined by the ACPI driver rebuilds the lists later: not these).
    const want = log.kernel.map((l) => fallbackOrder.parse(l.text)).filter((v) => !!v)
      .filter((v, i, all) => all.findIndex((w) => w!.nid === v!.nid) === i);
    const sys = log.captures.get('/sys/devices/system/node')?.lines ?? [];
    const field = (k: string): string | undefined => sys.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
    const rows = new Map(sys.flatMap((l) => {
      const m = /^node(\d+) cpulist=(\S+) distance=([\d,]+)$/.exec(l);
      return m ? [[+m[1]!, { cpus: nodeList(m[2]!), distance: m[3]!.split(',').map(Number) }] as const] : [];
    }));
    if (!want.length || !field('possible') || !field('has_memory')) continue;
    const title = want.map((w) => w.order.join(' ')).join(' | ');
    it(`${name}: ${title.length > 80 ? `${want.length} nodes` : title}`, () => {
      const possible = nodeList(field('possible')!);
      const r: NodeRanking = {
        memoryNodes: nodeList(field('has_memory')!),
        distance: (a, b) => rows.get(a)?.distance[possible.indexOf(b)] ?? (a === b ? 10 : 20),
        hasCpus: (n) => (rows.get(n)?.cpus.length ?? 0) > 0,
        nodeLoad: new Map(),
      };
      // Every possible node's list is built (node_load carries over); the log may have lost the first lines.
      const got = possible.map((nid) => ({ nid, order: buildNodeOrder(nid, r) }));
      assert.deepEqual(got.filter((g) => want.some((w) => w.nid === g.nid)), want);
    });
  }
});

/** Deferred init, plainly (the real one is deferred.ts's): free ranges past first_deferred_pfn initialised, Movable, freed. */
function finishDeferred(ctx: MemInitContext, buddy: BuddyFreeTarget, maxLowPfn: number): void {
  for (const pg of ctx.zones.nodes.values()) {
    if (!Number.isFinite(pg.firstDeferredPfn)) continue;
    const zid = pg.zones.findIndex((z) => z.spannedPages && z.zoneStartPfn <= pg.firstDeferredPfn && pg.firstDeferredPfn < zoneEndPfn(z));
    for (const r of forEachFreeMemRange(ctx.mb, pg.nodeId, MemblockFlag.NONE)) {
      const s = Math.max(pfnUp(r.start), pg.firstDeferredPfn);
      const e = Math.min(pfnDown(r.end), maxLowPfn, pg.nodeEndPfn);
      if (s >= e) continue;
      initSinglePageRange(ctx.memmap, s, e, zid, pg.nodeId);
      for (let p = s + ((PAGEBLOCK_NR_PAGES - (s % PAGEBLOCK_NR_PAGES)) % PAGEBLOCK_NR_PAGES); p < e; p += PAGEBLOCK_NR_PAGES) {
        setPageblockMigratetype(ctx.memmap, p, MigrateType.MOVABLE);
      }
      freePagesMemory(s, e, (pfn, order) => freePagesCore(buddy, ctx, pfn, order));
    }
  }
}

/** A line with each right-aligned number replaced by as many x's as its field is wide. */
const layout = (l: string): string => l.replace(/ *>?\d+ /g, (f) => `${'x'.repeat(f.length - 1)} `);

describe('memblock_free_all into the buddy allocator on real boots', () => {
  for (const name of ['pc-1g.log', 'q35-6g-numa3-memless.log']) {
    it(`${name}: free = what was freed per zone; /proc/buddyinfo and /proc/pagetypeinfo in the kernel's layout`, () => {
      const log = read(name);
      const m = replayBootLog(log, { bootOnly: true }).machine;
      const memmap = sparseInit(m.memblock!, { poison: name === 'pc-1g.log' });
      earlyMemmapInit(m.memblock!, m.zones!, memmap);
      const b = buddyCreate(memmap, m.zones!);
      const freed = new Map<string, number>();
      const recorder: BuddyFreeTarget = {
        freeOnePage(pfn, order, nid, zid, mt, fpi) {
          freed.set(`${nid}/${zid}`, (freed.get(`${nid}/${zid}`) ?? 0) + 2 ** order);
          b.freeOnePage(pfn, order, nid, zid, mt, fpi);
        },
        freeMaxOrderRun(pfn, n, nid, zid, mt) {
          freed.set(`${nid}/${zid}`, (freed.get(`${nid}/${zid}`) ?? 0) + n * MAX_ORDER_NR_PAGES);
          b.freeMaxOrderRun(pfn, n, nid, zid, mt);
        },
      };
      const ctx = memInitContext(m.memblock!, m.zones!, memmap, Math.min(...m.numa!.online));
      memblockFreeAll(ctx, recorder, m.maxLowPfn);
      finishDeferred(ctx, recorder, m.maxLowPfn);
      for (const bz of b.zones) {
        if (!bz) continue;
        assert.equal(bz.freePages, freed.get(`${bz.nid}/${bz.zid}`) ?? 0, `node ${bz.nid} ${bz.zone.name}`);
        assert.equal(bz.zone.managedPages, bz.freePages);
      }
      assert.deepEqual(checkFreeAreas(b), []);

      const kernelBuddy = log.captures.get('/proc/buddyinfo')!.lines;
      assert.deepEqual(emitBuddyinfo(buddyinfo(b)).map(layout), kernelBuddy.map(layout));
      const kernelTypes = log.captures.get('/proc/pagetypeinfo')!.lines;
      const ours = pagetypeinfo(b);
      assert.deepEqual(emitPagetypeinfo(ours).map(layout), kernelTypes.map(layout));
      const blocks = (nodes: typeof ours): number[] => nodes.flatMap((n) => n.blocks.map((z) => z.counts.reduce((a, c) => a + c, 0)));
      assert.deepEqual(blocks(ours), blocks(parsePagetypeinfo(kernelTypes)), 'pageblocks per zone');
    });
  }
});
