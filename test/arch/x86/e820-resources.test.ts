// e820__reserve_resources(): one resource per e820_table entry in one allocation, then one
// firmware_map_add_early() per e820_table_firmware entry.
//
//   firmware map (9 entries, q35 2G)   e820_table (10: page 0 split off the first RAM entry)
//   [0 ......... 9fbff] usable         [0 - fff] reserved, [1000 - 9fbff] usable
//   ...                                ...
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { e820ReserveResources, e820ResourcesSize } from '../../../src/arch/x86/e820-resources.js';
import { E820Type } from '../../../src/arch/x86/e820-types.js';
import { requests, tailMachine } from './setup-arch-tail-fixture.js';

const { RAM, RESERVED } = E820Type;
const FIRMWARE = [
  { addr: 0, size: 0x9fc00, type: RAM },
  { addr: 0x9fc00, size: 0x400, type: RESERVED },
  { addr: 0xf0000, size: 0x10000, type: RESERVED },
  { addr: 0x100000, size: 0x7fee0000, type: RAM },
];
const TABLE = [{ addr: 0, size: 0x1000, type: RESERVED }, { addr: 0x1000, size: 0x9ec00, type: RAM }, ...FIRMWARE.slice(1)];

describe('e820__reserve_resources()', () => {
  it('sizes the e820_res array at 64 bytes an entry', () => {
    assert.deepEqual([1, 9, 10, 409].map(e820ResourcesSize), [64, 576, 640, 26176]);
  });

  it('allocates for e820_table, then adds the firmware map entry by entry', () => {
    const { m, trace } = tailMachine({ table: TABLE, firmware: FIRMWARE });
    e820ReserveResources(m);
    assert.deepEqual(requests(trace), ['320 e820__reserve_resources', ...FIRMWARE.map(() => '104 firmware_map_add_early')]);
    assert.deepEqual(m.firmwareMap, FIRMWARE.map((e) => ({ start: e.addr, end: e.addr + e.size, type: e.type })));
  });
});
