// Machines for the deferred-init tests (booted from machine files, small enough to be quick),
// and the comparisons the equivalence tests make: memmaps word by word, free lists block by block.
import { fileURLToPath } from 'node:url';
import { bootMachine } from '../../src/arch/x86/setup.js';
import { MAX_ORDER, MIGRATE_TYPES, PAGES_PER_SECTION } from '../../src/include/mmzone.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { parseMachine, type MachineSpec } from '../../src/machine/index.js';
import { loadMachineFile } from '../../src/machine/load-file.js';
import { freeListPfns } from '../../src/mm/free-area.js';
import { pageBuddy, PAGE_WORDS, PageWord } from '../../src/mm/page.js';
import type { Buddy } from '../../src/mm/page-alloc.js';
import type { Memmap } from '../../src/mm/sparse.js';

const examples = fileURLToPath(new URL('../../../examples/machines/', import.meta.url));

export const machineFile = (name: string): MachineSpec => loadMachineFile(`${examples}${name}.yaml`);

/** q35, two nodes with memory: node 0 512M (deferred from 0x10000), node 1 1G (from 0x28000). */
export const twoNodes = (): MachineSpec =>
  parseMachine('machine: q35\nnodes:\n  - { memory: 512M, cpus: 1 }\n  - { memory: 1G, cpus: 1 }\n', 'two-nodes.yaml');

/** bootMachine() up to the zonelists; the memInit phase is the test's. */
export function booted(spec: MachineSpec): Machine {
  const m = machineNew(spec.name, spec.firmware);
  bootMachine(m);
  return m;
}

const LRU_FIRST = PageWord.LRU_NEXT;
const LRU_END = PageWord.LRU_PREV + 2;

/**
 * The first difference between two memmaps, or undefined: struct pages word by word, pageblock
 * bits, init counts. The lru words of free block heads may differ (their order within a free
 * list depends on the order of frees); everything else must not.
 */
export function memmapDiff(a: Memmap, b: Memmap): string | undefined {
  const n = Math.max(a.sections.length, b.sections.length);
  for (let nr = 0; nr < n; nr++) {
    const x = a.sections[nr];
    const y = b.sections[nr];
    if (!x || !y) {
      if (x?.memmap || y?.memmap) return `section ${nr} exists in one memmap only`;
      continue;
    }
    if (!Buffer.from(x.usage.buffer, x.usage.byteOffset, x.usage.byteLength).equals(Buffer.from(y.usage.buffer, y.usage.byteOffset, y.usage.byteLength))) {
      return `section ${nr}: pageblock bits differ`;
    }
    if (x.initCount && y.initCount && !Buffer.from(x.initCount.buffer, x.initCount.byteOffset, x.initCount.byteLength).equals(Buffer.from(y.initCount.buffer, y.initCount.byteOffset, y.initCount.byteLength))) return `section ${nr}: init counts differ`;
    const p = x.memmap!;
    const q = y.memmap!;
    if (Buffer.from(p.buffer, p.byteOffset, p.byteLength).equals(Buffer.from(q.buffer, q.byteOffset, q.byteLength))) continue;
    for (let w = 0; w < p.length; w++) {
      if (p[w] === q[w]) continue;
      const k = w % PAGE_WORDS;
      const head = w - k;
      if (k >= LRU_FIRST && k < LRU_END && pageBuddy(p, head) && pageBuddy(q, head)) continue;
      return `pfn 0x${(nr * PAGES_PER_SECTION + head / PAGE_WORDS).toString(16)} word ${k}: 0x${p[w]!.toString(16)} vs 0x${q[w]!.toString(16)}`;
    }
  }
  return undefined;
}

/** Every block on the buddy allocator's free lists: "nid/zid pfn order mt", sorted. */
export function freeBlocks(b: Buddy): string[] {
  const out: string[] = [];
  for (const bz of b.zones) {
    if (!bz) continue;
    for (let order = 0; order < MAX_ORDER; order++) {
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        for (const pfn of freeListPfns(b, bz, order, mt)) out.push(`${bz.nid}/${bz.zid} 0x${pfn.toString(16)} ${order} ${mt}`);
      }
    }
  }
  return out.sort();
}

/** managed_pages of every zone, "nid/zid=n". */
export const managed = (m: Machine): string[] =>
  [...m.zones!.nodes.values()].flatMap((pg) => pg.zones.map((z, zid) => `${pg.nodeId}/${zid}=${z.managedPages}`));
