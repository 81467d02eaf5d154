// SPDX-License-Identifier: GPL-2.0-only
// The /proc files meminit models for a machine booted with its struct pages, by name: what
// `meminit proc FILE` prints and what a script's `cat /proc/FILE` reads. They follow memory
// hotplug: zones and managed pages, the free lists, hot-added System RAM in iomem, the direct
// map memory hotplug adds in meminfo.
import { DEBIAN_BRK } from '../../arch/x86/brk.js';
import { imageTextOf } from '../../arch/x86/kernel-image.js';
import type { Machine } from '../../kernel/machine.js';
import type { Buddy } from '../../mm/page-alloc.js';
import { buddyinfo, pagetypeinfo } from '../../mm/vmstat.js';
import { emitBuddyinfo } from '../../trace/formats/buddyinfo.js';
import { emitIomem } from '../../trace/formats/iomem.js';
import { emitMeminfo } from '../../trace/formats/meminfo.js';
import { emitPagetypeinfo } from '../../trace/formats/pagetypeinfo.js';
import { emitZoneinfo } from '../../trace/formats/zoneinfo.js';
import { debianKernelSections, iomemLines, iomemTree } from './iomem.js';
import { directMap, meminfoLines } from './meminfo.js';
import { zoneinfoOf } from './zoneinfo.js';
import { directGbpagesEnabled, pgtableL5Enabled } from '../../arch/x86/pgtable.js';

export const PROC_FILES = ['zoneinfo', 'buddyinfo', 'pagetypeinfo', 'iomem', 'meminfo'] as const;
export type ProcFile = (typeof PROC_FILES)[number];

/** Managed pages per "nid:zone name" as the zones hold them now. */
export function managedNow(m: Machine): Map<string, number> {
  const managed = new Map<string, number>();
  for (const pg of m.zones?.nodes.values() ?? []) for (const z of pg.zones) managed.set(`${pg.nodeId}:${z.name}`, z.managedPages);
  return managed;
}

/** The e820, kernel-image and hot-added part of /proc/iomem (the Debian 6.1 image at its early reservation). */
export function procIomem(m: Machine) {
  const brk = (m.firmware.brk ?? DEBIAN_BRK).start;
  return iomemLines(iomemTree(m.e820!.table, debianKernelSections(imageTextOf(m.firmware), brk), m.hotplug?.resources ?? []));
}

/** The predicted /proc/meminfo lines of a machine booted with its struct pages. */
export function procMeminfo(m: Machine) {
  let managed = 0;
  for (const pg of m.zones!.nodes.values()) for (const z of pg.zones) managed += z.managedPages;
  const free = buddyinfo(m.buddy as Buddy).reduce((n, z) => n + z.nrFree.reduce((a, c, o) => a + c * 2 ** o, 0), 0);
  const dm = directMap(m.memblock!, m.maxPfn, directGbpagesEnabled(m));
  // arch_add_memory() → init_memory_mapping(): what memory hotplug added is in the direct map too.
  const hot = (m.hotplug?.resources ?? []).reduce((n, r) => n + r.end - r.start, 0);
  return meminfoLines({
    totalramPages: managed, freePages: free, hugepagesParam: m.params.args.some((a) => a.param.startsWith('hugepage')),
    l5: pgtableL5Enabled(m),
    directMap: { ...dm, m2: dm.m2 + hot }, cpuGbpages: m.firmware.cpu?.gbpages ?? false,
  });
}

/** /proc/NAME of a machine with its struct pages: its lines and, for --json, what they carry. */
export function procFile(m: Machine, file: ProcFile): { lines: string[]; data: unknown } {
  const b = m.buddy as Buddy | undefined;
  if (!b || !('zonelists' in b)) throw new Error(`${m.name}: /proc/${file} needs the struct pages and the buddy allocator`);
  switch (file) {
    case 'zoneinfo': {
      const zones = zoneinfoOf(m, managedNow(m));
      return { lines: emitZoneinfo(zones), data: zones };
    }
    case 'buddyinfo': {
      const zones = buddyinfo(b);
      return { lines: emitBuddyinfo(zones), data: zones };
    }
    case 'pagetypeinfo': {
      const nodes = pagetypeinfo(b);
      return { lines: emitPagetypeinfo(nodes), data: nodes };
    }
    case 'iomem': {
      const res = procIomem(m);
      return { lines: emitIomem(res), data: res };
    }
    case 'meminfo': {
      const f = procMeminfo(m);
      return { lines: emitMeminfo(f), data: f };
    }
  }
}

/** The text of /proc/NAME (lines joined, a final newline), as `cat` shows it. */
export const procText = (m: Machine, file: ProcFile): string => `${procFile(m, file).lines.join('\n')}\n`;
