// Helpers shared by the machine tests: firmware tables as the kernel prints them, so expected
// values read like boot-log lines.
import type { Firmware } from '../../src/arch/x86/firmware.js';

const hex16 = (n: number): string => `0x${n.toString(16).padStart(16, '0')}`;
const TYPE_NAMES: Record<number, string> = { 1: 'usable', 2: 'reserved', 3: 'ACPI data', 4: 'ACPI NVS', 5: 'unusable' };

/** "[mem 0x0000000000000000-0x000000000009fbff] usable", as e820__print_table() prints it. */
export function e820Lines(fw: Firmware): string[] {
  return fw.e820.map((e) => `[mem ${hex16(e.addr)}-${hex16(e.addr + e.size - 1)}] ${TYPE_NAMES[e.type] ?? `persistent (type ${e.type})`}`);
}

/** "Node 0 PXM 0 [mem 0x00000000-0x0009ffff]", as acpi_numa_memory_affinity_init() prints it. */
export function sratLines(fw: Firmware): string[] {
  const h = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
  return (fw.srat?.memory ?? []).map(
    (m) => `Node ${m.nid} PXM ${m.pxm} [mem ${h(m.start)}-${h(m.end - 1)}]${m.hotplug ? ' hotplug' : ''}${m.nonVolatile ? ' non-volatile' : ''}`,
  );
}

/** "PXM 0 -> APIC 0x00 -> Node 0", as acpi_numa_processor_affinity_init() prints it. */
export function sratCpuLines(fw: Firmware): string[] {
  return (fw.srat?.cpus ?? []).map((c) => `PXM ${c.pxm} -> APIC 0x${c.apic.toString(16).padStart(2, '0')} -> Node ${c.nid}`);
}

export const G = 1024 ** 3;
export const M = 1024 ** 2;
