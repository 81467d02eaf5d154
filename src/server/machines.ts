// SPDX-License-Identifier: GPL-2.0-only
// The server's machines: one record per boot, its event log and listeners, and a small LRU
// so a long session of uploads does not grow without bound.
import { randomBytes } from 'node:crypto';
import type { Machine } from '../kernel/machine.js';
import type { HotplugDimm } from '../machine/index.js';
import type { BootEvent, MachineSource, MachineStatus } from '../web/api-types.js';
import type { PfnMapInput, StateSegment } from '../web/bins.js';

/** What the map needs of a booted machine: computed when the boot is done, again after each hotplug action. */
export interface MachineView {
  /** The classifier's input at paging_init(); memory hotplug's changes are laid over it. */
  base: PfnMapInput;
  segs: StateSegment[];
  sections: Set<number>;
  extentPfn: number;
}

export interface MachineRecord {
  id: string;
  source: MachineSource;
  machine: Machine;
  /** The DIMMs ACPI plugs at boot (a machine file's or preset's; none for a boot log). */
  dimms: readonly HotplugDimm[];
  status: MachineStatus;
  error?: string;
  startedAt: number;
  /** performance.now() at the start: event times count from here. */
  t0: number;
  events: BootEvent[];
  listeners: Set<(e: BootEvent) => void>;
  view?: MachineView;
  replay?: { kernelVersion: string | null; matched: number; mismatches: number; notes: string[] };
}

export function machineRecordNew(source: MachineSource, machine: Machine, dimms: readonly HotplugDimm[] = []): MachineRecord {
  return {
    id: randomBytes(8).toString('hex'), source, machine, dimms, status: 'booting', startedAt: Date.now(), t0: performance.now(),
    events: [], listeners: new Set(),
  };
}

/** Append an event (seq and time filled in) and hand it to every listener. */
export function recordEvent(rec: MachineRecord, e: Omit<BootEvent, 'seq' | 't'>): BootEvent {
  const ev: BootEvent = { seq: rec.events.length, t: Math.round((performance.now() - rec.t0) * 1000) / 1000, ...e };
  rec.events.push(ev);
  for (const l of rec.listeners) l(ev);
  return ev;
}

/** Least-recently-used machines, at most `capacity` of them. */
export class MachineStore {
  private readonly map = new Map<string, MachineRecord>();
  constructor(readonly capacity: number) {}

  add(rec: MachineRecord): void {
    this.map.set(rec.id, rec);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  /** The machine, now the most recently used; undefined once evicted or never known. */
  get(id: string): MachineRecord | undefined {
    const rec = this.map.get(id);
    if (rec) {
      this.map.delete(id);
      this.map.set(id, rec);
    }
    return rec;
  }

  get size(): number {
    return this.map.size;
  }
}
