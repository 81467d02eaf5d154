// SPDX-License-Identifier: GPL-2.0-only
// The printk lines of init_mem_mapping() on x86 (arch/x86/mm/init.c). Its pr_debug lines
// (init_memory_mapping ranges, page sizes) are compiled out of a Debian kernel without
// dynamic debug turned on, so only probe_page_size_mask()'s note remains.
import { lineFormat } from '../format.js';

/** probe_page_size_mask(): the CPU has 1 GiB pages and gbpages was not turned off. */
export const gbpagesDirectMapping = lineFormat<Record<string, never>>(
  'mapping.gbpages', 'probe_page_size_mask',
  /^Using GB pages for direct mapping$/,
  () => ({}),
  () => 'Using GB pages for direct mapping',
);
