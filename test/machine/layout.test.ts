// The QEMU + SeaBIOS e820 map for pc and q35 machines of several sizes, written out as the
// kernel prints it ("BIOS-e820: …"). The pc 1G/3G/4G, q35 2G/3G/12G rows are corpus boots.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseMachine } from '../../src/machine/index.js';
import { e820Lines } from './fixture.js';

// Lines every map starts with: RAM to 639K, the EBDA, the BIOS segment.
const LOW = [
  '[mem 0x0000000000000000-0x000000000009fbff] usable',
  '[mem 0x000000000009fc00-0x000000000009ffff] reserved',
  '[mem 0x00000000000f0000-0x00000000000fffff] reserved',
];
const Q35_WINDOWS = [
  '[mem 0x00000000b0000000-0x00000000bfffffff] reserved', // MMCONFIG
  '[mem 0x00000000fed1c000-0x00000000fed1ffff] reserved', // ICH9 RCRB
];
const BIOS_ROM = '[mem 0x00000000fffc0000-0x00000000ffffffff] reserved';
const AMD_HT = '[mem 0x000000fd00000000-0x000000ffffffffff] reserved';

const cases: { machine: 'pc' | 'q35'; memory: string; e820: string[] }[] = [
  { machine: 'pc', memory: '1G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000003ffdffff] usable',
    '[mem 0x000000003ffe0000-0x000000003fffffff] reserved', BIOS_ROM, AMD_HT] },
  { machine: 'pc', memory: '2G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000007ffdffff] usable',
    '[mem 0x000000007ffe0000-0x000000007fffffff] reserved', BIOS_ROM, AMD_HT] },
  { machine: 'pc', memory: '3G', e820: [...LOW,
    '[mem 0x0000000000100000-0x00000000bffdffff] usable',
    '[mem 0x00000000bffe0000-0x00000000bfffffff] reserved', BIOS_ROM, AMD_HT] },
  // Just below 3.5G stays low; 3.5G itself is split at 3G (gigabyte_align).
  { machine: 'pc', memory: '3.25G', e820: [...LOW,
    '[mem 0x0000000000100000-0x00000000cffdffff] usable',
    '[mem 0x00000000cffe0000-0x00000000cfffffff] reserved', BIOS_ROM, AMD_HT] },
  { machine: 'pc', memory: '3.5G', e820: [...LOW,
    '[mem 0x0000000000100000-0x00000000bffdffff] usable',
    '[mem 0x00000000bffe0000-0x00000000bfffffff] reserved', BIOS_ROM,
    '[mem 0x0000000100000000-0x000000011fffffff] usable', AMD_HT] },
  { machine: 'pc', memory: '4G', e820: [...LOW,
    '[mem 0x0000000000100000-0x00000000bffdffff] usable',
    '[mem 0x00000000bffe0000-0x00000000bfffffff] reserved', BIOS_ROM,
    '[mem 0x0000000100000000-0x000000013fffffff] usable', AMD_HT] },
  { machine: 'pc', memory: '8G', e820: [...LOW,
    '[mem 0x0000000000100000-0x00000000bffdffff] usable',
    '[mem 0x00000000bffe0000-0x00000000bfffffff] reserved', BIOS_ROM,
    '[mem 0x0000000100000000-0x000000023fffffff] usable', AMD_HT] },
  { machine: 'pc', memory: '12G', e820: [...LOW,
    '[mem 0x0000000000100000-0x00000000bffdffff] usable',
    '[mem 0x00000000bffe0000-0x00000000bfffffff] reserved', BIOS_ROM,
    '[mem 0x0000000100000000-0x000000033fffffff] usable', AMD_HT] },
  { machine: 'q35', memory: '1G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000003ffdffff] usable',
    '[mem 0x000000003ffe0000-0x000000003fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM, AMD_HT] },
  { machine: 'q35', memory: '2G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000007ffdffff] usable',
    '[mem 0x000000007ffe0000-0x000000007fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM, AMD_HT] },
  // Just below 2.75G stays low; 2.75G itself is split at 2G.
  { machine: 'q35', memory: '2.5G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000009ffdffff] usable',
    '[mem 0x000000009ffe0000-0x000000009fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM, AMD_HT] },
  { machine: 'q35', memory: '2.75G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000007ffdffff] usable',
    '[mem 0x000000007ffe0000-0x000000007fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM,
    '[mem 0x0000000100000000-0x000000012fffffff] usable', AMD_HT] },
  { machine: 'q35', memory: '3G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000007ffdffff] usable',
    '[mem 0x000000007ffe0000-0x000000007fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM,
    '[mem 0x0000000100000000-0x000000013fffffff] usable', AMD_HT] },
  { machine: 'q35', memory: '4G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000007ffdffff] usable',
    '[mem 0x000000007ffe0000-0x000000007fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM,
    '[mem 0x0000000100000000-0x000000017fffffff] usable', AMD_HT] },
  { machine: 'q35', memory: '8G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000007ffdffff] usable',
    '[mem 0x000000007ffe0000-0x000000007fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM,
    '[mem 0x0000000100000000-0x000000027fffffff] usable', AMD_HT] },
  { machine: 'q35', memory: '12G', e820: [...LOW,
    '[mem 0x0000000000100000-0x000000007ffdffff] usable',
    '[mem 0x000000007ffe0000-0x000000007fffffff] reserved', ...Q35_WINDOWS, BIOS_ROM,
    '[mem 0x0000000100000000-0x000000037fffffff] usable', AMD_HT] },
];

const e820Of = (yaml: string): string[] => e820Lines(parseMachine(yaml, 'm.yaml').firmware);

describe('QEMU RAM layout', () => {
  for (const c of cases) {
    it(`${c.machine} ${c.memory}`, () => {
      assert.deepEqual(e820Of(`machine: ${c.machine}\nmemory: ${c.memory}\n`), c.e820);
    });
  }

  it('pc with max-ram-below-4g=2G splits 4G at 2G', () => {
    assert.deepEqual(e820Of('machine: pc\nmemory: 4G\nmaxRamBelow4G: 2G\n').slice(3, 7), [
      '[mem 0x0000000000100000-0x000000007ffdffff] usable',
      '[mem 0x000000007ffe0000-0x000000007fffffff] reserved',
      BIOS_ROM,
      '[mem 0x0000000100000000-0x000000017fffffff] usable',
    ]);
  });

  it('pc with max-ram-below-4g=4G keeps 3968M low (QEMU\'s own example)', () => {
    assert.deepEqual(e820Of('machine: pc\nmemory: 3968M\nmaxRamBelow4G: 4G\n').slice(3, 6), [
      '[mem 0x0000000000100000-0x00000000f7fdffff] usable',
      '[mem 0x00000000f7fe0000-0x00000000f7ffffff] reserved',
      BIOS_ROM,
    ]);
  });

  it('q35 with max-ram-below-4g=1G splits 4G at 1G', () => {
    assert.deepEqual(e820Of('machine: q35\nmemory: 4G\nmaxRamBelow4G: 1G\n').at(-2), '[mem 0x0000000100000000-0x00000001bfffffff] usable');
  });

  it('kvm adds the identity-map/TSS pages below the BIOS', () => {
    assert.deepEqual(e820Of('machine: pc\nmemory: 1G\naccel: kvm\n').slice(5), [
      '[mem 0x00000000feffc000-0x00000000feffffff] reserved', BIOS_ROM, AMD_HT,
    ]);
  });

  it('an Intel cpu has no HyperTransport window', () => {
    assert.equal(e820Of('machine: pc\nmemory: 1G\ncpuVendor: intel\n').at(-1), BIOS_ROM);
  });

  it('AMD: RAM above 4G moves to 1T once the 64-bit PCI hole would reach the HT window', () => {
    // q35 970G: RAM to 972G, hole64 to 1004G < 1012G: stays. 984G: hole64 to 1018G: moves.
    assert.equal(e820Of('machine: q35\nmemory: 970G\n').at(-2), '[mem 0x0000000100000000-0x000000f2ffffffff] usable');
    assert.deepEqual(e820Of('machine: q35\nmemory: 984G\n').slice(-2), [
      AMD_HT, '[mem 0x0000010000000000-0x000001f57fffffff] usable',
    ]);
    assert.equal(e820Of('machine: q35\nmemory: 984G\ncpuVendor: intel\n').at(-1), '[mem 0x0000000100000000-0x000000f67fffffff] usable');
  });

  it('biosReserved sets the chunk SeaBIOS keeps below the top of low RAM', () => {
    assert.deepEqual(e820Of('machine: pc\nmemory: 1G\nbiosReserved: 0x21000\n').slice(3, 5), [
      '[mem 0x0000000000100000-0x000000003ffdefff] usable',
      '[mem 0x000000003ffdf000-0x000000003fffffff] reserved',
    ]);
  });

  it('explicit node ranges keep their places; the BIOS carves the same holes', () => {
    const yaml = 'machine: pc\nnodes:\n  - memory: [{start: 0, end: 1G}]\n  - memory: [{start: 4G, size: 1G}, {start: 8G, size: 1G}]\n';
    assert.deepEqual(e820Of(yaml), [...LOW,
      '[mem 0x0000000000100000-0x000000003ffdffff] usable',
      '[mem 0x000000003ffe0000-0x000000003fffffff] reserved', BIOS_ROM,
      '[mem 0x0000000100000000-0x000000013fffffff] usable',
      '[mem 0x0000000200000000-0x000000023fffffff] usable', AMD_HT]);
  });
});
