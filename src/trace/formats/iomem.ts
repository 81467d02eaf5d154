// /proc/iomem (r_show() in kernel/resource.c): one line per resource, children indented two
// spaces per level, "%0*llx-%0*llx : %s" with width 8 for the iomem root (its end is past 0xffff):
// "00100000-bffdffff : System RAM" and, inside it, "  01000000-01e01d31 : Kernel code".
import { lineFormat, parseEvery } from '../format.js';

export interface IomemLine {
  /** Nesting depth: 0 for a child of iomem_resource. */
  depth: number;
  start: number;
  /** The last byte (inclusive), as struct resource keeps it. */
  end: number;
  name: string;
}

const hex8 = (v: number): string => v.toString(16).padStart(8, '0');

export const iomemLine = lineFormat<IomemLine>(
  'iomem.line', 'r_show',
  /^((?: {2})*)([0-9a-f]{8,16})-([0-9a-f]{8,16}) : (.*)$/,
  (m) => ({ depth: m[1]!.length / 2, start: parseInt(m[2]!, 16), end: parseInt(m[3]!, 16), name: m[4]! }),
  (v) => `${'  '.repeat(v.depth)}${hex8(v.start)}-${hex8(v.end)} : ${v.name}`,
);

export const emitIomem = (lines: readonly IomemLine[]): string[] => lines.map((l) => iomemLine.emit(l));

/** The resources of a /proc/iomem text; throws on a line that is not one. */
export function parseIomem(lines: readonly string[]): IomemLine[] {
  return parseEvery(iomemLine, lines, '/proc/iomem');
}

/** e820__reserve_resources_late(): "e820: reserve RAM buffer [mem %#010llx-%#010llx]" (KERN_DEBUG). */
export const ramBufferLine = lineFormat<{ start: number; end: number }>(
  'e820.ram-buffer', 'e820__reserve_resources_late',
  /^e820: reserve RAM buffer \[mem 0x([0-9a-f]{8,16})-0x([0-9a-f]{8,16})\]$/,
  (m) => ({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16) }),
  (v) => `e820: reserve RAM buffer [mem 0x${hex8(v.start)}-0x${hex8(v.end)}]`,
);
