// SPDX-License-Identifier: GPL-2.0-only
// The printk lines of sparse_init() (mm/sparse.c) when a node's boot allocations go wrong: the
// corpus never shows them, memblock=debug lines are all a healthy boot prints there.
import { lineFormat } from '../format.js';

/** sparse_init_nid(): no memory for the node's mem_section_usage; its sections are dropped. */
export const usemapFailed = lineFormat<{ nid: number }>(
  'sparse.usemap-failed', 'sparse_init_nid',
  /^sparse_init_nid: node\[(\d+)\] usemap allocation failed$/,
  (m) => ({ nid: Number(m[1]) }),
  (v) => `sparse_init_nid: node[${v.nid}] usemap allocation failed`,
);

/** sparse_init_nid(): a section's struct pages could not be mapped; it and the rest of the run are dropped. */
export const memmapBackingFailed = lineFormat<{ nid: number }>(
  'sparse.memmap-failed', 'sparse_init_nid',
  /^sparse_init_nid: node\[(\d+)\] memory map backing failed\. Some memory will not be available\.$/,
  (m) => ({ nid: Number(m[1]) }),
  (v) => `sparse_init_nid: node[${v.nid}] memory map backing failed. Some memory will not be available.`,
);

/** check_usemap_section_nr(): the usemap landed in a section of another node. */
export const usemapOtherNode = lineFormat<{ nid: number; usemapSection: number }>(
  'sparse.usemap-other-node', 'check_usemap_section_nr',
  /^node (\d+) must be removed before remove section (\d+)$/,
  (m) => ({ nid: Number(m[1]), usemapSection: Number(m[2]) }),
  (v) => `node ${v.nid} must be removed before remove section ${v.usemapSection}`,
);

/** check_usemap_section_nr(): usemap and pgdat sit in two sections of the same node. */
export const usemapCircular = lineFormat<{ usemapSection: number; pgdatSection: number; nid: number }>(
  'sparse.usemap-circular', 'check_usemap_section_nr',
  /^Section (\d+) and (\d+) \(node (\d+)\) have a circular dependency on usemap and pgdat allocations$/,
  (m) => ({ usemapSection: Number(m[1]), pgdatSection: Number(m[2]), nid: Number(m[3]) }),
  (v) => `Section ${v.usemapSection} and ${v.pgdatSection} (node ${v.nid}) have a circular dependency on usemap and pgdat allocations`,
);
