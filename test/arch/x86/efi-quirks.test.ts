// EFI boot-services memory on a small UEFI-style e820 machine: which descriptors
// efi_reserve_boot_services() reserves, which of those efi_free_boot_services() gives back after
// deferred init, and what the managed pages say about it against the same machine without them.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bootMachine } from '../../../src/arch/x86/setup.js';
import { PAGE_SIZE } from '../../../src/include/pfn.js';
import { machineNew, type Machine } from '../../../src/kernel/machine.js';
import { buildMachine } from '../../../src/machine/index.js';
import { loadMachineFile } from '../../../src/machine/load-file.js';
import type { MachineInput } from '../../../src/machine/index.js';
import { checkMachine } from '../../../src/mm/check.js';
import { memblockIsRegionReserved } from '../../../src/mm/memblock.js';
import { pageReserved, pageWord } from '../../../src/mm/page.js';
import { freeReservedArea } from '../../../src/mm/page-free-core.js';
import { sectionMemmap } from '../../../src/mm/sparse.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';
import { efiFreed } from '../../../src/trace/formats/free.js';

const M = 0x100000;
const e820: MachineInput['e820'] = [
  { start: 0, end: 0x9fc00, type: 'usable' },
  { start: 0xf0000, end: M, type: 'reserved' },
  { start: M, end: 0x1ff00000, type: 'usable' },
  { start: 0x1ff00000, end: 0x20000000, type: 'reserved' },
  { start: 0x20000000, end: 0x40000000, type: 'usable' },
];
/** The descriptors, each for one rule of the kernel's. */
const D = {
  lowMem: { start: 0x87000, end: 0x88000 }, // reserved; never freed below 1 MiB
  kernelTail: { start: 0x4420000, end: 0x4500000 }, // past the traced brk, before _end: reserved, kept
  free: { start: 0x30000000, end: 0x30100000 }, // ours: reserved, freed after deferred init
  overNonRam: { start: 0x1fe00000, end: 0x1ff80000 }, // runs into e820 reserved: reserved, kept
  overKernel: { start: 0x2000000, end: 0x2100000 }, // inside the reserved image: left alone
};
type Name = keyof typeof D;
const pagesOf = (n: Name, ramEnd = Infinity): number => (Math.min(D[n].end, ramEnd) - D[n].start) / PAGE_SIZE;

function boot(names: Name[], append = '', memInit = true): Machine {
  const input: MachineInput = { e820, ...(append ? { append } : {}), ...(names.length ? { efiBootServices: names.map((n) => D[n]) } : {}) };
  const spec = buildMachine(input, 'efi.yaml', 'efi');
  return bootMachine(machineNew(spec.name, spec.firmware), memInit ? { memInit: {} } : {});
}
const managed = (m: Machine): number => [...m.zones!.nodes.values()].flatMap((pg) => pg.zones).reduce((n, z) => n + z.managedPages, 0);
const efiLines = (m: Machine): string[] => m.printk.lines.map((l) => l.text).filter((t) => t.startsWith('efi: '));
const ALL = Object.keys(D) as Name[];

describe('efi_reserve_boot_services()', () => {
  it('reserves what nobody reserved yet and queues only what the kernel owns, from 1 MiB up', () => {
    const m = boot(ALL, '', false);
    const mb = m.memblock!;
    for (const n of ['lowMem', 'kernelTail', 'free', 'overNonRam'] as const) {
      assert.ok(memblockIsRegionReserved(mb, D[n].start, D[n].end - D[n].start), n);
    }
    assert.deepEqual(m.efiRangesToFree, [[D.free.start, D.free.end]]);
  });

  it('efi=debug reserves the same and queues nothing', () => {
    const m = boot(ALL, 'efi=debug', false);
    assert.ok(memblockIsRegionReserved(m.memblock!, D.free.start, D.free.end - D.free.start));
    assert.deepEqual(m.efiRangesToFree, []);
  });

  it('moves nothing on a machine without an EFI memory map', () => {
    assert.equal(boot([], '', false).efiRangesToFree, undefined);
  });
});

describe('efi_free_boot_services()', () => {
  const none = boot([]);
  const ramEnd = 0x1ff00000; // overNonRam's RAM part ends where e820 reserved starts

  it('gives the queued pages to the buddy allocator: managed pages lose only what stays reserved', () => {
    const m = boot(ALL);
    assert.equal(managed(none) - managed(m), pagesOf('kernelTail') + pagesOf('overNonRam', ramEnd));
    assert.equal(none.totalramPages! - m.totalramPages!, pagesOf('kernelTail') + pagesOf('overNonRam', ramEnd));
    for (let pfn = D.free.start / PAGE_SIZE; pfn < D.free.end / PAGE_SIZE; pfn++) {
      assert.ok(!pageReserved(sectionMemmap(m.memmap!, pfn), pageWord(pfn)), `pfn ${pfn.toString(16)} still PG_reserved`);
    }
    assert.deepEqual(efiLines(m), [`efi: Freeing EFI boot services memory: ${(D.free.end - D.free.start) / 1024}K`]);
    assert.deepEqual(m.efiRangesToFree, []);
    assert.deepEqual(checkMachine(m), []);
  });

  it('with efi=debug keeps it all and says nothing', () => {
    const m = boot(ALL, 'efi=debug');
    assert.equal(managed(none) - managed(m), pagesOf('kernelTail') + pagesOf('overNonRam', ramEnd) + pagesOf('free'));
    assert.deepEqual(efiLines(m), []);
    assert.deepEqual(checkMachine(m), []);
  });

  it('the checker still catches a free page over boot-services memory that was never freed', () => {
    const m = boot(['free'], 'efi=debug');
    // Free one kept page behind the model's back: memblock says reserved, nothing says it came back.
    const pfn = D.free.start / PAGE_SIZE;
    freeReservedArea(m.buddy!, { memmap: m.memmap!, zones: m.zones! }, pfn, pfn + 1);
    assert.ok(checkMachine(m).some((v) => v.what === 'reserved-flag' && v.pfn === pfn));
  });

  it('free_reserved_area() refuses a page that is not PG_reserved, naming it', () => {
    const m = boot(ALL);
    const pfn = D.free.start / PAGE_SIZE;
    assert.throws(() => freeReservedArea(m.buddy!, { memmap: m.memmap!, zones: m.zones! }, pfn, pfn + 1), /pfn 0x30000 is not PG_reserved/);
  });
});

describe('efi_free_boot_services() of the corpus UEFI machines against their boots', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  const examples = join(root, 'examples', 'machines');
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.yaml'))) {
    const spec = loadMachineFile(join(examples, file));
    const log = join(root, 'test', 'corpus', file.replace(/\.yaml$/, '.log'));
    if (!spec.firmware.efiBootServices || !existsSync(log)) continue;
    it(`${file}: the kernel's "Freeing EFI boot services memory" line, or none with efi=debug`, () => {
      const kernel = lexBootLog(readFileSync(log, 'utf8'), file).kernel.map((l) => l.text).filter((t) => efiFreed.parse(t) !== undefined);
      const m = bootMachine(machineNew(spec.name, spec.firmware), { memInit: {} });
      assert.deepEqual(efiLines(m), kernel);
      assert.deepEqual(checkMachine(m), []);
    });
  }
});
