// /proc/meminfo (meminfo_proc_show() in fs/proc/meminfo.c): "Label:" then the value. Most lines go
// through show_val_kb(): a 16-column label ("MemTotal:       ") and "%8lu kB"; the HugePages_
// counts are "%5lu" after three spaces (the same 24 columns, no unit); HardwareCorrupted is the one
// longer label, "HardwareCorrupted: %5lu kB". Numbers wider than their field just push on.
import { lineFormat, parseEvery } from '../format.js';

export interface MeminfoLine {
  field: string;
  value: number;
  /** " kB" after the number (all but the HugePages_ counts). */
  kB: boolean;
}

export const meminfoLine = lineFormat<MeminfoLine>(
  'meminfo.line', 'meminfo_proc_show',
  /^([A-Za-z0-9_()]+): +(\d+)( kB)?$/,
  (m) => ({ field: m[1]!, value: +m[2]!, kB: m[3] !== undefined }),
  (v) => {
    const label = `${v.field}:`;
    const head = label.length <= 16 ? `${label.padEnd(16)}${String(v.value).padStart(8)}` : `${label} ${String(v.value).padStart(5)}`;
    return v.kB ? `${head} kB` : head;
  },
);

export const emitMeminfo = (lines: readonly MeminfoLine[]): string[] => lines.map((l) => meminfoLine.emit(l));

/** The fields of a /proc/meminfo text, in order; throws on a line that is not one. */
export function parseMeminfo(lines: readonly string[]): MeminfoLine[] {
  return parseEvery(meminfoLine, lines, '/proc/meminfo');
}
