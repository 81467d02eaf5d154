// SPDX-License-Identifier: GPL-2.0-only
// The inode hash table of fs/inode.c (6.1): the dentry table's twin, one bucket per 16 KiB.
import type { Machine } from '../kernel/machine.js';
import {
  allocLargeSystemHashEarly, allocLargeSystemHashVmalloc, HASH_EARLY, HASH_ZERO, type HashSpec, hashdistAtBoot, hashEntriesParam, nrKernelPages,
} from '../mm/large-system-hash.js';

/** sizeof(struct hlist_head), scale 14. */
const inodeHash = (m: Machine, flags: number): HashSpec => ({
  table: 'Inode-cache', bucketsize: 8, numentries: hashEntriesParam(m, 'ihash_entries'), scale: 14, flags, lowLimit: 0, highLimit: 0,
});

/** inode_init_early(). */
export function inodeInitEarly(m: Machine): void {
  if (hashdistAtBoot(m)) return;
  allocLargeSystemHashEarly(m, inodeHash(m, HASH_EARLY | HASH_ZERO), nrKernelPages(m.zones!));
}

/** inode_init()'s table, on hashdist machines. */
export function inodeInit(m: Machine): void {
  if (!hashdistAtBoot(m)) return;
  allocLargeSystemHashVmalloc(m, inodeHash(m, HASH_ZERO), nrKernelPages(m.zones!));
}
