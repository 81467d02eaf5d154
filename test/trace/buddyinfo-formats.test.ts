// /proc/buddyinfo and /proc/pagetypeinfo formats: every capture of the corpus parses and
// re-emits byte for byte (trailing spaces included), and parse(emit(x)) = x for made-up values,
// including the ">100000" of a list too long to walk and numbers wider than their columns.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { buddyinfoZone, emitBuddyinfo, parseBuddyinfo } from '../../src/trace/formats/buddyinfo.js';
import {
  blocksHeader, emitPagetypeinfo, freeHeader, freeRow, parsePagetypeinfo, type PagetypeinfoNode,
} from '../../src/trace/formats/pagetypeinfo.js';
import { fallbackOrder } from '../../src/trace/formats/zone.js';

const corpus = fileURLToPath(new URL('../../../test/corpus/', import.meta.url));
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log')).sort();

describe('corpus captures round-trip byte for byte', () => {
  for (const name of logs) {
    const log = lexBootLog(readFileSync(corpus + name, 'utf8'), name);
    const buddy = log.captures.get('/proc/buddyinfo');
    const types = log.captures.get('/proc/pagetypeinfo');
    if (!buddy || !types) continue;
    it(`${name}: /proc/buddyinfo and /proc/pagetypeinfo`, () => {
      assert.deepEqual(emitBuddyinfo(parseBuddyinfo(buddy.lines)), buddy.lines);
      const nodes = parsePagetypeinfo(types.lines);
      assert.ok(nodes.length > 0);
      assert.deepEqual(emitPagetypeinfo(nodes), types.lines);
      assert.deepEqual(nodes.map((n) => n.free.length), nodes.map((n) => n.blocks.length * 5), 'five migratetypes per zone');
    });
  }
});

describe('single lines', () => {
  it('buddyinfo: "Node %d, zone %8s " then "%6lu " per order', () => {
    const v = { nid: 0, zone: 'Movable', nrFree: [1, 2, 1234567, 0] };
    const line = buddyinfoZone.emit(v);
    assert.equal(line, 'Node 0, zone  Movable      1      2 1234567      0 ');
    assert.deepEqual(buddyinfoZone.parse(line), v);
  });

  it('pagetypeinfo: a list cut off at 100000 prints ">100000"', () => {
    const v = { nid: 12, zone: 'Normal', type: 'Movable', counts: [0, 100000, 99999] };
    const line = freeRow.emit(v);
    assert.equal(line, 'Node   12, zone   Normal, type      Movable      0 >100000  99999 ');
    assert.deepEqual(freeRow.parse(line), v);
  });

  it('pagetypeinfo headers', () => {
    assert.equal(freeHeader.emit(3), 'Free pages count per migrate type at order       0      1      2 ');
    assert.equal(freeHeader.parse('Free pages count per migrate type at order       0      2 '), undefined, 'orders must count from 0');
    const names = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate'];
    assert.equal(blocksHeader.emit(names), 'Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate ');
  });

  it('a whole pagetypeinfo of two nodes', () => {
    const node = (nid: number): PagetypeinfoNode => ({
      nid, pageblockOrder: 9, pagesPerBlock: 512, orders: 2, types: ['A', 'B'],
      free: [{ zone: 'DMA32', type: 'A', counts: [1, 2] }, { zone: 'DMA32', type: 'B', counts: [3, 100000] }],
      blocks: [{ zone: 'DMA32', counts: [5, 1234567890123] }],
    });
    const nodes = [node(0), node(3)];
    assert.deepEqual(parsePagetypeinfo(emitPagetypeinfo(nodes)), nodes);
    assert.throws(() => parsePagetypeinfo(['Page block order: 9', 'oops']), /line 2: expected Pages per block, got "oops"/);
  });

  it('Fallback order for Node (trailing space trimmed by the lexer)', () => {
    const line = 'Fallback order for Node 1: 1 2 0';
    assert.deepEqual(fallbackOrder.parse(line), { nid: 1, order: [1, 2, 0] });
    assert.equal(fallbackOrder.emit({ nid: 1, order: [1, 2, 0] }), line);
  });
});
