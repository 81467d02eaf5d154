// SPDX-License-Identifier: GPL-2.0-only
// alloc_large_system_hash()'s line (mm/page_alloc.c of 6.1), printed for every boot-time hash
// table: the dentry and inode caches, mount, TCP, UDP… tables.
import { lineFormat } from '../format.js';
import { parseDec } from '../printk.js';

/** Where the table lives: memblock or pages ("linear"), or vmalloc with or without PMD mappings. */
export const HASH_KINDS = ['linear', 'vmalloc', 'vmalloc hugepage'] as const;
export type HashKind = (typeof HASH_KINDS)[number];

export interface HashTableLine {
  /** The table's name as the caller passes it ("Dentry cache", "Inode-cache"). */
  table: string;
  entries: number;
  order: number;
  bytes: number;
  kind: HashKind;
}

/** "Dentry cache hash table entries: 524288 (order: 10, 4194304 bytes, linear)". */
export const hashTableEntries = lineFormat<HashTableLine>(
  'hash.entries', 'alloc_large_system_hash',
  /^(.+) hash table entries: (\d+) \(order: (-?\d+), (\d+) bytes, (linear|vmalloc|vmalloc hugepage)\)$/,
  (m) => ({ table: m[1]!, entries: parseDec(m[2]!), order: parseDec(m[3]!), bytes: parseDec(m[4]!), kind: m[5] as HashKind }),
  (v) => `${v.table} hash table entries: ${v.entries} (order: ${v.order}, ${v.bytes} bytes, ${v.kind})`,
);

export const hashFormats = [hashTableEntries] as const;
