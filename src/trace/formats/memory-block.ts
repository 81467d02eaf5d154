// SPDX-License-Identifier: GPL-2.0-only
// The memory block sysfs files (drivers/base/memory.c) as the corpus initramfs prints them, one
// block a line: each attribute's value with spaces turned into commas, "-" for a missing one
// (tools/corpus/init.sh), and the subsystem's own block_size_bytes / auto_online_blocks lines.
import { lineFormat } from '../format.js';

export interface MemoryBlockLine {
  id: number;
  /** phys_index_show(): "%08lx". */
  physIndex: string;
  state: string;
  online: string;
  /** valid_zones_show(), words joined by commas. */
  validZones: string;
  removable: string;
  physDevice: string;
  /** The nodeN links, comma-separated in glob (string) order, "-" for none. */
  nodes: string;
}

export const memoryBlockLine = lineFormat<MemoryBlockLine>(
  'sysfs.memory-block', 'tools/corpus/init.sh (drivers/base/memory.c attributes)',
  /^memory(\d+) phys_index=(\S+) state=(\S+) online=(\S+) valid_zones=(\S+) removable=(\S+) phys_device=(\S+) node=(\S+)$/,
  (m) => ({
    id: +m[1]!, physIndex: m[2]!, state: m[3]!, online: m[4]!, validZones: m[5]!, removable: m[6]!, physDevice: m[7]!, nodes: m[8]!,
  }),
  (v) => `memory${v.id} phys_index=${v.physIndex} state=${v.state} online=${v.online} valid_zones=${v.validZones} `
    + `removable=${v.removable} phys_device=${v.physDevice} node=${v.nodes}`,
);

/** "block_size_bytes=8000000" and "auto_online_blocks=offline". */
export const memorySubsysAttr = lineFormat<{ name: 'block_size_bytes' | 'auto_online_blocks'; value: string }>(
  'sysfs.memory-attr', 'tools/corpus/init.sh (block_size_bytes_show, auto_online_blocks_show)',
  /^(block_size_bytes|auto_online_blocks)=(\S+)$/,
  (m) => ({ name: m[1] as 'block_size_bytes' | 'auto_online_blocks', value: m[2]! }),
  (v) => `${v.name}=${v.value}`,
);

/** A top-level /proc/iomem line: "100000000-13fffffff : System RAM" (nested lines are indented and not read here). */
export const iomemTopLine = lineFormat<{ start: number; end: number; name: string }>(
  'iomem.top', 'r_show (kernel/resource.c)',
  /^([0-9a-f]+)-([0-9a-f]+) : (.+)$/,
  (m) => ({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16), name: m[3]! }),
  (v) => `${v.start.toString(16).padStart(8, '0')}-${v.end.toString(16).padStart(8, '0')} : ${v.name}`,
);
