// The page's number formats: sizes, axis labels, pfns.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bytes, count, pfnWithPhys, tickLabel } from '../../src/web/format.js';

const G = 2 ** 30;
const M = 2 ** 20;

describe('page number formats', () => {
  it('sizes keep three significant digits and drop trailing zeros', () => {
    assert.deepEqual([bytes(0), bytes(1536), bytes(2.2 * G), bytes(54.3 * M), bytes(385 * G), bytes(2 ** 40)], ['0 B', '1.5 KiB', '2.2 GiB', '54.3 MiB', '385 GiB', '1 TiB']);
  });

  it('axis labels are exact for their tick step', () => {
    const table: [number, number, string][] = [
      [32 * G, 32 * G, '32 GiB'], [7.625 * G, 128 * M, '7.625 GiB'], [7840 * M, 32 * M, '7840 MiB'], [3 * 4096, 4096, '12 KiB'], [2 ** 40, 2 ** 38, '1 TiB'],
    ];
    for (const [a, step, want] of table) assert.equal(tickLabel(a, step), want);
  });

  it('pfns come with their physical address, counts with thin spaces', () => {
    assert.equal(pfnWithPhys(0x9f), '0x9f (phys 0x9f000)');
    assert.equal(count(1234567), '1\u2009234\u2009567');
  });
});
