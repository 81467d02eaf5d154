// Reservation lines of setup_arch() that memblock=debug does not cover: a boot log without
// memblock tracing still names the initrd and the ACPI tables, so the replay reserves them.
import { lineFormat } from '../format.js';
import { hexAlt, parseHex } from '../printk.js';

const H = '(0x[0-9a-f]+)';

/** reserve_initrd(): "RAMDISK: [mem 0x7fe99000-0x7ffdffff]". */
export const ramdisk = lineFormat<{ start: number; end: number }>(
  'setup.ramdisk', 'reserve_initrd',
  new RegExp(`^RAMDISK: \\[mem ${H}-${H}\\]$`),
  (m) => ({ start: parseHex(m[1]!), end: parseHex(m[2]!) + 1 }),
  (v) => `RAMDISK: [mem ${hexAlt(v.start, 10)}-${hexAlt(v.end - 1, 10)}]`,
);

/** acpi_reserve_initial_tables(): "ACPI: Reserving FACP table memory at [mem 0x7ffe20c7-0x7ffe21ba]". */
export const acpiTableReserve = lineFormat<{ sig: string; start: number; end: number }>(
  'setup.acpi-table', 'acpi_table_init_complete',
  new RegExp(`^ACPI: Reserving (\\S+) table memory at \\[mem ${H}-${H}\\]$`),
  (m) => ({ sig: m[1]!, start: parseHex(m[2]!), end: parseHex(m[3]!) + 1 }),
  (v) => `ACPI: Reserving ${v.sig} table memory at [mem ${hexAlt(v.start, 10)}-${hexAlt(v.end - 1, 10)}]`,
);
