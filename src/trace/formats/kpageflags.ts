// The corpus helper's /proc/kpageflags summary, one maximal run a line: "0x3ffe0-0x3ffff reserved"
// (inclusive pfns; flags a comma-separated subset of reserved, buddy, nopage, or "-").
import { lineFormat } from '../format.js';
import { parseHex } from '../printk.js';

export const KPF_NAMES = ['reserved', 'buddy', 'nopage'] as const;
export type KpfName = (typeof KPF_NAMES)[number];

export interface KpageflagsRun { start: number; end: number; flags: KpfName[] } // end exclusive

export const kpageflagsRun = lineFormat<KpageflagsRun>(
  'kpageflags.run', 'tools/corpus/kpageflags.c',
  /^(0x[0-9a-f]+)-(0x[0-9a-f]+) (-|(?:reserved|buddy|nopage)(?:,(?:reserved|buddy|nopage))*)$/,
  (m) => ({ start: parseHex(m[1]!), end: parseHex(m[2]!) + 1, flags: m[3] === '-' ? [] : (m[3]!.split(',') as KpfName[]) }),
  (v) => `0x${v.start.toString(16)}-0x${(v.end - 1).toString(16)} ${v.flags.length ? v.flags.join(',') : '-'}`,
);
