// Every format of numa, zone, zoneinfo and setup lines: parse(emit(x)) = x, and real kernel
// lines (copied from test/corpus) parse and re-emit byte for byte.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { LineFormat } from '../../src/trace/format.js';
import * as N from '../../src/trace/formats/numa.js';
import * as S from '../../src/trace/formats/setup.js';
import * as A from '../../src/trace/formats/acpi.js';
import * as P from '../../src/trace/formats/power.js';
import * as F from '../../src/trace/formats/free.js';
import * as K from '../../src/trace/formats/kpageflags.js';
import * as Z from '../../src/trace/formats/zone.js';
import * as ZI from '../../src/trace/formats/zoneinfo.js';

/** Real 6.1 lines, each with the format that must read it. */
const REAL: [LineFormat<unknown>, string][] = [
  [N.sratMemory, 'ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]'],
  [N.sratMemory, 'ACPI: SRAT: Node 1 PXM 1 [mem 0x180000000-0x27fffffff] hotplug'],
  [N.sratCpu, 'SRAT: PXM 1 -> APIC 0x01 -> Node 1'],
  [N.numaMerge, 'NUMA: Node 0 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0x7fffffff] -> [mem 0x00000000-0x7fffffff]'],
  [N.nodeDataAllocated, 'NODE_DATA(0) allocated [mem 0x13ffd5000-0x13fffffff]'],
  [N.nodeDataOnNode, '    NODE_DATA(1) on node 0'],
  [N.numaDummy, 'No NUMA configuration found'],
  [N.numaFakeNode, 'Faking a node at [mem 0x0000000000000000-0x000000003ffdffff]'],
  [N.emuNode, 'Faking node 2 at [mem 0x0000000080000000-0x00000000ffffffff] (2048MB)'],
  [N.distanceTable, 'NUMA: Initialized distance table, cnt=4'],
  [Z.zoneRange, '  DMA      [mem 0x0000000000001000-0x0000000000ffffff]'],
  [Z.zoneRange, '  Device   empty'],
  [Z.movableStart, '  Node 0: 0x0000000140000000'],
  [Z.earlyRange, '  node   0: [mem 0x0000000000001000-0x000000000009efff]'],
  [Z.initmemSetup, 'Initmem setup node 0 [mem 0x0000000000001000-0x000000013fffffff]'],
  [Z.initmemSetup, 'Initmem setup node 1 as memoryless'],
  [Z.initializingMemoryless, 'Initializing node 1 as memoryless'],
  [Z.unavailableRanges, 'On node 0, zone DMA: 97 pages in unavailable ranges'],
  [Z.builtZonelists, 'Built 3 zonelists, mobility grouping on.  Total pages: 1548000'],
  [Z.policyZone, 'Policy zone: Normal'],
  [ZI.zoneinfoHeader, 'Node 0, zone    DMA32'],
  [ZI.zoneinfoCounter, '  pages free     3584'],
  [ZI.zoneinfoCounter, '        spanned  1044480'],
  [ZI.zoneinfoStartPfn, '  start_pfn:           4096'],
  [S.ramdisk, 'RAMDISK: [mem 0x7fe99000-0x7ffdffff]'],
  [K.kpageflagsRun, '0x3ffe0-0x3ffff reserved'],
  [K.kpageflagsRun, '0x80000-0xfffff nopage'],
  [K.kpageflagsRun, '0x3fe99-0x3ffdf -'],
  [K.kpageflagsRun, '0x200-0x3ff buddy'],
  [F.memInitInfo, 'Memory: 2237728K/6290936K available (14343K kernel code, 2338K rwdata, 9132K rodata, 2824K init, 17344K bss, 220956K reserved, 0K cma-reserved)'],
  [F.freeingMemory, 'Freeing unused kernel image (initmem) memory: 2824K'],
  [F.efiFreed, 'efi: Freeing EFI boot services memory: 43592K'],
  [S.acpiTableReserve, 'ACPI: Reserving FACP table memory at [mem 0x7ffe20c7-0x7ffe21ba]'],
  [A.hpetId, 'ACPI: HPET id: 0x8086a201 base: 0xfed00000'],
  [A.hpetInvalid, 'ACPI: HPET id: 0x8086a201 base: 0x0 is invalid'],
  [P.nosaveRegistered, 'PM: hibernation: Registered nosave memory: [mem 0x0009f000-0x000fffff]'],
  [P.nosaveRegistered, 'PM: hibernation: Registered nosave memory: [mem 0x7ff50000-0xffffffff]'],
];

describe('kernel lines round-trip', () => {
  for (const [fmt, line] of REAL) {
    it(`${fmt.name}: ${line.trim()}`, () => {
      const v = fmt.parse(line);
      assert.notEqual(v, undefined, 'parses');
      assert.equal(fmt.emit(v), line);
      assert.deepEqual(fmt.parse(fmt.emit(v)), v);
    });
  }
});

describe('values round-trip', () => {
  it('zone ranges at the top of a 52-bit space', () => {
    const v = { zone: 'Normal', start: 2 ** 32, end: 2 ** 52 };
    assert.deepEqual(Z.zoneRange.parse(Z.zoneRange.emit(v)), v);
  });
  it('SRAT with both flags', () => {
    const v = { nid: 3, pxm: 7, start: 0x200000000, end: 0x300000000, hotplug: true, nonVolatile: true };
    assert.deepEqual(N.sratMemory.parse(N.sratMemory.emit(v)), v);
  });
  it('an unrelated line is of no format', () => {
    for (const [fmt] of REAL) assert.equal(fmt.parse('Booting paravirtualized kernel on bare hardware'), undefined);
  });
});
