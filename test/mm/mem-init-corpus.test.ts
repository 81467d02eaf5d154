// memblock_free_all on every real boot of the corpus: the pages it hands to the buddy allocator
// equal the "Memory: …K available" of the log plus the page-table pages mem_init() allocates
// right after it (preallocate_vmalloc_pages(): one page per PGD slot of the vmalloc area:
// 64 for its 32 TiB at the fixed 4-level base, 50 with 5 levels, one more under KASLR).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { memblockFreeAll } from '../../src/mm/memblock-free-all.js';
import { memInitContext } from '../../src/mm/page-init.js';
import { sparseInit } from '../../src/mm/sparse.js';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { replayBootLog } from '../../src/trace/replay.js';
import { earlyMemmapInit, RecordingBuddy } from './meminit-fixture.js';

const corpus = fileURLToPath(new URL('../../../test/corpus/', import.meta.url));
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log')).sort();

describe('memblock_free_all on the corpus', () => {
  for (const name of logs) {
    it(`${name}: freed pages = Memory: available + vmalloc PUD pages`, () => {
      const text = readFileSync(corpus + name, 'utf8');
      const m = replayBootLog(lexBootLog(text, name), { bootOnly: true }).machine;
      const memmap = sparseInit(m.memblock!, { poison: false });
      earlyMemmapInit(m.memblock!, m.zones!, memmap);
      const buddy = new RecordingBuddy();
      memblockFreeAll(memInitContext(m.memblock!, m.zones!, memmap, Math.min(...m.numa!.online)), buddy, m.maxLowPfn);
      const available = Number(/Memory: (\d+)K\/\d+K available/.exec(text)![1]) / 4;
      // One page per PGD slot of the vmalloc area: a PUD page per 512 GiB of its 32 TiB with four
      // levels, a P4D page per 256 TiB of its 12800 TiB with five. With KASLR the vmalloc base is
      // only 1 GiB aligned (511 in 512 it straddles one more slot).
      const slots = m.firmware.cpu?.la57 ? 12800 / 256 : (32 * 1024) / 512;
      const pudPages = slots + (/\bnokaslr\b/.test(m.params.cmdline) ? 0 : 1);
      assert.equal(buddy.pages - available, pudPages);
    });
  }
});
