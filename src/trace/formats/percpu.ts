// SPDX-License-Identifier: GPL-2.0-only
// Lines printed while the first percpu chunk is set up (arch/x86/kernel/setup_percpu.c,
// mm/percpu.c). pcpu_dump_alloc_info() ends each "pcpu-alloc:" unit line with a space; the log
// lexer drops trailing blanks, so these formats carry the line without it.
import { lineFormat } from '../format.js';

export interface SetupPercpuLine { nrCpus: number; nrCpumaskBits: number; nrCpuIds: number; nrNodeIds: number }
/** setup_per_cpu_areas(): "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1". */
export const setupPercpu = lineFormat<SetupPercpuLine>(
  'percpu.setup', 'setup_per_cpu_areas',
  /^setup_percpu: NR_CPUS:(\d+) nr_cpumask_bits:(\d+) nr_cpu_ids:(\d+) nr_node_ids:(\d+)$/,
  (m) => ({ nrCpus: +m[1]!, nrCpumaskBits: +m[2]!, nrCpuIds: +m[3]!, nrNodeIds: +m[4]! }),
  (v) => `setup_percpu: NR_CPUS:${v.nrCpus} nr_cpumask_bits:${v.nrCpumaskBits} nr_cpu_ids:${v.nrCpuIds} nr_node_ids:${v.nrNodeIds}`,
);

/** The sizes of a pcpu_alloc_info, as its two dump lines show them. */
export interface PcpuSizes { staticSize: number; reservedSize: number; dynSize: number; unitSize: number }

/** pcpu_embed_first_chunk(): "percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u1048576". */
export const percpuEmbedded = lineFormat<PcpuSizes & { pages: number }>(
  'percpu.embedded', 'pcpu_embed_first_chunk',
  /^percpu: Embedded (\d+) pages\/cpu s(\d+) r(\d+) d(\d+) u(\d+)$/,
  (m) => ({ pages: +m[1]!, staticSize: +m[2]!, reservedSize: +m[3]!, dynSize: +m[4]!, unitSize: +m[5]! }),
  (v) => `percpu: Embedded ${v.pages} pages/cpu s${v.staticSize} r${v.reservedSize} d${v.dynSize} u${v.unitSize}`,
);

/** pcpu_fc_alloc(): a group's first cpu has no usable node, so its area comes from any node. */
export const percpuNoNode = lineFormat<{ cpu: number; nid: number }>(
  'percpu.no-node', 'pcpu_fc_alloc',
  /^percpu: cpu (\d+) has no node (-?\d+) or node-local memory$/,
  (m) => ({ cpu: +m[1]!, nid: +m[2]! }),
  (v) => `percpu: cpu ${v.cpu} has no node ${v.nid} or node-local memory`,
);

/** pcpu_dump_alloc_info(): "pcpu-alloc: s217088 r8192 d28672 u1048576 alloc=1*2097152". */
export const pcpuAllocHeader = lineFormat<PcpuSizes & { allocs: number; atomSize: number }>(
  'percpu.alloc-header', 'pcpu_dump_alloc_info',
  /^pcpu-alloc: s(\d+) r(\d+) d(\d+) u(\d+) alloc=(\d+)\*(\d+)$/,
  (m) => ({ staticSize: +m[1]!, reservedSize: +m[2]!, dynSize: +m[3]!, unitSize: +m[4]!, allocs: +m[5]!, atomSize: +m[6]! }),
  (v) => `pcpu-alloc: s${v.staticSize} r${v.reservedSize} d${v.dynSize} u${v.unitSize} alloc=${v.allocs}*${v.atomSize}`,
);

/** One allocation of a dump line: its group and the cpu of each unit (null: an unused unit). */
export interface PcpuAllocUnits { group: number; cpus: (number | null)[] }
export interface PcpuAllocUnitsLine {
  /** Digits of the group numbers and of the cpu numbers (zero-padded; an unused unit prints that many dashes). */
  groupWidth: number;
  cpuWidth: number;
  allocs: PcpuAllocUnits[];
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** pcpu_dump_alloc_info(): "pcpu-alloc: [0] 0 1 [1] 2 3", up to a power of two of allocations a line. */
export const pcpuAllocUnits = lineFormat<PcpuAllocUnitsLine>(
  'percpu.alloc-units', 'pcpu_dump_alloc_info',
  /^pcpu-alloc: ((?:\[\d+\](?: (?:\d+|-+))* ?)+)$/,
  (m) => {
    const allocs: PcpuAllocUnits[] = [];
    let groupWidth = 0;
    let cpuWidth = 0;
    for (const tok of m[1]!.trim().split(' ')) {
      const g = /^\[(\d+)\]$/.exec(tok);
      if (g) {
        groupWidth ||= g[1]!.length;
        allocs.push({ group: +g[1]!, cpus: [] });
        continue;
      }
      cpuWidth ||= tok.length;
      allocs[allocs.length - 1]!.cpus.push(tok.startsWith('-') ? null : +tok);
    }
    return { groupWidth, cpuWidth, allocs };
  },
  (v) => 'pcpu-alloc: ' + v.allocs
    .map((a) => [`[${pad(a.group, v.groupWidth)}]`, ...a.cpus.map((c) => (c === null ? '-'.repeat(v.cpuWidth) : pad(c, v.cpuWidth)))].join(' '))
    .join(' '),
);
