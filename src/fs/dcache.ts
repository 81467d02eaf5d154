// SPDX-License-Identifier: GPL-2.0-only
// The dentry hash table of fs/dcache.c (6.1) and vfs_caches_init_early(): with hashdist off it
// comes from memblock before mem_init(); with hashdist on, from vmalloc in vfs_caches_init().
import type { Machine } from '../kernel/machine.js';
import {
  allocLargeSystemHashEarly, allocLargeSystemHashVmalloc, HASH_EARLY, HASH_ZERO, type HashSpec, hashdistAtBoot, hashEntriesParam, nrKernelPages,
} from '../mm/large-system-hash.js';
import { inodeInit, inodeInitEarly } from './inode.js';

/** sizeof(struct hlist_bl_head): one pointer per bucket, one bucket per 8 KiB (scale 13). */
const dentryHash = (m: Machine, flags: number): HashSpec => ({
  table: 'Dentry cache', bucketsize: 8, numentries: hashEntriesParam(m, 'dhash_entries'), scale: 13, flags, lowLimit: 2, highLimit: 0,
});

/** dcache_init_early(): nothing when hashdist defers the table to vmalloc. */
export function dcacheInitEarly(m: Machine): void {
  if (hashdistAtBoot(m)) return;
  allocLargeSystemHashEarly(m, dentryHash(m, HASH_EARLY | HASH_ZERO), nrKernelPages(m.zones!));
}

/** vfs_caches_init_early() from start_kernel(): the dentry then the inode hash. */
export function vfsCachesInitEarly(m: Machine): void {
  dcacheInitEarly(m);
  inodeInitEarly(m);
}

/** dcache_init()'s table: only when hashdist kept dcache_init_early() from making it. */
export function dcacheInit(m: Machine): void {
  if (!hashdistAtBoot(m)) return;
  allocLargeSystemHashVmalloc(m, dentryHash(m, HASH_ZERO), nrKernelPages(m.zones!));
}

/**
 * The hash tables of vfs_caches_init() (start_kernel(), after mem_init() and the slab
 * allocator): on hashdist machines their two "vmalloc" lines, nothing otherwise.
 */
export function vfsCachesInit(m: Machine): void {
  dcacheInit(m);
  inodeInit(m);
}
