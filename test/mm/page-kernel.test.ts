// The WebAssembly page kernel writes exactly the bytes of the JS loops (src/mm/page.ts,
// page-free-core.ts), and the memmap arenas it works in hand out, reuse and free section slots.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { memInit } from '../../src/arch/x86/mem-init.js';
import { PAGES_PER_SECTION, ZoneType } from '../../src/include/mmzone.js';
import { FlagsLo, PG } from '../../src/include/page-flags.js';
import type { DeferredStrategy } from '../../src/mm/deferred-work.js';
import { PAGE_WORDS, PageWord, pageWord } from '../../src/mm/page.js';
import { freePagesCore } from '../../src/mm/page-free-core.js';
import { initSinglePageRange } from '../../src/mm/page-init.js';
import { memmapNew, sparseAddSection, sparseRemoveSection, type Memmap } from '../../src/mm/sparse.js';
import type { ZoneLayout } from '../../src/mm/zone.js';
import { ARENA_BASE, ARENA_MAX_SLOTS, arenaAlloc, arenaFree, arenaReserve, type MemmapArena } from '../../src/mm/wasm/arena.js';
import { base64Bytes } from '../../src/mm/wasm/webassembly.js';
import { booted, freeBlocks, machineFile, memmapDiff } from './deferred-fixture.js';
import type { Buddy } from '../../src/mm/page-alloc.js';

const M2 = 2 ** 21;

/** Two memmaps over the same sections: one in arenas (wasm kernel), one in plain buffers (JS loops). */
function pair(firstSection: number, sections: number): [Memmap, Memmap] {
  const make = (wasm: boolean): Memmap => {
    const mm = memmapNew({ poison: true, wasm });
    for (let k = 0; k < sections; k++) assert.equal(sparseAddSection(mm, 0, (firstSection + k) * PAGES_PER_SECTION, PAGES_PER_SECTION), 0);
    return mm;
  };
  const w = make(true);
  assert.ok(w.wasm && w.arenas.length === 1, 'this host runs the wasm kernel');
  return [w, make(false)];
}

describe('the WebAssembly page kernel', () => {
  it('__init_single_page: the same bytes as the JS loop, low and high vmemmap halves alike', () => {
    // Section 2048 starts at pfn 0x4000000: its struct pages' addresses have the high half 0xffffea01.
    for (const first of [1, 2047, 2048]) {
      const [w, j] = pair(first, 2);
      const s = first * PAGES_PER_SECTION;
      for (const mm of [w, j]) {
        initSinglePageRange(mm, s + 3, s + 1000, ZoneType.NORMAL, 5);
        initSinglePageRange(mm, s + PAGES_PER_SECTION - 7, s + PAGES_PER_SECTION + 9, ZoneType.DMA32, 1023);
      }
      assert.equal(memmapDiff(w, j), undefined);
      const mm = w.sections[first]!.memmap!;
      const o = pageWord(s + 3);
      assert.equal(mm[o + PageWord.LRU_NEXT + 1], first >= 2048 ? 0xffffea01 : 0xffffea00);
      assert.equal(mm[o + PageWord.MAPCOUNT], 0xffffffff);
      assert.equal(mm[o + PageWord.REFCOUNT], 1);
      assert.equal(mm[o - PAGE_WORDS], 0xffffffff, 'the page before the range keeps its poison');
    }
  });

  it('__free_pages_core: the same bytes as the JS loops, orders 0, 9 and 10', () => {
    const [w, j] = pair(4, 1);
    const s = 4 * PAGES_PER_SECTION;
    const zones = { nodes: new Map([[0, { zones: Array.from({ length: 5 }, () => ({ managedPages: 0 })) }]]) } as unknown as ZoneLayout;
    const freed: number[][] = [];
    for (const mm of [w, j]) {
      initSinglePageRange(mm, s, s + 4096, ZoneType.NORMAL, 0);
      // Flags the free path must clear (reserved, dirty, LRU gen) and one it keeps (hwpoison).
      const words = mm.sections[4]!.memmap!;
      for (let p = 0; p < 4096; p += 3) words[p * PAGE_WORDS] = (words[p * PAGE_WORDS]! | (1 << PG.reserved) | (1 << PG.dirty) | (1 << 27) | (p % 2 ? 1 << PG.hwpoison : 0)) >>> 0;
      const buddy = { freeOnePage: (...a: number[]): void => void freed.push(a), freeMaxOrderRun: (): void => assert.fail('no runs here') };
      freePagesCore(buddy, { memmap: mm, zones }, s + 1024, 10);
      freePagesCore(buddy, { memmap: mm, zones }, s + 2048, 9);
      freePagesCore(buddy, { memmap: mm, zones }, s + 3000, 0);
    }
    assert.equal(memmapDiff(w, j), undefined);
    assert.deepEqual(freed.slice(0, 3), freed.slice(3));
    const words = w.sections[4]!.memmap!;
    assert.equal(words[pageWord(s + 1024 + 3) + PageWord.REFCOUNT], 0);
    assert.equal(words[pageWord(s + 1024 + 3)]! & FlagsLo.CHECK_AT_PREP, 0);
  });

  for (const strategy of ['legacy', 'maxorder', 'parallel'] as DeferredStrategy[]) {
    it(`a boot with ${strategy} deferred init: the same memmap and free lists with the wasm kernel as with the JS loops`, () => {
      const run = (wasm: boolean) => {
        const m = booted(machineFile('pc-1g'));
        memInit(m, { strategy, maxThreads: 2, memmap: { trackInit: true, wasm } });
        return m;
      };
      const a = run(true);
      const b = run(false);
      assert.ok(a.memmap!.arenas.length > 0 && b.memmap!.arenas.length === 0);
      assert.equal(memmapDiff(a.memmap!, b.memmap!), undefined);
      assert.deepEqual(freeBlocks(a.buddy as Buddy), freeBlocks(b.buddy as Buddy));
    });
  }

  it('decodes its base64 bytes without atob', () => {
    assert.deepEqual([...base64Bytes('AGFzbQEAAAA=')], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });
});

describe('memmap arenas', () => {
  it('hand out 2 MiB slots after the module page, reuse freed ones, and open a new arena past 4 GiB', () => {
    const arenas: MemmapArena[] = [];
    arenaReserve(arenas, 3);
    assert.equal(arenas.length, 1);
    assert.equal(arenas[0]!.memory.buffer.byteLength, ARENA_BASE + 3 * M2);
    const a = [arenaAlloc(arenas), arenaAlloc(arenas), arenaAlloc(arenas)];
    assert.deepEqual(a.map((s) => s.byteOffset), [ARENA_BASE, ARENA_BASE + M2, ARENA_BASE + 2 * M2]);
    arenaFree(arenas, 0, a[1]!.byteOffset);
    assert.deepEqual(arenaAlloc(arenas), { arena: 0, byteOffset: ARENA_BASE + M2, reused: true });
    const grown = arenaAlloc(arenas); // grows the memory by one slot
    assert.deepEqual(grown, { arena: 0, byteOffset: ARENA_BASE + 3 * M2, reused: false });
    assert.equal(arenas[0]!.memory.buffer.byteLength, ARENA_BASE + 4 * M2);
    arenaReserve(arenas, ARENA_MAX_SLOTS); // 2043 fit in arena 0, 4 go to a new one (virtual memory only)
    assert.equal(arenas.length, 2);
    assert.equal(arenas[0]!.slots, ARENA_MAX_SLOTS);
    assert.equal(arenas[1]!.slots, 4);
    assert.ok(ARENA_BASE + ARENA_MAX_SLOTS * M2 < 2 ** 32);
  });

  it('a hot-removed section gives its slot back; the next hot-add gets it poisoned (or zeroed without poison)', () => {
    for (const poison of [true, false]) {
      const mm = memmapNew({ poison });
      assert.equal(sparseAddSection(mm, 0, 8 * PAGES_PER_SECTION, PAGES_PER_SECTION), 0);
      assert.equal(sparseAddSection(mm, 0, 9 * PAGES_PER_SECTION, PAGES_PER_SECTION), 0);
      initSinglePageRange(mm, 8 * PAGES_PER_SECTION, 9 * PAGES_PER_SECTION, ZoneType.MOVABLE, 0);
      const off = mm.sections[8]!.memmap!.byteOffset;
      assert.equal(sparseRemoveSection(mm, 8 * PAGES_PER_SECTION, PAGES_PER_SECTION), 0);
      assert.equal(mm.allocatedBytes, M2);
      assert.equal(sparseAddSection(mm, 0, 12 * PAGES_PER_SECTION, PAGES_PER_SECTION), 0);
      const ms = mm.sections[12]!;
      assert.equal(ms.memmap!.byteOffset, off);
      assert.ok(ms.memmap!.every((v) => v === (poison ? 0xffffffff : 0)));
    }
  });
});
