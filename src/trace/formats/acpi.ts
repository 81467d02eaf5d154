// SPDX-License-Identifier: GPL-2.0-only
// Lines arch/x86/kernel/acpi/boot.c prints (pr_fmt "ACPI: ") that meminit emits.
import { lineFormat } from '../format.js';
import { hex, parseHex } from '../printk.js';

/** %#x / %#lx: the kernel prints the 0x prefix for zero too. */
const altHex = (v: number): string => '0x' + hex(v);

/** acpi_parse_hpet(): "ACPI: HPET id: 0x8086a201 base: 0xfed00000". */
export const hpetId = lineFormat<{ id: number; base: number }>(
  'acpi.hpet', 'acpi_parse_hpet',
  /^ACPI: HPET id: (0x[0-9a-f]+) base: (0x[0-9a-f]+)$/,
  (m) => ({ id: parseHex(m[1]!), base: parseHex(m[2]!) }),
  (v) => `ACPI: HPET id: ${altHex(v.id)} base: ${altHex(v.base)}`,
);

/** acpi_parse_hpet() on a table with a zero base: "ACPI: HPET id: 0x8086a201 base: 0x0 is invalid". */
export const hpetInvalid = lineFormat<{ id: number; base: number }>(
  'acpi.hpet_invalid', 'acpi_parse_hpet',
  /^ACPI: HPET id: (0x[0-9a-f]+) base: (0x[0-9a-f]+) is invalid$/,
  (m) => ({ id: parseHex(m[1]!), base: parseHex(m[2]!) }),
  (v) => `ACPI: HPET id: ${altHex(v.id)} base: ${altHex(v.base)} is invalid`,
);
