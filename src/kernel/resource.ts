// System RAM in the iomem resource tree, as kernel/resource.c's walkers see it (6.1): the e820
// table's RAM and kernel-reserved RAM (e820__reserve_resources() names both "System RAM", with
// IORESOURCE_SYSTEM_RAM), and the memory add_memory_resource() hot-added (the ACPI driver's
// "System RAM", dax kmem's "System RAM (kmem)"). /proc/iomem (src/fs/proc/iomem.ts) prints the
// same ranges; ZONE_DEVICE memory is never System RAM.
import { E820Type } from '../arch/x86/e820-types.js';
import { pfnDown, pfnUp } from '../include/pfn.js';
import type { Machine } from './machine.js';

/** [start, end) byte ranges of the IORESOURCE_SYSTEM_RAM resources, by start. */
export function systemRamResources(m: Machine): [number, number][] {
  const out: [number, number][] = [];
  for (const e of m.e820?.table.entries ?? []) {
    if (e.type === E820Type.RAM || e.type === E820Type.RESERVED_KERN) out.push([e.addr, e.addr + e.size]);
  }
  for (const r of m.hotplug?.resources ?? []) out.push([r.start, r.end]);
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * walk_system_ram_range() with a counting callback: the pages of [pfn, pfn + n) that lie in
 * System RAM, each resource clipped to the range and rounded inward to whole pages.
 */
export function systemRamPages(m: Machine, pfn: number, n: number): number {
  let count = 0;
  for (const [s, e] of systemRamResources(m)) count += Math.max(0, Math.min(pfnDown(e), pfn + n) - Math.max(pfnUp(s), pfn));
  return count;
}

/** What region_intersects(IORESOURCE_SYSTEM_RAM) answers for a byte range. */
export type RegionIntersects = 'disjoint' | 'intersects' | 'mixed';

/**
 * region_intersects() of [start, end) bytes for System RAM: 'disjoint' when no System RAM
 * overlaps it, 'intersects' when System RAM covers all of it, else 'mixed'. (The kernel's MIXED
 * also counts overlaps with other resources, which meminit does not model; its callers here,
 * like memremap_pages(), only ask whether the answer is DISJOINT.)
 */
export function regionIntersectsSystemRam(m: Machine, start: number, end: number): RegionIntersects {
  let ram = 0;
  let covered = start;
  for (const [s, e] of systemRamResources(m)) {
    const from = Math.max(s, covered);
    const to = Math.min(end, e);
    if (to <= from) continue;
    ram += to - from;
    covered = to;
  }
  return ram === 0 ? 'disjoint' : ram === end - start ? 'intersects' : 'mixed';
}
