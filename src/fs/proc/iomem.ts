// SPDX-License-Identifier: GPL-2.0-only
// /proc/iomem as far as memory init decides it: the e820 table's resources
// (e820__reserve_resources(), e820__reserve_resources_late() in arch/x86/kernel/e820.c), the
// kernel image's four sections inside System RAM (setup_arch()), and the "RAM buffer" pads
// after RAM. Device resources (PCI windows, ROMs, APICs, HPET, ACPI devices) come from buses
// and drivers meminit does not model: they are not predicted, and a capture is compared after
// taking them out (their children move up to their place).
import { E820Type, type E820Table } from '../../arch/x86/e820-types.js';
import type { IomemLine } from '../../trace/formats/iomem.js';

/** A struct resource of the tree; `end` is the last byte. */
export interface Resource {
  start: number;
  end: number;
  name: string;
  children: Resource[];
}

/** Mirrors e820_type_to_string(). */
export function e820TypeToString(type: number): string {
  switch (type) {
    case E820Type.RESERVED_KERN:
    case E820Type.RAM: return 'System RAM';
    case E820Type.ACPI: return 'ACPI Tables';
    case E820Type.NVS: return 'ACPI Non-volatile Storage';
    case E820Type.UNUSABLE: return 'Unusable memory';
    case E820Type.PRAM: return 'Persistent Memory (legacy)';
    case E820Type.PMEM: return 'Persistent Memory';
    case E820Type.RESERVED: return 'Reserved';
    case E820Type.SOFT_RESERVED: return 'Soft Reserved';
    default: return 'Unknown E820 type';
  }
}

/** Names meminit predicts; every other /proc/iomem line is a device's. */
export const PREDICTED_NAMES = new Set([
  'System RAM', 'ACPI Tables', 'ACPI Non-volatile Storage', 'Unusable memory', 'Persistent Memory (legacy)',
  'Persistent Memory', 'Reserved', 'Soft Reserved', 'Unknown E820 type', 'RAM buffer',
  'Kernel code', 'Kernel rodata', 'Kernel data', 'Kernel bss',
]);

/** Mirrors do_mark_busy(): what e820__reserve_resources() inserts at once (the rest waits for PCI). */
function doMarkBusy(type: number, start: number): boolean {
  if (start < 2 ** 20) return true;
  return !([E820Type.RESERVED, E820Type.SOFT_RESERVED, E820Type.PRAM, E820Type.PMEM] as number[]).includes(type);
}

const overlaps = (a: Resource, start: number, end: number): boolean => a.start <= end && a.end >= start;

/** Mirrors __request_resource(): insert among parent's children, or return the first one in the way. */
function requestResource(parent: Resource, r: Resource): Resource | undefined {
  if (r.end < r.start || r.start < parent.start || r.end > parent.end) return parent;
  const i = parent.children.findIndex((c) => c.end >= r.start);
  const c = i < 0 ? undefined : parent.children[i]!;
  if (c && c.start <= r.end) return c;
  parent.children.splice(i < 0 ? parent.children.length : i, 0, r);
  return undefined;
}

/**
 * Mirrors __insert_resource(): go down into the resource that holds `r`, and adopt the ones `r`
 * holds ("00100000-bffdffff System RAM" adopts "01000000-01e01d31 Kernel code"). A partial
 * overlap is returned as the conflict.
 */
function insertResource(parent: Resource, r: Resource): Resource | undefined {
  for (;;) {
    const first = requestResource(parent, r);
    if (!first || first === parent) return first;
    const holds = first.start <= r.start && first.end >= r.end;
    if (holds && !(first.start === r.start && first.end === r.end)) {
      parent = first;
      continue;
    }
    const inside = parent.children.filter((c) => overlaps(c, r.start, r.end));
    const bad = inside.find((c) => c.start < r.start || c.end > r.end);
    if (bad) return bad;
    r.children.push(...inside);
    parent.children = parent.children.filter((c) => !inside.includes(c));
    requestResource(parent, r);
    return undefined;
  }
}

/** Mirrors insert_resource_expand_to_fit(): grow over whatever is in the way until it fits. */
function insertResourceExpandToFit(root: Resource, r: Resource): void {
  for (;;) {
    const conflict = insertResource(root, r);
    if (!conflict || conflict === root) return;
    r.start = Math.min(r.start, conflict.start);
    r.end = Math.max(r.end, conflict.end);
  }
}

/** Mirrors __reserve_region_with_split(): claim what is free of [start, end] at the top level, in pieces. */
function reserveRegionWithSplit(root: Resource, start: number, end: number, name: string): void {
  const todo: [number, number][] = [[start, end]];
  while (todo.length) {
    const [s, e] = todo.pop()!;
    const r: Resource = { start: s, end: e, name, children: [] };
    const c = requestResource(root, r);
    if (!c || c === root) continue;
    if (c.start <= s && c.end >= e) continue;
    if (c.start > s) {
      if (c.end < e) todo.push([c.end + 1, e]);
      todo.push([s, c.start - 1]);
    } else {
      todo.push([c.end + 1, e]);
    }
  }
}

/** Mirrors ram_alignment(): RAM is padded to 64 KiB in the first MiB, 1 MiB below 16 MiB, 64 MiB above. */
export function ramAlignment(pos: number): number {
  const mb = Math.floor(pos / 2 ** 20);
  return mb === 0 ? 64 * 1024 : mb < 16 ? 2 ** 20 : 64 * 2 ** 20;
}

/** The kernel image's resources: [first byte, last byte] of each section. */
export interface KernelSections {
  code: [number, number];
  rodata: [number, number];
  data: [number, number];
  bss: [number, number];
}

/**
 * Debian 6.1.0-56-amd64's sections, from _text, as every corpus boot's /proc/iomem shows them
 * (the nokaslr ones at _text = 0x1000000): _etext, __start_rodata/__end_rodata, _sdata/_edata,
 * and __bss_start, which lies 17344 KiB below __bss_stop = the brk area's start.
 */
export const DEBIAN_SECTIONS = { codeEnd: 0xe01d32, rodata: [0x1000000, 0x18eb000], data: [0x1a00000, 0x1c48980], bssSize: 0x10f0000 } as const;

/** The sections of the Debian build loaded at `text` with its brk area at `brk`. */
export function debianKernelSections(text: number, brk: number): KernelSections {
  const d = DEBIAN_SECTIONS;
  return {
    code: [text, text + d.codeEnd - 1],
    rodata: [text + d.rodata[0], text + d.rodata[1] - 1],
    data: [text + d.data[0], text + d.data[1] - 1],
    bss: [brk - d.bssSize, brk - 1],
  };
}

export const KERNEL_SECTION_NAMES = { code: 'Kernel code', rodata: 'Kernel rodata', data: 'Kernel data', bss: 'Kernel bss' } as const;

/**
 * The resource tree setup_arch() and pcibios_resource_survey() leave, without devices: the kernel
 * sections, the busy e820 entries, the others (late), then the RAM buffers after each RAM entry,
 * and the System RAM memory hotplug added since.
 */
export function iomemTree(table: E820Table, kernel: KernelSections | undefined, hotAdded: readonly { start: number; end: number; name: string }[] = []): Resource {
  const root: Resource = { start: 0, end: 2 ** 64 - 1, name: 'PCI mem', children: [] };
  if (kernel) {
    for (const k of ['code', 'rodata', 'data', 'bss'] as const) {
      insertResource(root, { start: kernel[k][0], end: kernel[k][1], name: KERNEL_SECTION_NAMES[k], children: [] });
    }
  }
  const entries = table.entries.filter((e) => e.size > 0);
  const res = entries.map((e) => ({ start: e.addr, end: e.addr + e.size - 1, name: e820TypeToString(e.type), children: [] as Resource[] }));
  const late: Resource[] = [];
  entries.forEach((e, i) => (doMarkBusy(e.type, e.addr) ? insertResource(root, res[i]!) : late.push(res[i]!)));
  for (const r of late) insertResourceExpandToFit(root, r);
  for (const [start, end] of ramBuffers(table)) reserveRegionWithSplit(root, start, end, 'RAM buffer');
  // register_memory_resource(): memory hotplug's "System RAM" (end exclusive here).
  for (const r of hotAdded) insertResource(root, { start: r.start, end: r.end - 1, name: r.name, children: [] });
  return root;
}

/**
 * The pads e820__reserve_resources_late() asks for after each RAM entry, [first, last byte], in
 * table order; each is printed ("e820: reserve RAM buffer [mem 0x0009fc00-0x0009ffff]") whether
 * or not something already holds it.
 */
export function ramBuffers(table: E820Table): [number, number][] {
  const out: [number, number][] = [];
  for (const e of table.entries) {
    if (e.type !== E820Type.RAM || e.size === 0) continue;
    const start = e.addr + e.size;
    const end = Math.ceil(start / ramAlignment(start)) * ramAlignment(start) - 1;
    if (start < end) out.push([start, end]);
  }
  return out;
}

/** The tree as /proc/iomem lines (r_show() walks it depth first). */
export function iomemLines(root: Resource): IomemLine[] {
  const out: IomemLine[] = [];
  const walk = (r: Resource, depth: number): void => {
    for (const c of r.children) {
      out.push({ depth, start: c.start, end: c.end, name: c.name });
      walk(c, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

/**
 * A /proc/iomem capture without the lines meminit cannot predict: each device line is dropped
 * and the lines nested in it move up one level ("b0000000-bfffffff : PCI MMCONFIG …" goes,
 * its "  b0000000-bfffffff : Reserved" becomes top-level).
 */
export function iomemPredictable(lines: readonly IomemLine[]): IomemLine[] {
  const out: IomemLine[] = [];
  const stack: { depth: number; dropped: boolean }[] = [];
  for (const l of lines) {
    while (stack.length && stack[stack.length - 1]!.depth >= l.depth) stack.pop();
    const dropped = !PREDICTED_NAMES.has(l.name);
    const lift = stack.filter((s) => s.dropped).length;
    stack.push({ depth: l.depth, dropped });
    if (!dropped) out.push({ ...l, depth: l.depth - lift });
  }
  return out;
}
