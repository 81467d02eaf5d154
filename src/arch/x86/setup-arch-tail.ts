// SPDX-License-Identifier: GPL-2.0-only
// The end of setup_arch() after paging_init() (arch/x86/kernel/setup.c), as far as it touches
// memblock or prints memory lines: acpi_boot_init(), io_apic_init_mappings(),
// e820__reserve_resources(), e820__register_nosave_regions(max_pfn), e820__setup_pci_gap().
// The steps in between (get_smp_config(), prefill_possible_map(), init_cpu_to_node(), the
// standard I/O resources, mcheck_init(), …) allocate nothing from memblock on these machines.
import type { Machine } from '../../kernel/machine.js';
import { acpiBootInit } from './acpi-boot.js';
import { e820RegisterNosaveRegions } from './e820-nosave.js';
import { e820SetupPciGap } from './e820-pci-gap.js';
import { e820ReserveResources } from './e820-resources.js';
import { ioApicInitMappings } from './io-apic.js';

/** setup_arch() from acpi_boot_init() to its end, in the kernel's order; runs after paging_init(). */
export function setupArchTail(m: Machine): void {
  acpiBootInit(m);
  ioApicInitMappings(m);
  e820ReserveResources(m);
  e820RegisterNosaveRegions(m, m.maxPfn);
  e820SetupPciGap(m);
}
