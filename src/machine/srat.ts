// SPDX-License-Identifier: GPL-2.0-only
// ACPI SRAT entries as QEMU writes them (hw/i386/acpi-build.c build_srat()) and the node ids
// Linux gives their proximity domains (drivers/acpi/numa/srat.c acpi_map_pxm_to_node()).
import type { Srat } from '../arch/x86/firmware.js';
import { NUMA_NO_NODE } from '../include/mmzone.js';
import type { Span } from './spans.js';

/** HOLE_640K_START / HOLE_640K_END: QEMU leaves [640K, 1M) out of the SRAT. */
const HOLE_640K: Span = { start: 0xa0000, end: 0x100000 };
/** MAX_PXM_DOMAINS: Linux maps only proximity domains 0..255 to nodes. */
export const MAX_PXM_DOMAINS = 256;

/** An SRAT memory range by proximity domain, before Linux numbers the nodes. */
export interface SratRange extends Span {
  pxm: number;
  hotplug: boolean;
  nonVolatile: boolean;
}

const enabled = (pxm: number, start: number, end: number): SratRange => ({ pxm, start, end, hotplug: false, nonVolatile: false });

/**
 * Mirrors build_srat(): nodes take RAM back to back in list order; a node crossing 640K
 * loses [640K, 1M), one crossing `below4g` continues at `aboveStart`. Memoryless nodes get
 * no entry. Two 2G nodes with 3G below 4G:
 *   node 0 [0, 0xa0000) [0x100000, 2G)   node 1 [2G, 3G) [4G, 5G)
 */
export function qemuSratMemory(nodes: readonly { pxm: number; size: number }[], below4g: number, aboveStart: number): SratRange[] {
  const out: SratRange[] = [];
  let next = 0;
  for (const { pxm, size } of nodes) {
    let base = next;
    let len = size;
    next = base + len;
    if (base <= HOLE_640K.start && next > HOLE_640K.start) {
      len -= next - HOLE_640K.start;
      if (len > 0) out.push(enabled(pxm, base, base + len));
      if (next <= HOLE_640K.end) {
        next = HOLE_640K.end; // RAM ends inside the hole: the next node starts at 1M
        continue;
      }
      base = HOLE_640K.end;
      len = next - HOLE_640K.end;
    }
    if (base <= below4g && next > below4g) {
      len -= next - below4g;
      if (len > 0) out.push(enabled(pxm, base, base + len));
      base = aboveStart;
      len = next - below4g;
      next = base + len;
    }
    if (len > 0) out.push(enabled(pxm, base, base + len));
  }
  return out;
}

/** An explicit range split around [640K, 1M) the way build_srat() splits node 0. */
export function sratAroundLegacyHole(pxm: number, r: Span): SratRange[] {
  if (r.end <= HOLE_640K.start || r.start >= HOLE_640K.end) return [enabled(pxm, r.start, r.end)];
  const parts: SratRange[] = [];
  if (r.start < HOLE_640K.start) parts.push(enabled(pxm, r.start, HOLE_640K.start));
  if (r.end > HOLE_640K.end) parts.push(enabled(pxm, HOLE_640K.end, r.end));
  return parts;
}

/**
 * Mirrors acpi_map_pxm_to_node(): each new proximity domain takes the lowest free node id,
 * in the order the kernel meets them (SRAT cpu entries, then memory, then hotplugged
 * devices). Domains ≥ MAX_PXM_DOMAINS get NUMA_NO_NODE, which Linux treats as a bad SRAT.
 */
export class PxmMap {
  private readonly nids = new Map<number, number>();

  nid(pxm: number): number {
    if (pxm >= MAX_PXM_DOMAINS) return NUMA_NO_NODE;
    let nid = this.nids.get(pxm);
    if (nid === undefined) {
      nid = this.nids.size;
      this.nids.set(pxm, nid);
    }
    return nid;
  }
}

/** The SRAT the kernel parses: cpu entries (APIC order) and memory entries, numbered by `map`. */
export function buildSrat(cpus: readonly { apic: number; pxm: number }[], memory: readonly SratRange[], map: PxmMap): Srat {
  return {
    cpus: cpus.map(({ apic, pxm }) => ({ apic, pxm, nid: map.nid(pxm) })),
    memory: memory.map((m) => ({
      nid: map.nid(m.pxm), pxm: m.pxm, start: m.start, end: m.end, hotplug: m.hotplug, nonVolatile: m.nonVolatile,
    })),
  };
}
