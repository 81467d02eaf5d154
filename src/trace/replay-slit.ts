// SPDX-License-Identifier: GPL-2.0-only
// The SLIT of a logged boot. The log gives its size only ("ACPI: Reserving SLIT table memory at
// [mem …]": a 36-byte header, an 8-byte locality count, then count² one-byte distances); the
// distances themselves are read back from the /sys/devices/system/node capture when the nodes
// there are the firmware's (not numa=fake ones), else taken as 10 local, 20 remote.
import type { Srat } from '../arch/x86/firmware.js';
import type { BootLog } from './dmesg.js';

const SLIT_HEADER_BYTES = 44;

/** The SLIT matrix, by proximity domain, for a table of `bytes` bytes; undefined if that is no SLIT's size. */
export function slitFromLog(log: BootLog, bytes: number, srat: Srat, fake: boolean): { slit: number[][]; guessed: boolean } | undefined {
  const cnt = Math.round(Math.sqrt(Math.max(bytes - SLIT_HEADER_BYTES, 0)));
  if (!cnt || cnt * cnt !== bytes - SLIT_HEADER_BYTES) return undefined;
  const rows = new Map<number, number[]>();
  for (const line of fake ? [] : (log.captures.get('/sys/devices/system/node')?.lines ?? [])) {
    const m = /^node(\d+) .*distance=([\d,]+)$/.exec(line);
    if (m) rows.set(+m[1]!, m[2]!.split(',').map(Number));
  }
  const nodeOf = new Map<number, number>();
  for (const e of [...srat.memory, ...srat.cpus]) nodeOf.set(e.pxm, e.nid);
  const cell = (i: number, j: number): number | undefined => {
    const ni = nodeOf.get(i);
    const nj = nodeOf.get(j);
    return ni === undefined || nj === undefined ? undefined : rows.get(ni)?.[nj];
  };
  let guessed = false;
  const slit = Array.from({ length: cnt }, (_, i) => Array.from({ length: cnt }, (_, j) => {
    const v = cell(i, j);
    if (v === undefined) guessed = true;
    return v ?? (i === j ? 10 : 20);
  }));
  return { slit, guessed };
}
