// The e820 part of setup_arch(): firmware map, mem=/memmap=, setup_data, the user map, the
// legacy BIOS trims and max_pfn, checked line by line on a QEMU q35 machine with 4 GiB.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SetupDataType,
  e820AddKernelRange,
  e820FinishEarlyParams,
  e820MemorySetup,
  e820ReserveSetupData,
  e820SetupArch,
  trimBiosRange,
  type E820BootInput,
} from '../../../src/arch/x86/e820-boot.js';
import { e820MemblockOps } from '../../../src/arch/x86/e820.js';
import { E820Type, e820StateNew, type E820Entry } from '../../../src/arch/x86/e820-types.js';
import { parseKernelParams } from '../../../src/kernel/params.js';
import { Printk } from '../../../src/kernel/printk.js';

const { RAM, RESERVED } = E820Type;
const texts = (log: Printk): string[] => log.lines.map((l) => l.text);
const e = (addr: number, last: number, type: number): E820Entry => ({ addr, size: last - addr + 1, type });

/** A QEMU q35 machine with 4 GiB (SeaBIOS): 2 GiB below the PCI hole, 2 GiB above 4 GiB. */
const Q35_4G: E820Entry[] = [
  e(0x0, 0x9fbff, RAM),
  e(0x9fc00, 0x9ffff, RESERVED),
  e(0xf0000, 0xfffff, RESERVED),
  e(0x100000, 0x7ffdbfff, RAM),
  e(0x7ffdc000, 0x7fffffff, RESERVED),
  e(0xb0000000, 0xbfffffff, RESERVED),
  e(0xfed1c000, 0xfed1ffff, RESERVED),
  e(0xfeffc000, 0xfeffffff, RESERVED),
  e(0xfffc0000, 0xffffffff, RESERVED),
  e(0x100000000, 0x17fffffff, RAM),
];
const Q35_MAP_LINES = (who: string): string[] => [
  `${who}: [mem 0x0000000000000000-0x000000000009fbff] usable`,
  `${who}: [mem 0x000000000009fc00-0x000000000009ffff] reserved`,
  `${who}: [mem 0x00000000000f0000-0x00000000000fffff] reserved`,
  `${who}: [mem 0x0000000000100000-0x000000007ffdbfff] usable`,
  `${who}: [mem 0x000000007ffdc000-0x000000007fffffff] reserved`,
  `${who}: [mem 0x00000000b0000000-0x00000000bfffffff] reserved`,
  `${who}: [mem 0x00000000fed1c000-0x00000000fed1ffff] reserved`,
  `${who}: [mem 0x00000000feffc000-0x00000000feffffff] reserved`,
  `${who}: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved`,
  `${who}: [mem 0x0000000100000000-0x000000017fffffff] usable`,
];
const TRIM_LINES = [
  'e820: update [mem 0x00000000-0x00000fff] usable ==> reserved',
  'e820: remove [mem 0x000a0000-0x000fffff] usable',
];

function boot(cmdline: string, input: Partial<E820BootInput> = {}) {
  const log = new Printk();
  const r = e820SetupArch({ e820: Q35_4G, ...input }, parseKernelParams(cmdline), log);
  return { r, lines: texts(log) };
}

describe('e820SetupArch on a q35 4 GiB machine', () => {
  it('prints the BIOS map, trims the BIOS areas, and finds max_pfn and max_low_pfn', () => {
    const { r, lines } = boot('console=ttyS0 ignore_loglevel');
    assert.deepEqual(lines, [
      'Command line: console=ttyS0 ignore_loglevel',
      'BIOS-provided physical RAM map:',
      ...Q35_MAP_LINES('BIOS-e820'),
      'printk: debug: ignoring loglevel setting.',
      ...TRIM_LINES,
      'last_pfn = 0x180000 max_arch_pfn = 0x400000000',
      'last_pfn = 0x7ffdc max_arch_pfn = 0x400000000',
    ]);
    assert.ok('state' in r);
    assert.deepEqual([r.maxPfn, r.maxLowPfn], [0x180000, 0x7ffdc]);
    // Page 0 is now reserved and no RAM is left between 640 KiB and 1 MiB.
    assert.deepEqual(r.state.table.entries.slice(0, 3), [e(0, 0xfff, RESERVED), e(0x1000, 0x9fbff, RAM), e(0x9fc00, 0x9ffff, RESERVED)]);
    assert.deepEqual(e820MemblockOps(r.state.table), [
      { op: 'add', base: 0x1000, size: 0x9ec00 },
      { op: 'add', base: 0x100000, size: 0x7fedc000 },
      { op: 'add', base: 0x100000000, size: 0x80000000 },
    ]);
    // The firmware and kexec copies keep the map as the firmware gave it.
    assert.deepEqual(r.state.firmware.entries, Q35_4G);
    assert.deepEqual(r.state.kexec.entries, Q35_4G);
  });

  it('mem=2G removes the RAM above 2 GiB and prints the user map; one last_pfn line', () => {
    const { r, lines } = boot('mem=2G');
    assert.deepEqual(lines.slice(12), [
      'e820: remove [mem 0x80000000-0xfffffffffffffffe] usable',
      'user-defined physical RAM map:',
      ...Q35_MAP_LINES('user').slice(0, 9),
      ...TRIM_LINES,
      'last_pfn = 0x7ffdc max_arch_pfn = 0x400000000',
    ]);
    assert.ok('state' in r);
    assert.equal(r.maxLowPfn, 0x7ffdc);
  });

  it('mem=1G cuts the RAM entry that crosses 1 GiB', () => {
    const { r, lines } = boot('mem=1G');
    assert.ok(lines.includes('user: [mem 0x0000000000100000-0x000000003fffffff] usable'));
    assert.ok('state' in r);
    assert.equal(r.maxPfn, 0x40000);
  });

  it('mem=foo sets userdef before failing: the unchanged map is reprinted as "user"', () => {
    const { lines } = boot('mem=foo');
    assert.deepEqual(lines.slice(12, 14), ["Malformed early option 'mem'", 'user-defined physical RAM map:']);
    assert.deepEqual(lines.slice(14, 24), Q35_MAP_LINES('user'));
  });

  it('mem=nopentium warns on x86_64 and leaves the map alone', () => {
    const { lines } = boot('mem=nopentium');
    assert.deepEqual(lines.slice(12, 15), [
      'mem=nopentium ignored! (only supported on x86_32)',
      "Malformed early option 'mem'",
      ...TRIM_LINES.slice(0, 1),
    ]);
  });

  it('memmap=exactmap with two ranges replaces the firmware map', () => {
    const { r, lines } = boot('memmap=exactmap memmap=640K@0,1023M@1M');
    assert.deepEqual(lines.slice(12, 15), [
      'user-defined physical RAM map:',
      'user: [mem 0x0000000000000000-0x000000000009ffff] usable',
      'user: [mem 0x0000000000100000-0x000000003fffffff] usable',
    ]);
    assert.ok('state' in r);
    assert.equal(r.maxPfn, 0x40000);
  });

  it('memmap=exactmap with a single range panics in e820__finish_early_params', () => {
    assert.deepEqual(boot('memmap=exactmap memmap=1G@0').r, { panic: 'Invalid user supplied memory map' });
  });

  it('memmap=nn$ss reserves a hole in RAM; overlapping reserved ranges merge', () => {
    const { lines } = boot('memmap=64M$0x7c000000');
    assert.deepEqual(lines.slice(13, 19), [
      'user: [mem 0x0000000000000000-0x000000000009fbff] usable',
      'user: [mem 0x000000000009fc00-0x000000000009ffff] reserved',
      'user: [mem 0x00000000000f0000-0x00000000000fffff] reserved',
      'user: [mem 0x0000000000100000-0x000000007bffffff] usable',
      'user: [mem 0x000000007c000000-0x000000007fffffff] reserved',
      'user: [mem 0x00000000b0000000-0x00000000bfffffff] reserved',
    ]);
  });

  it('memmap=nn%ss-old+new retypes, and memmap=nn%ss-1 removes', () => {
    const { lines } = boot('memmap=1G%4G-1+12 memmap=256M%0x40000000-1');
    assert.deepEqual(lines.slice(12, 14), [
      'e820: update [mem 0x100000000-0x13fffffff] usable ==> persistent (type 12)',
      'e820: remove [mem 0x40000000-0x4fffffff] usable',
    ]);
    assert.ok(lines.includes('user: [mem 0x0000000100000000-0x000000013fffffff] persistent (type 12)'));
    assert.ok(lines.includes('user: [mem 0x0000000050000000-0x000000007ffdbfff] usable'));
  });

  it('a bare memmap=nn acts like mem= (and several memmap= apply in order)', () => {
    const { lines } = boot('memmap=3G memmap=1M#0x7ff00000');
    assert.equal(lines[12], 'e820: remove [mem 0xc0000000-0xfffffffffffffffe] usable');
    // ACPI (3) outranks the firmware's reserved (2) tail of low RAM, so it takes all of it.
    assert.ok(lines.includes('user: [mem 0x0000000000100000-0x000000007fefffff] usable'));
    assert.ok(lines.includes('user: [mem 0x000000007ff00000-0x000000007fffffff] ACPI data'));
  });

  it('prints a second last_pfn line only when RAM reaches above 4 GiB', () => {
    const { lines } = boot('', { e820: Q35_4G.slice(0, 9) });
    assert.deepEqual(lines.filter((l) => l.startsWith('last_pfn')), ['last_pfn = 0x7ffdc max_arch_pfn = 0x400000000']);
  });
});

describe('the legacy adjustments', () => {
  it('trimBiosRange: page 0 reserved, 640K-1M RAM dropped, table sanitized', () => {
    const state = e820StateNew();
    state.table.entries = [e(0, 0xfffff, RAM), e(0x100000, 0x1fffffff, RAM)];
    const log = new Printk();
    trimBiosRange(state, log);
    assert.deepEqual(texts(log), TRIM_LINES);
    assert.deepEqual(state.table.entries, [e(0, 0xfff, RESERVED), e(0x1000, 0x9ffff, RAM), e(0x100000, 0x1fffffff, RAM)]);
  });

  it('e820AddKernelRange puts the kernel image back when memmap= took it', () => {
    const state = e820StateNew();
    state.table.entries = [e(0x100000, 0xffffff, RAM), e(0x1000000, 0x1ffffff, RESERVED), e(0x2000000, 0x3fffffff, RAM)];
    const log = new Printk();
    e820AddKernelRange(state, 0x1000000, 0x3000000, log);
    assert.deepEqual(texts(log), ['.text .data .bss are not marked as E820_TYPE_RAM!', 'e820: remove [mem 0x01000000-0x02ffffff] ']);
    assert.deepEqual(state.table.entries.at(-1), e(0x1000000, 0x2ffffff, RAM));
  });

  it('e820AddKernelRange is silent when the image is in RAM', () => {
    const state = e820StateNew();
    state.table.entries = [e(0x100000, 0x3fffffff, RAM)];
    const log = new Printk();
    e820AddKernelRange(state, 0x1000000, 0x3000000, log);
    assert.deepEqual(texts(log), []);
  });

  it('e820MemorySetup fakes a BIOS-e801 map from alt_mem_k when e820 has under two entries', () => {
    const state = e820StateNew();
    const log = new Printk();
    e820MemorySetup(state, { e820: [e(0, 0x9ffff, RAM)], altMemK: 64 * 1024, extMemK: 63 * 1024 }, log);
    assert.deepEqual(texts(log), [
      'BIOS-provided physical RAM map:',
      'BIOS-e801: [mem 0x0000000000000000-0x000000000009ffff] usable',
      'BIOS-e801: [mem 0x0000000000100000-0x00000000040fffff] usable',
    ]);
  });

  it('e820ReserveSetupData marks setup_data RESERVED_KERN and prints the extended map', () => {
    const state = e820StateNew();
    state.table.entries = [e(0, 0x9fbff, RAM), e(0x100000, 0x3fffffff, RAM)];
    state.kexec.entries = state.table.entries.map((x) => ({ ...x }));
    const log = new Printk();
    e820ReserveSetupData(state, [{ addr: 0x3ffe0000, type: 1, len: 0x100 }, { addr: 0x3ffd0000, type: SetupDataType.RNG_SEED, len: 0x20 }], log);
    assert.deepEqual(texts(log), [
      'e820: update [mem 0x3ffe0000-0x3ffe010f] usable ==> usable',
      'e820: update [mem 0x3ffe0000-0x3ffe010f] usable ==> usable',
      'e820: update [mem 0x3ffd0000-0x3ffd002f] usable ==> usable',
      'extended physical RAM map:',
      'reserve setup_data: [mem 0x0000000000000000-0x000000000009fbff] usable',
      'reserve setup_data: [mem 0x0000000000100000-0x000000003ffcffff] usable',
      'reserve setup_data: [mem 0x000000003ffd0000-0x000000003ffd002f] usable',
      'reserve setup_data: [mem 0x000000003ffd0030-0x000000003ffdffff] usable',
      'reserve setup_data: [mem 0x000000003ffe0000-0x000000003ffe010f] usable',
      'reserve setup_data: [mem 0x000000003ffe0110-0x000000003fffffff] usable',
    ]);
    // The RNG seed is not reserved in the kexec table.
    assert.equal(state.kexec.entries.length, 4);
  });

  it('e820FinishEarlyParams does nothing without userdef', () => {
    const state = e820StateNew();
    const log = new Printk();
    assert.equal(e820FinishEarlyParams(state, log), undefined);
    assert.deepEqual(texts(log), []);
  });
});
