// SPDX-License-Identifier: GPL-2.0-only
// e820: machines: the firmware map (and SRAT) exactly as written, in the order written, as
// real firmware hands it over; only checked, never rearranged.
import { E820Type } from '../arch/x86/e820-types.js';
import { type Board, DEFAULT_CPUS, MIN_RAM } from './board.js';
import { placedIn, rejectOverlaps } from './checks.js';
import { problem } from './errors.js';
import type { MachineConfig } from './schema.js';
import type { SratRange } from './srat.js';
import { sizeString } from './units.js';

/** Settings that shape QEMU's layout and mean nothing next to a written-out map. */
const QEMU_ONLY = ['machine', 'accel', 'cpuVendor', 'maxRamBelow4G', 'biosReserved', 'maxmem', 'slots'] as const;

export function e820Board(cfg: MachineConfig): Board {
  for (const key of QEMU_ONLY) {
    if (cfg[key] !== undefined) problem([key], 'only applies to memory and nodes machines; an e820 map is taken as written');
  }
  const entries = cfg.e820!;
  rejectOverlaps(placedIn(['e820'], entries));
  const usable = entries.filter((e) => e.type === E820Type.RAM).reduce((t, e) => t + e.end - e.start, 0);
  if (usable < MIN_RAM) problem(['e820'], `${sizeString(usable)} of usable RAM is too little to boot; give at least ${sizeString(MIN_RAM)}`);

  const srat = cfg.srat;
  const memory: SratRange[] | undefined = srat?.memory?.map((m) => ({
    pxm: m.node, start: m.start, end: m.end, hotplug: m.hotplug ?? false, nonVolatile: m.nonVolatile ?? false,
  }));
  if (memory) rejectOverlaps(placedIn(['srat', 'memory'], memory));
  const cpus = (srat?.cpus ?? []).map((c) => ({ apic: c.apic, pxm: c.node }));
  const seen = new Map<number, number>();
  cpus.forEach((c, i) => {
    const other = seen.get(c.apic);
    if (other !== undefined) problem(['srat', 'cpus', i, 'apic'], `APIC id ${c.apic} is already srat.cpus[${other}]`);
    seen.set(c.apic, i);
  });
  return {
    e820: entries.map((e) => ({ addr: e.start, size: e.end - e.start, type: e.type })),
    layout: 'e820',
    sratMemory: srat ? (memory ?? []) : undefined,
    cpus,
    nrCpus: cfg.cpus ?? (cpus.length || DEFAULT_CPUS),
    pxms: new Set([...(memory ?? []), ...cpus].map((x) => x.pxm)),
    deviceMemory: undefined,
    freeAbove: undefined,
    ramPath: ['e820'],
  };
}
