// Property tests: random QEMU-style node layouts always give a firmware map that is sorted and
// non-overlapping, accounts for every byte of RAM, and agrees with its SRAT.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildMachine, type MachineInput } from '../../src/machine/index.js';
import { mergeSpans, type Span, subtractSpan } from '../../src/machine/spans.js';
import { M } from './fixture.js';

/** What the BIOS keeps out of RAM: the 1K EBDA, [640K, 1M) and SeaBIOS's 128K below 4G. */
const BIOS_TAKES = 0x400 + 0x60000 + 0x20000;
const HOLE_640K: Span = { start: 0xa0000, end: 0x100000 };

const layouts = fc
  .record({
    machine: fc.constantFrom('pc' as const, 'q35' as const),
    // Node sizes in MiB; 0 is a memoryless node.
    sizes: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 6144 }) }), { minLength: 1, maxLength: 6 }),
    cpus: fc.option(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }), { nil: undefined }),
    hotplug: fc.option(fc.record({ extraG: fc.integer({ min: 1, max: 16 }), slots: fc.integer({ min: 1, max: 8 }) }), { nil: undefined }),
  })
  .filter((l) => l.sizes.reduce((t, s) => t + s, 0) >= 128);

function machineOf(l: typeof layouts extends fc.Arbitrary<infer T> ? T : never): MachineInput {
  const ram = l.sizes.reduce((t, s) => t + s, 0) * M;
  const nodes = l.sizes.map((s, i) => ({ ...(s > 0 ? { memory: s * M } : {}), ...(l.cpus ? { cpus: l.cpus[i]! } : {}) }));
  if (l.cpus && nodes.every((n) => !n.cpus)) nodes[0]!.cpus = 1;
  return {
    machine: l.machine,
    nodes,
    ...(l.hotplug ? { maxmem: ram + l.hotplug.extraG * 1024 * M, slots: l.hotplug.slots } : {}),
  };
}

const total = (spans: readonly Span[]) => spans.reduce((t, s) => t + s.end - s.start, 0);

describe('random node layouts', () => {
  it('give sorted, disjoint e820 maps whose usable RAM is the requested RAM less the BIOS areas', () => {
    fc.assert(
      fc.property(layouts, (l) => {
        const fw = buildMachine(machineOf(l), 'prop', 'prop').firmware;
        const ram = l.sizes.reduce((t, s) => t + s, 0) * M;
        for (let i = 1; i < fw.e820.length; i++) {
          const [a, b] = [fw.e820[i - 1]!, fw.e820[i]!];
          assert.ok(a.addr + a.size <= b.addr);
        }
        const usable = fw.e820.filter((e) => e.type === 1).map((e) => ({ start: e.addr, end: e.addr + e.size }));
        assert.equal(total(usable), ram - BIOS_TAKES);

        // The SRAT gives each node its size (less [640K, 1M) where the node covers it) and
        // covers every usable byte.
        const mem = fw.srat!.memory.filter((m) => !m.hotplug);
        assert.equal(total(mergeSpans(mem)), total(mem), 'SRAT ranges are disjoint');
        let offset = 0;
        l.sizes.forEach((s, pxm) => {
          const own = { start: offset, end: offset + s * M };
          offset = own.end;
          const inHole = Math.max(0, Math.min(own.end, HOLE_640K.end) - Math.max(own.start, HOLE_640K.start));
          assert.equal(total(mem.filter((m) => m.pxm === pxm)), s * M - inHole, `node ${pxm}`);
        });
        let uncovered = usable;
        for (const m of mem) uncovered = subtractSpan(uncovered, m);
        assert.deepEqual(uncovered, []);

        const hot = fw.srat!.memory.filter((m) => m.hotplug);
        assert.equal(hot.length, l.hotplug ? 1 : 0);
        for (const h of hot) assert.ok(h.start % (1024 * M) === 0 && h.start >= Math.max(...usable.map((u) => u.end)));
      }),
      { numRuns: 300 },
    );
  });

  it('written back as an explicit e820 map, give the same firmware map and reservations', () => {
    fc.assert(
      fc.property(layouts, (l) => {
        const fw = buildMachine(machineOf(l), 'prop', 'prop').firmware;
        const e820 = fw.e820.map((e) => ({ start: e.addr, size: e.size, type: e.type }));
        const again = buildMachine({ e820, cpus: fw.nrCpus }, 'prop', 'prop').firmware;
        assert.deepEqual(again.e820, fw.e820);
        assert.deepEqual(again.earlyReserved, fw.earlyReserved);
      }),
      { numRuns: 100 },
    );
  });
});
