// Memory block size: x86's probe_memory_block_size() for the machine sizes meminit boots.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { probeMemoryBlockSize } from '../../../src/drivers/base/memory.js';

const G = 2 ** 30;
const M = 2 ** 20;
const pfns = (bytes: number) => bytes / 4096;

describe('probe_memory_block_size()', () => {
  const table: [string, number, boolean, number][] = [
    ['1 GiB guest: one section', 1 * G, true, 128 * M],
    ['just under 64 GiB: one section', 64 * G - 128 * M, true, 128 * M],
    ['64 GiB guest: 2 GiB divides the end', 64 * G, true, 2 * G],
    ['the seed: 385 GiB of boot memory end in a guest → 1 GiB', 385 * G, true, 1 * G],
    ['a guest ending 128 MiB past a GiB → 128 MiB', 100 * G + 128 * M, true, 128 * M],
    ['bare metal above 64 GiB: always 2 GiB', 385 * G, false, 2 * G],
  ];
  for (const [what, end, hv, want] of table) {
    it(what, () => assert.equal(probeMemoryBlockSize(pfns(end), hv), want));
  }
});
