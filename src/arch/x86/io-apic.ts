// SPDX-License-Identifier: GPL-2.0-only
// io_apic_init_mappings() (arch/x86/kernel/apic/io_apic.c): one memblock allocation holding a
// struct resource and an "IOAPIC %u" name for every I/O APIC the MADT listed. With ACPI the
// MADT gives each I/O APIC's address (smp_found_config), so no fake page is allocated.
import { SMP_CACHE_BYTES } from '../../include/memblock.js';
import { RESOURCE_SIZE } from '../../include/ioport.js';
import type { Machine } from '../../kernel/machine.js';
import { panicAllocFailed } from '../../kernel/panic.js';
import { memblockAlloc } from '../../mm/memblock.js';
import { acpiPlatform } from './acpi-boot.js';

/** IOAPIC_RESOURCE_NAME_SIZE: room for "IOAPIC %u". */
export const IOAPIC_RESOURCE_NAME_SIZE = 11;

/** ioapic_setup_resources()'s size: (11 + 64) bytes per I/O APIC; one I/O APIC → 75, two → 150. */
export const ioapicResourcesSize = (nrIoapics: number): number => (IOAPIC_RESOURCE_NAME_SIZE + RESOURCE_SIZE) * nrIoapics;

/** Mirrors io_apic_init_mappings() → ioapic_setup_resources(): nothing without I/O APICs. */
export function ioApicInitMappings(m: Machine): void {
  const { nrIoapics } = acpiPlatform(m);
  if (nrIoapics === 0) return;
  const size = ioapicResourcesSize(nrIoapics);
  // The kernel names the inner function in its panic, while memblock=debug shows the caller
  // io_apic_init_mappings (ioapic_setup_resources() is inlined).
  if (!memblockAlloc(m.memblock!, size, SMP_CACHE_BYTES, 'io_apic_init_mappings')) panicAllocFailed('ioapic_setup_resources', size);
}
