// SPDX-License-Identifier: GPL-2.0-only
// The printk lines of init_mem_mapping() on x86 (arch/x86/mm/init.c). Its pr_debug lines
// (init_memory_mapping ranges and page sizes) stay silent unless dynamic debug enables them,
// so what a boot shows are these two notes.
import { lineFormat } from '../format.js';

/** probe_page_size_mask(): the CPU has 1 GiB pages and gbpages was not turned off. */
export const gbpagesDirectMapping = lineFormat<Record<string, never>>(
  'mapping.gbpages', 'probe_page_size_mask',
  /^Using GB pages for direct mapping$/,
  () => ({}),
  () => 'Using GB pages for direct mapping',
);

/** memory_map_top_down(): no free 2 MiB block below the end of RAM for the first step. */
export const probeFailed = lineFormat<Record<string, never>>(
  'mapping.probe-failed', 'memory_map_top_down',
  /^Failed to release memory for alloc_low_pages\(\)$/,
  () => ({}),
  () => 'Failed to release memory for alloc_low_pages()',
);
