// acpi_parse_hpet() and io_apic_init_mappings(): their sizes, and what a board without an HPET
// table or I/O APICs allocates (nothing).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { acpiBootInit, hpetResourceSize, QEMU_ACPI } from '../../../src/arch/x86/acpi-boot.js';
import { ioApicInitMappings, ioapicResourcesSize } from '../../../src/arch/x86/io-apic.js';
import { requests, tailMachine } from './setup-arch-tail-fixture.js';

describe('acpi_boot_init() and io_apic_init_mappings()', () => {
  it('sizes: struct resource (64) + "HPET %u" (9); + "IOAPIC %u" (11) per I/O APIC', () => {
    assert.equal(hpetResourceSize(), 73);
    assert.deepEqual([0, 1, 2, 3].map(ioapicResourcesSize), [0, 75, 150, 225]);
  });

  it("QEMU's board: the HPET line, then one 73-byte and one 75-byte allocation", () => {
    const { m, trace } = tailMachine();
    acpiBootInit(m);
    ioApicInitMappings(m);
    assert.equal(trace[0], 'ACPI: HPET id: 0x8086a201 base: 0xfed00000');
    assert.deepEqual(requests(trace), ['73 acpi_parse_hpet', '75 io_apic_init_mappings']);
  });

  it('two I/O APICs share one allocation', () => {
    const { m, trace } = tailMachine({ acpi: { ...QEMU_ACPI, nrIoapics: 2 } });
    ioApicInitMappings(m);
    assert.deepEqual(requests(trace), ['150 io_apic_init_mappings']);
  });

  it('no HPET table and no I/O APIC: nothing allocated, nothing printed', () => {
    const { m, trace } = tailMachine({ acpi: { hpet: undefined, nrIoapics: 0 } });
    acpiBootInit(m);
    ioApicInitMappings(m);
    assert.deepEqual(trace, []);
  });

  it('an HPET at address 0 is reported invalid and gets no resource', () => {
    const { m, trace } = tailMachine({ acpi: { hpet: { id: 0x8086a201, address: 0, sequence: 0 }, nrIoapics: 1 } });
    acpiBootInit(m);
    assert.deepEqual(trace, ['ACPI: HPET id: 0x8086a201 base: 0x0 is invalid']);
  });
});
