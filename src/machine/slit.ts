// SPDX-License-Identifier: GPL-2.0-only
// The ACPI SLIT beside the SRAT (QEMU: -numa dist,src=,dst=,val=; hw/acpi/aml-build.c
// build_slit()): one row of one-byte distances per proximity domain. Whether the kernel uses
// it (10 on the diagonal, more than 10 elsewhere: slit_valid()) is the kernel's call, so an
// odd table is accepted here and refused by the boot, as Linux refuses it.
import { problem } from './errors.js';

/** `rows` as the SLIT, once it is known to be square and to have an SRAT to go with it. */
export function slitOf(rows: readonly (readonly number[])[], hasSrat: boolean): number[][] {
  if (!hasSrat) problem(['distances'], 'needs a machine with an SRAT (nodes, or srat in an e820 machine); Linux reads the SLIT only beside one');
  rows.forEach((row, i) => {
    if (row.length !== rows.length) {
      problem(['distances', i], `has ${row.length} distances; expected ${rows.length}, one per row (the SLIT is square: a row and a column per proximity domain)`);
    }
  });
  return rows.map((row) => [...row]);
}
