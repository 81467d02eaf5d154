// The e820 and setup_arch() line formats: parse(emit(x)) = x for each, exact 6.1 text, and
// the labels other kernel versions print.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { E820Type, U64_MAX } from '../../../src/arch/x86/e820-types.js';
import {
  e820Formats,
  e820TypeFromLabel,
  e820TypeLabel,
  fmtCommandLine,
  fmtE820Entry,
  fmtE820KernelNotRam,
  fmtE820LastPfn,
  fmtE820MapHeader,
  fmtE820Remove,
  fmtE820TooMany,
  fmtE820Update,
  fmtEarlyParamMalformed,
  fmtIgnoreLoglevel,
  fmtKernelCommandLine,
  fmtMemNopentium,
  fmtE820PciGap,
  fmtE820NoPciGap,
  fmtE820NoPciGapWarn,
} from '../../../src/trace/formats/e820.js';
import type { LineFormat } from '../../../src/trace/format.js';

const { RAM, RESERVED, ACPI, NVS, UNUSABLE, PMEM, PRAM, SOFT_RESERVED } = E820Type;
/** Types whose label reads back as the same type (RESERVED_KERN prints "usable"). */
const PRINTABLE_TYPES = [RAM, RESERVED, ACPI, NVS, UNUSABLE, PMEM, PRAM, SOFT_RESERVED, 6, 13, 0x12345678];

function roundTrip<T>(fmt: LineFormat<T>, v: T, text: string): void {
  assert.equal(fmt.emit(v), text);
  assert.deepEqual(fmt.parse(text), v);
}

/** A case bound to its format's value type. */
const c = <T>(fmt: LineFormat<T>, v: T, text: string) => ({ name: fmt.name, text, run: () => roundTrip(fmt, v, text) });

describe('e820 formats: exact 6.1 text and parse(emit(x)) = x', () => {
  const cases = [
    c(fmtE820Entry, { who: 'BIOS-e820', addr: 0, size: 0x9fc00, type: RAM }, 'BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable'),
    c(fmtE820Entry, { who: 'reserve setup_data', addr: 0xfd00000000, size: 0x300000000, type: RESERVED }, 'reserve setup_data: [mem 0x000000fd00000000-0x000000ffffffffff] reserved'),
    c(fmtE820Entry, { who: 'user', addr: 0x80000000, size: 0x20000000, type: PRAM }, 'user: [mem 0x0000000080000000-0x000000009fffffff] persistent (type 12)'),
    c(fmtE820MapHeader, 'BIOS-provided', 'BIOS-provided physical RAM map:'),
    c(fmtE820MapHeader, 'user-defined', 'user-defined physical RAM map:'),
    c(fmtE820MapHeader, 'modified', 'modified physical RAM map:'),
    c(fmtE820MapHeader, 'extended', 'extended physical RAM map:'),
    c(fmtE820Update, { start: 0, end: 0x1000, oldType: RAM, newType: RESERVED }, 'e820: update [mem 0x00000000-0x00000fff] usable ==> reserved'),
    c(fmtE820Update, { start: 0x100000000, end: U64_MAX, oldType: RAM, newType: SOFT_RESERVED }, 'e820: update [mem 0x100000000-0xfffffffffffffffe] usable ==> soft reserved'),
    c(fmtE820Remove, { start: 0xa0000, end: 0x100000, type: RAM }, 'e820: remove [mem 0x000a0000-0x000fffff] usable'),
    c(fmtE820Remove, { start: 0xc0000000, end: U64_MAX, type: RAM }, 'e820: remove [mem 0xc0000000-0xfffffffffffffffe] usable'),
    c(fmtE820Remove, { start: 0x1000000, end: 0x3000000 }, 'e820: remove [mem 0x01000000-0x02ffffff] '),
    c(fmtE820Remove, { start: 0, end: 0 }, 'e820: remove [mem 0x00000000-0xffffffffffffffff] '),
    c(fmtE820TooMany, { start: 0xfed00000, end: 0xfed01000 }, 'too many entries; ignoring [mem 0xfed00000-0xfed00fff]'),
    c(fmtE820LastPfn, { lastPfn: 0x180000, maxArchPfn: 0x400000000 }, 'last_pfn = 0x180000 max_arch_pfn = 0x400000000'),
    c(fmtE820LastPfn, { lastPfn: 0, maxArchPfn: 0x10000000000 }, 'last_pfn = 0x0 max_arch_pfn = 0x10000000000'),
    c(fmtE820KernelNotRam, true, '.text .data .bss are not marked as E820_TYPE_RAM!'),
    c(fmtCommandLine, 'console=ttyS0 memblock=debug "a b"', 'Command line: console=ttyS0 memblock=debug "a b"'),
    c(fmtCommandLine, '', 'Command line: '),
    c(fmtKernelCommandLine, 'mem=3G', 'Kernel command line: mem=3G'),
    c(fmtEarlyParamMalformed, 'mem', "Malformed early option 'mem'"),
    c(fmtMemNopentium, true, 'mem=nopentium ignored! (only supported on x86_32)'),
    c(fmtIgnoreLoglevel, true, 'printk: debug: ignoring loglevel setting.'),
    c(fmtE820PciGap, { start: 0xc0000000, end: 0xfed1c000 }, '[mem 0xc0000000-0xfed1bfff] available for PCI devices'),
    c(fmtE820PciGap, { start: 0x100100000, end: 0x100500000 }, '[mem 0x100100000-0x1004fffff] available for PCI devices'),
    c(fmtE820NoPciGap, true, 'Cannot find an available gap in the 32-bit address range'),
    c(fmtE820NoPciGapWarn, true, 'PCI devices with unassigned 32-bit BARs may not work!'),
  ];
  for (const k of cases) it(`${k.name}: ${k.text}`, k.run);

  it('every format of the table is covered', () => {
    const covered = new Set(cases.map((k) => k.name));
    assert.deepEqual(e820Formats.map((f) => f.name).filter((n) => !covered.has(n)), []);
  });

  it('round-trips random map lines and update/remove lines', () => {
    const addr = fc.integer({ min: 0, max: 2 ** 40 });
    const type = fc.constantFrom(...PRINTABLE_TYPES);
    fc.assert(
      fc.property(fc.constantFrom('BIOS-e820', 'user', 'modified', 'extended', 'BIOS-88'), addr, fc.integer({ min: 1, max: 2 ** 40 }), type, (who, a, size, t) => {
        const v = { who, addr: a, size, type: t };
        assert.deepEqual(fmtE820Entry.parse(fmtE820Entry.emit(v)), v);
      }),
    );
    fc.assert(
      fc.property(addr, fc.integer({ min: 1, max: 2 ** 40 }), type, type, (start, size, oldType, newType) => {
        const u = { start, end: start + size, oldType, newType };
        assert.deepEqual(fmtE820Update.parse(fmtE820Update.emit(u)), u);
        const r = { start, end: start + size, type: oldType };
        assert.deepEqual(fmtE820Remove.parse(fmtE820Remove.emit(r)), r);
      }),
    );
  });

  it('a line of another format is not taken', () => {
    for (const l of [
      'RAMDISK: [mem 0x3fe99000-0x3ffdffff]',
      'PM: hibernation: Registered nosave memory: [mem 0x00000000-0x00000fff]',
      'e820: reserve RAM buffer [mem 0x0009fc00-0x0009ffff]',
      'Faking a node at [mem 0x0000000000000000-0x000000003ffdffff]',
      'ACPI: Reserving FACP table memory at [mem 0x3ffe1984-0x3ffe19f7]',
      '  DMA      [mem 0x0000000000001000-0x0000000000ffffff]',
    ]) {
      assert.deepEqual(e820Formats.filter((f) => f.parse(l) !== undefined).map((f) => f.name), [], l);
    }
  });
});

describe('e820 type labels', () => {
  it('e820TypeLabel is e820_print_type() of 6.1', () => {
    assert.deepEqual(
      [RAM, E820Type.RESERVED_KERN, RESERVED, ACPI, NVS, UNUSABLE, PMEM, PRAM, SOFT_RESERVED, 6].map(e820TypeLabel),
      ['usable', 'usable', 'reserved', 'ACPI data', 'ACPI NVS', 'unusable', 'persistent (type 7)', 'persistent (type 12)', 'soft reserved', 'type 6'],
    );
  });

  it('parses the labels of newer kernels too', () => {
    const table: [string, number][] = [
      ['System RAM', RAM],
      ['kernel usable RAM', RAM],
      ['device reserved', RESERVED],
      ['persistent RAM (type 12)', PRAM],
      ['persistent RAM', PMEM],
      ['persistent (type 7)', PMEM],
      ['soft reserved', SOFT_RESERVED],
      ['type 13', 13],
    ];
    for (const [label, type] of table) assert.equal(e820TypeFromLabel(label), type, label);
    assert.equal(e820TypeFromLabel('Reserved'), undefined);
  });

  it('reads newer map lines: leading space before the label, a size column', () => {
    assert.deepEqual(fmtE820Entry.parse('BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]  System RAM'), {
      who: 'BIOS-e820', addr: 0, size: 0x9fc00, type: RAM,
    });
    assert.deepEqual(fmtE820Entry.parse('BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff]   2047 MB System RAM'), {
      who: 'BIOS-e820', addr: 0x100000, size: 0x7fee0000, type: RAM,
    });
    assert.deepEqual(fmtE820Update.parse('e820: update [mem 0x00000000-0x00000fff] System RAM ==> device reserved'), {
      start: 0, end: 0x1000, oldType: RAM, newType: RESERVED,
    });
    assert.equal(fmtE820MapHeader.parse('e820: BIOS-provided physical RAM map:'), 'BIOS-provided');
  });
});
