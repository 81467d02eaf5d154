// Model-based: random map/unmap sequences (and maps one subsection wider than a live one) over pc-4g-memmap-pmem's 512M of pmem (raw namespaces,
// whole subsections), against a model that only keeps the live ranges. Each map must return what
// the model predicts (ENOMEM when its first or last pfn is in a live pgmap, EEXIST when it
// overlaps one otherwise, else 0), the registry must match the model after every step, and the
// checker must pass after every sequence.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { memInit } from '../../src/arch/x86/mem-init.js';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { MemoryType } from '../../src/include/memremap.js';
import { machineNew } from '../../src/kernel/machine.js';
import { checkMachineReport } from '../../src/mm/check.js';
import { memremapPages, memunmapPages } from '../../src/mm/memremap.js';
import { EEXIST, ENOMEM } from '../../src/mm/sparse.js';
import { machineFile } from './deferred-fixture.js';

const SUB = 512;
const BASE = 0x80000;
const SUBS = 256;

type Cmd = { op: 'map'; at: number; n: number } | { op: 'around' | 'unmap'; i: number };

const cmd = fc.oneof(
  fc.record({ op: fc.constant('map' as const), at: fc.integer({ min: 0, max: SUBS - 1 }), n: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 32, max: 160 })) }),
  fc.record({ op: fc.constant('unmap' as const), i: fc.nat() }),
  fc.record({ op: fc.constant('around' as const), i: fc.nat() }),
);

describe('memremap model: random map/unmap sequences', () => {
  const spec = machineFile('pc-4g-memmap-pmem');
  const m = machineNew(spec.name, spec.firmware);
  bootMachine(m);
  memInit(m, { memmap: { trackInit: true } });
  it('errnos, live ranges and the checker follow the model', () => {
    fc.assert(fc.property(fc.array(cmd, { minLength: 1, maxLength: 10 }), (cmds: Cmd[]) => {
      const live: [number, number][] = [];
      const inLive = (pfn: number): boolean => live.some(([s, e]) => s <= pfn && pfn < e);
      for (const c of cmds) {
        // 'around': one subsection more than a live range on each side (clamped to the pmem).
        const around = c.op === 'around' && live.length ? live[c.i % live.length]! : undefined;
        if (c.op === 'map' || around) {
          const s = around ? Math.max(BASE, around[0] - SUB) : BASE + (c as { at: number }).at * SUB;
          const e = around ? Math.min(BASE + SUBS * SUB, around[1] + SUB) : Math.min(BASE + SUBS * SUB, s + (c as { n: number }).n * SUB);
          const want = inLive(s) || inLive(e - 1) ? ENOMEM : live.some(([a, b]) => a < e && s < b) ? EEXIST : 0;
          const r = memremapPages(m, { type: MemoryType.FS_DAX, start: s * 4096, size: (e - s) * 4096, nid: 0 });
          assert.equal(r.err, want, `map [0x${s.toString(16)}, 0x${e.toString(16)})`);
          if (r.err === 0) live.push([s, e]);
        } else if (c.op === 'unmap' && live.length) {
          const [s] = live.splice(c.i % live.length, 1)[0]!;
          memunmapPages(m, m.pgmaps!.pgmaps.find((p) => p.start === s * 4096)!);
        }
        assert.deepEqual((m.pgmaps?.pgmaps ?? []).map((p) => [p.start / 4096, p.end / 4096]).sort((a, b) => a[0]! - b[0]!), [...live].sort((a, b) => a[0] - b[0]));
      }
      const r = checkMachineReport(m);
      assert.equal(r.total, 0, r.violations.slice(0, 3).map((v) => `${v.what}: ${v.detail}`).join('\n'));
      for (const p of [...(m.pgmaps?.pgmaps ?? [])]) memunmapPages(m, p);
    }), { numRuns: 16, seed: 4 });
  });
});
