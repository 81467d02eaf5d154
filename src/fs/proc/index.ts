// SPDX-License-Identifier: GPL-2.0-only
// The /proc files meminit models for a machine booted with its struct pages, by name: what
// `meminit proc FILE` prints and what a script's `cat /proc/FILE` reads.
import type { Machine } from '../../kernel/machine.js';
import type { Buddy } from '../../mm/page-alloc.js';
import { buddyinfo, pagetypeinfo } from '../../mm/vmstat.js';
import { emitBuddyinfo } from '../../trace/formats/buddyinfo.js';
import { emitPagetypeinfo } from '../../trace/formats/pagetypeinfo.js';
import { emitZoneinfo } from '../../trace/formats/zoneinfo.js';
import { zoneinfoOf } from './zoneinfo.js';

export const PROC_FILES = ['zoneinfo', 'buddyinfo', 'pagetypeinfo'] as const;
export type ProcFile = (typeof PROC_FILES)[number];

/** Managed pages per "nid:zone name" as the zones hold them now. */
export function managedNow(m: Machine): Map<string, number> {
  const managed = new Map<string, number>();
  for (const pg of m.zones?.nodes.values() ?? []) for (const z of pg.zones) managed.set(`${pg.nodeId}:${z.name}`, z.managedPages);
  return managed;
}

/** The text of /proc/NAME (lines joined, a final newline). */
export function procFile(m: Machine, name: string): string {
  const b = m.buddy as Buddy | undefined;
  if (!b || !('zonelists' in b)) throw new Error(`${m.name}: /proc/${name} needs the struct pages and the buddy allocator`);
  const lines = name === 'zoneinfo' ? emitZoneinfo(zoneinfoOf(m, managedNow(m)))
    : name === 'buddyinfo' ? emitBuddyinfo(buddyinfo(b))
      : name === 'pagetypeinfo' ? emitPagetypeinfo(pagetypeinfo(b))
        : undefined;
  if (!lines) throw new Error(`/proc/${name} is not modelled`);
  return `${lines.join('\n')}\n`;
}
