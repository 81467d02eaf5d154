// The range → bins classifier: a hand-worked 1 GiB machine, random range lists against a
// page-by-page reference, and the 384 GiB seed machine binned in well under a second.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { loadPreset } from '../../src/machine/index.js';
import { pfnMapInput } from '../../src/server/machine-view.js';
import {
  binEdge, binPfnStates, NR_PFN_STATES, PFN_STATES, pfnStateAt, pfnStateSegments, type PfnMapInput, type PfnState,
} from '../../src/web/bins.js';

const boot = (preset: string): Machine => {
  const s = loadPreset(preset);
  return bootMachine(machineNew(s.name, s.firmware));
};

/** The obvious per-page answer, for comparison: device, offline, hole, reserved, hot-added free, deferred/free. */
function naiveState(inp: PfnMapInput, pfn: number): PfnState {
  const inR = (rs: readonly { start: number; end: number }[]) => rs.some((r) => pfn >= r.start && pfn < r.end);
  if (inR(inp.device)) return 'device';
  if (inR(inp.offline)) return 'offline';
  const mem = inp.memory.find((r) => pfn >= r.start && pfn < r.end);
  const hot = inR(inp.hotAdded ?? []);
  if (!mem && !hot) return 'hole';
  if (inR(inp.reserved)) return 'reserved';
  if (!mem) return 'free';
  return pfn >= (inp.firstDeferredPfn.get(mem.nid) ?? Infinity) ? 'deferred' : 'free';
}

function naiveBins(inp: PfnMapInput, start: number, end: number, bins: number): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < bins; b++) {
    const c = new Array<number>(NR_PFN_STATES).fill(0);
    for (let p = binEdge(start, end, bins, b); p < binEdge(start, end, bins, b + 1); p++) c[PFN_STATES.indexOf(naiveState(inp, p))]!++;
    out.push(c);
  }
  return out;
}

const rows = (flat: Float64Array, bins: number): number[][] =>
  Array.from({ length: bins }, (_, b) => Array.from(flat.subarray(b * NR_PFN_STATES, (b + 1) * NR_PFN_STATES)));

/** Counts of one bin as {state: pages}, zero states left out. */
const named = (row: number[]): Partial<Record<PfnState, number>> =>
  Object.fromEntries(row.flatMap((n, s) => (n ? [[PFN_STATES[s]!, n]] : [])));

describe('pc-1g: 1 GiB on one node, worked by hand', () => {
  //  pfn 0        0x9f   0x100        0x1000    0x10000                     0x3ffe0  0x40000
  //  | hole | RAM  | hole |  RAM ...                                          | hole |
  //  e820: [0x1000, 0x9fc00) and [0x100000, 0x3ffe0000) usable; page 0 reserved, 0x9f partial.
  //  reserved: [0, 1M) (setup_arch), the kernel image at 16 MiB, NODE_DATA and friends at the top.
  //  deferred: DMA32 is the node's last zone: one section from 0x1000, then the next section
  //  boundary, 0x10000.
  const m = boot('pc-1g');
  const inp = pfnMapInput(m);
  const segs = pfnStateSegments(inp);

  it('reads memory, reserved and first_deferred_pfn with the kernel page rounding', () => {
    assert.deepEqual(inp.memory, [{ start: 1, end: 0x9f, nid: 0 }, { start: 0x100, end: 0x3ffe0, nid: 0 }]);
    assert.deepEqual(inp.firstDeferredPfn, new Map([[0, 0x10000]]));
    assert.deepEqual(inp.device, []);
    assert.deepEqual(inp.reserved[0], { start: 0, end: 0x100 });
    assert.equal(inp.reserved[1]!.start, 0x1000, 'the kernel image starts at 16 MiB');
  });

  it('puts holes at pfn 0, 0x9f–0xff and above 0x3ffe0', () => {
    for (const p of [0, 0x9f, 0xa0, 0xff, 0x3ffe0, 0x3ffff]) assert.equal(pfnStateAt(segs, p), 'hole', `pfn ${p.toString(16)}`);
    assert.equal(pfnStateAt(segs, 1), 'reserved', 'pfn 1: RAM inside the first-MiB reservation');
    assert.equal(pfnStateAt(segs, 0x100), 'free');
    assert.equal(pfnStateAt(segs, 0x1000), 'reserved', 'the kernel image');
    assert.equal(pfnStateAt(segs, 0xffff), 'free');
    assert.equal(pfnStateAt(segs, 0x10000), 'deferred');
    assert.equal(pfnStateAt(segs, 0x3ffdf), 'reserved', 'memblock allocations sit at the top of RAM');
  });

  it('bins the first MiB page-exactly', () => {
    // Four bins of 64 pages: [0,0x40) has pfn 0 hole and 63 reserved; [0x80,0xc0) has 0x80..0x9e
    // reserved (31) and 0x9f..0xbf hole (33); [0xc0,0x100) is all hole.
    const b = rows(binPfnStates(segs, 0, 0x100, 4), 4).map(named);
    assert.deepEqual(b, [{ hole: 1, reserved: 63 }, { reserved: 64 }, { hole: 33, reserved: 31 }, { hole: 64 }]);
  });

  it('bins the whole GiB in four quarters', () => {
    // Reserved pages, each once: small reservations share pages once rounded out to whole pfns.
    const r: { start: number; end: number }[] = [];
    for (const x of [...inp.reserved].sort((a, b) => a.start - b.start)) {
      const last = r[r.length - 1];
      if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
      else r.push({ ...x });
    }
    const resIn = (s: number, e: number) => r.reduce((n, x) => n + Math.max(0, Math.min(x.end, e) - Math.max(x.start, s)), 0);
    const b = rows(binPfnStates(segs, 0, 0x40000, 4), 4).map(named);
    // Quarter 0: holes are pfn 0 and 0x9f..0xff (98 pages); all the rest below 0x10000 is free or reserved.
    const res0 = resIn(1, 0x9f) + resIn(0x100, 0x10000);
    assert.deepEqual(b[0], { hole: 98, reserved: res0, free: 0x10000 - 98 - res0 });
    assert.deepEqual(b[1], { deferred: 0x10000 });
    assert.deepEqual(b[2], { deferred: 0x10000 });
    // Quarter 3: reserved at the top of RAM, then the 0x20 pages above 0x3ffe0 are a hole.
    const res3 = resIn(0x30000, 0x3ffe0);
    assert.deepEqual(b[3], { hole: 0x20, reserved: res3, deferred: 0x10000 - 0x20 - res3 });
  });

  it('agrees with the page-by-page reference at several zooms', () => {
    for (const [s, e, n] of [[0, 0x40000, 7], [0, 0x40000, 1000], [0x90, 0x110, 128], [0xfff0, 0x10010, 3], [0x3ff00, 0x40000, 256]] as const) {
      assert.deepEqual(rows(binPfnStates(segs, s, e, n), n), naiveBins(inp, s, e, n), `[${s}, ${e}) in ${n}`);
    }
  });
});

describe('default preset: two nodes and persistent memory', () => {
  it('shows the memmap=1G!0x240000000 range as device memory and each node deferring from its own pfn', () => {
    const m = boot('default');
    const inp = pfnMapInput(m);
    assert.deepEqual(inp.device, [{ start: 0x240000, end: 0x280000 }]);
    const segs = pfnStateSegments(inp);
    assert.equal(pfnStateAt(segs, 0x260000), 'device');
    const fdp = [...inp.firstDeferredPfn.values()];
    assert.equal(fdp.length, 2);
    for (const p of fdp) {
      assert.equal(pfnStateAt(segs, p - 1), 'free');
      assert.equal(pfnStateAt(segs, p), 'deferred');
    }
  });
});

describe('random range lists', () => {
  const range = fc.tuple(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 80 })).map(([s, l]) => ({ start: s, end: s + l }));
  const input = fc.record({
    // memblock.memory never overlaps itself: build it from disjoint gaps.
    memory: fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 0, max: 2 })), { maxLength: 8 }),
    reserved: fc.array(range, { maxLength: 6 }),
    device: fc.array(range, { maxLength: 2 }),
    offline: fc.array(range, { maxLength: 2 }),
    // Hot-added memory (beyond boot memory on a machine; overlaps here only test the precedence).
    hotAdded: fc.array(range.map((r) => ({ start: r.start + 150, end: r.end + 150 })), { maxLength: 2 }),
    fdp: fc.array(fc.option(fc.integer({ min: 0, max: 700 })), { minLength: 3, maxLength: 3 }),
  }).map((r): PfnMapInput => {
    let at = 0;
    const memory = r.memory.map(([gap, len, nid]) => {
      const m = { start: at + gap, end: at + gap + len, nid };
      at = m.end;
      return m;
    });
    const firstDeferredPfn = new Map(r.fdp.flatMap((p, nid) => (p === null ? [] : [[nid, p] as [number, number]])));
    return { memory, reserved: r.reserved, device: r.device, offline: r.offline, hotAdded: r.hotAdded, firstDeferredPfn };
  });

  it('bin exactly like the page-by-page reference', () => {
    fc.assert(fc.property(input, fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 64 }),
      (inp, start, len, n) => {
        const bins = Math.min(n, len);
        assert.deepEqual(rows(binPfnStates(pfnStateSegments(inp), start, start + len, bins), bins), naiveBins(inp, start, start + len, bins));
      }), { numRuns: 300 });
  });

  it('give runs that are sorted, disjoint and merged, and pfnStateAt matches the reference', () => {
    fc.assert(fc.property(input, (inp) => {
      const segs = pfnStateSegments(inp);
      for (let i = 1; i < segs.length; i++) {
        assert.ok(segs[i]!.start >= segs[i - 1]!.end);
        assert.ok(!(segs[i]!.start === segs[i - 1]!.end && segs[i]!.state === segs[i - 1]!.state), 'touching runs of one state are merged');
      }
      for (let p = 0; p < 800; p += 7) assert.equal(pfnStateAt(segs, p), naiveState(inp, p));
    }), { numRuns: 200 });
  });
});

describe('seed: 384 GiB', () => {
  it('bins the whole machine and a narrow zoom in well under a second', () => {
    const m = boot('seed');
    // The best of three, so a busy machine running the other tests does not decide the result.
    let dt = Infinity;
    let whole: Float64Array = new Float64Array();
    let zoom: Float64Array = new Float64Array();
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const segs = pfnStateSegments(pfnMapInput(m));
      whole = binPfnStates(segs, 0, 2 ** 30, 4096); // 4 TiB of pfns
      zoom = binPfnStates(segs, 0x1000000, 0x1000000 + 4096, 4096);
      dt = Math.min(dt, performance.now() - t0);
    }
    assert.ok(dt < 100, `took ${dt.toFixed(1)} ms`);
    let pages = 0;
    for (let i = 0; i < whole.length; i++) pages += whole[i]!;
    assert.equal(pages, 2 ** 30, 'every pfn of [0, 4 TiB) counted once');
    assert.deepEqual(named(Array.from(zoom.subarray(0, NR_PFN_STATES))), { deferred: 1 });
  });
});
