// SPDX-License-Identifier: GPL-2.0-only
// acpi_boot_init() after paging_init() (arch/x86/kernel/acpi/boot.c): of the tables it parses
// (BOOT, FADT, MADT, HPET, BGRT), only the HPET one allocates from memblock, for the resource
// that hpet_insert_resource() later puts in the iomem tree.
import { SMP_CACHE_BYTES } from '../../include/memblock.js';
import { RESOURCE_SIZE } from '../../include/ioport.js';
import type { Machine } from '../../kernel/machine.js';
import { panicAllocFailed } from '../../kernel/panic.js';
import { memblockAlloc } from '../../mm/memblock.js';
import { hpetId, hpetInvalid } from '../../trace/formats/acpi.js';
import type { AcpiPlatform } from './firmware.js';

/** QEMU's pc and q35 boards: one HPET (block id 0x8086a201 at 0xfed00000) and one I/O APIC. */
export const QEMU_ACPI: AcpiPlatform = { hpet: { id: 0x8086a201, address: 0xfed00000, sequence: 0 }, nrIoapics: 1 };

export const acpiPlatform = (m: Machine): AcpiPlatform => m.firmware.acpi ?? QEMU_ACPI;

/** HPET_RESOURCE_NAME_SIZE: room for "HPET %u" after the resource. */
export const HPET_RESOURCE_NAME_SIZE = 9;

/** What acpi_parse_hpet() allocates: a struct resource and its name, 64 + 9 = 73 bytes. */
export const hpetResourceSize = (): number => RESOURCE_SIZE + HPET_RESOURCE_NAME_SIZE;

/** Mirrors acpi_parse_hpet(): print the timer block, then allocate its resource (none for a zero base). */
export function acpiParseHpet(m: Machine, hpet: NonNullable<AcpiPlatform['hpet']>): void {
  if (!hpet.address) {
    m.printk.emit(hpetInvalid, { id: hpet.id, base: 0 });
    return;
  }
  m.printk.emit(hpetId, { id: hpet.id, base: hpet.address });
  const size = hpetResourceSize();
  if (!memblockAlloc(m.memblock!, size, SMP_CACHE_BYTES, 'acpi_parse_hpet')) panicAllocFailed('acpi_parse_hpet', size);
}

/** Mirrors the memblock part of acpi_boot_init(): acpi_table_parse(ACPI_SIG_HPET, acpi_parse_hpet). */
export function acpiBootInit(m: Machine): void {
  const { hpet } = acpiPlatform(m);
  if (hpet) acpiParseHpet(m, hpet);
}
