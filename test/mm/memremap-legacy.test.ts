// 4.19's ZONE_DEVICE init (memmap_init_zone per pfn + the second devm_memremap_pages walk) against
// 6.1's (memmap_init_range for the altmap pages + memmap_init_zone_device): the same bytes, init
// counts and pageblock bits, except page->zone_device_data of device pages — NULL in 6.1,
// LIST_POISON2 (0xdead000000000122) left by 4.19's list_del().
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { MemoryType, PGMAP_ADDR_HI, pgmapAddrLo, type DevPagemap } from '../../src/include/memremap.js';
import { MigrateType, PAGES_PER_SECTION, ZoneType } from '../../src/include/mmzone.js';
import { memblockCreate } from '../../src/mm/memblock.js';
import { earlyInitState, memmapInitRange, memmapInitZoneDevice, vmemAltmapOffset } from '../../src/mm/memmap-init-range.js';
import { sectionChunks } from '../../src/mm/memremap-hotplug.js';
import { zoneDeviceInit419 } from '../../src/mm/memremap-legacy.js';
import { ndPfnLayout } from '../../src/mm/memremap-pmem.js';
import { PAGE_WORDS, PageWord } from '../../src/mm/page.js';
import { memmapNew, sparseAddSection, type Memmap } from '../../src/mm/sparse.js';
import type { ZoneLayout } from '../../src/mm/zone.js';

const M = 2 ** 20;
const START = 64 * 1024 * M;

function setup(size: number, altmap: boolean, nid: number): { mm: Memmap; pgmap: DevPagemap } {
  const mm = memmapNew({ trackInit: true });
  for (const [p, n] of sectionChunks(START / 4096, size / 4096)) assert.equal(sparseAddSection(mm, nid, p, n), 0);
  const lay = altmap ? ndPfnLayout(START, size, 2 * M) : undefined;
  if (typeof lay === 'number') throw new Error('layout');
  return {
    mm,
    pgmap: {
      id: 3, type: MemoryType.FS_DAX, start: START, end: START + size, altmap: lay && { ...lay.altmap, alloc: 0, align: 0 },
      vmemmapShift: 0, nid, addrHi: PGMAP_ADDR_HI, addrLo: pgmapAddrLo(3), ref: 0, vmemmapPfn: new Map(),
    },
  };
}

const zones = (): ZoneLayout => ({
  archZoneLowestPossiblePfn: [], archZoneHighestPossiblePfn: [], zoneMovablePfn: new Map(), movableZone: ZoneType.NORMAL, nodes: new Map(),
});

describe('ZONE_DEVICE init: 4.19 and 6.1 agree but for zone_device_data', () => {
  for (const [size, altmap, gbm] of [[256 * M, true, false], [256 * M, false, false], [200 * M, true, true], [6 * M, false, false]] as const) {
    it(`${size / M}M, ${altmap ? 'memmap on the device' : 'memmap in RAM'}${gbm ? ', grouping by mobility disabled' : ''}`, () => {
      const nid = 1;
      const a = setup(size, altmap, nid);
      const b = setup(size, altmap, nid);
      const startPfn = START / 4096;
      const nr = size / 4096;
      memmapInitRange({ mb: memblockCreate(), zones: zones(), memmap: a.mm, presentSections: new Set(), groupByMobilityDisabled: gbm, early: earlyInitState() },
        nr, nid, ZoneType.DEVICE, startPfn, 0, 'hotplug', a.pgmap.altmap, MigrateType.MOVABLE);
      memmapInitZoneDevice(a.mm, gbm, nid, startPfn, nr, a.pgmap);
      a.pgmap.ref += nr - vmemAltmapOffset(a.pgmap.altmap);
      zoneDeviceInit419(b.mm, gbm, b.pgmap);
      assert.equal(a.pgmap.ref, b.pgmap.ref);
      const first = startPfn + vmemAltmapOffset(a.pgmap.altmap);
      let differing = 0;
      for (const [p, n] of sectionChunks(startPfn, nr)) {
        const nrSec = Math.floor(p / PAGES_PER_SECTION);
        const x = a.mm.sections[nrSec]!;
        const y = b.mm.sections[nrSec]!;
        assert.deepEqual([...x.usage], [...y.usage], `section ${nrSec}: pageblock bits`);
        assert.deepEqual(x.initCount, y.initCount, `section ${nrSec}: init counts`);
        for (let pfn = p; pfn < p + n; pfn++) {
          const w = (pfn % PAGES_PER_SECTION) * PAGE_WORDS;
          for (let i = 0; i < PAGE_WORDS; i++) {
            const zdd = i === PageWord.LRU_PREV || i === PageWord.LRU_PREV + 1;
            if (pfn >= first && zdd) {
              assert.deepEqual([x.memmap![w + i], y.memmap![w + i]], [0, i === PageWord.LRU_PREV ? 0x122 : 0xdead0000], `pfn ${pfn} word ${i}`);
              differing++;
            } else if (x.memmap![w + i] !== y.memmap![w + i]) {
              assert.fail(`pfn 0x${pfn.toString(16)} word ${i}: 6.1 0x${x.memmap![w + i]!.toString(16)}, 4.19 0x${y.memmap![w + i]!.toString(16)}`);
            }
          }
        }
      }
      assert.equal(differing, 2 * (startPfn + nr - first));
    });
  }
});
