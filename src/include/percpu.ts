// SPDX-License-Identifier: GPL-2.0-only
// The first percpu chunk's constants (include/linux/percpu.h, mm/percpu-internal.h) and the
// sizes of Debian's 6.1 amd64 build that its percpu setup depends on.
import { PAGE_SIZE } from './pfn.js';

/** CONFIG_NR_CPUS of Debian's amd64 config ("setup_percpu: NR_CPUS:8192"); also the empty cpu_map slot. */
export const NR_CPUS = 8192;

/** PERCPU_MODULE_RESERVE (CONFIG_MODULES=y): room for the DEFINE_PER_CPUs of modules. */
export const PERCPU_MODULE_RESERVE = 8 << 10;
/** PERCPU_DYNAMIC_RESERVE on 64-bit: the free area the first chunk keeps for dynamic allocations. */
export const PERCPU_DYNAMIC_RESERVE = 28 << 10;
/** PERCPU_DYNAMIC_EARLY_SIZE: the least dynamic space the first chunk may have. */
export const PERCPU_DYNAMIC_EARLY_SIZE = 12 << 10;
/** PCPU_MIN_UNIT_SIZE: PFN_ALIGN(32 KiB). */
export const PCPU_MIN_UNIT_SIZE = 32 << 10;
/** PCPU_MIN_ALLOC_SIZE: one bit of a chunk's allocation map covers 4 bytes. */
export const PCPU_MIN_ALLOC_SHIFT = 2;
export const PCPU_MIN_ALLOC_SIZE = 1 << PCPU_MIN_ALLOC_SHIFT;
/** PCPU_BITMAP_BLOCK_SIZE is PAGE_SIZE: one struct pcpu_block_md per page of a chunk. */
export const PCPU_BITMAP_BLOCK_SIZE = PAGE_SIZE;
export const PCPU_BITMAP_BLOCK_BITS = PCPU_BITMAP_BLOCK_SIZE >> PCPU_MIN_ALLOC_SHIFT;
/** PCPU_SLOT_BASE_SHIFT (mm/percpu.c): chunks of up to 32 bytes free share slot 1. */
export const PCPU_SLOT_BASE_SHIFT = 5;

/**
 * __per_cpu_end - __per_cpu_start of Debian's 6.1 amd64 vmlinux: the static percpu area every
 * unit starts with ("percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u1048576").
 */
export const DEBIAN_PERCPU_STATIC_SIZE = 217088;

/** sizeof(struct pcpu_alloc_info) without its groups: seven size_t, an int, padding. */
export const PCPU_ALLOC_INFO_SIZE = 64;
/** sizeof(struct pcpu_group_info): nr_units, base_offset, cpu_map. */
export const PCPU_GROUP_INFO_SIZE = 24;
/** sizeof(struct pcpu_chunk) up to populated[] (PERCPU_STATS off, MEMCG_KMEM on): the log's 144 - 8. */
export const PCPU_CHUNK_SIZE = 136;
/** sizeof(struct pcpu_block_md): eight ints. */
export const PCPU_BLOCK_MD_SIZE = 32;
/** sizeof(struct list_head), one per chunk slot. */
export const LIST_HEAD_SIZE = 16;
/** sizeof(unsigned long), sizeof(unsigned int), sizeof(void *) on x86_64. */
export const SIZEOF_LONG = 8;
export const SIZEOF_INT = 4;
export const SIZEOF_PTR = 8;
