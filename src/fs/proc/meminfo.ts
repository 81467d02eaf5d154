// SPDX-License-Identifier: GPL-2.0-only
// /proc/meminfo (meminfo_proc_show() in fs/proc/meminfo.c, arch_report_meminfo() in
// arch/x86/mm/pat/set_memory.c) as far as memory init decides it. Predicted: MemTotal
// (totalram_pages: the zones' managed pages), MemFree for a booted machine (its buddy allocator,
// before any user), the hugepage lines of a boot without hugepages=, VmallocTotal, and the
// direct map. Everything else (caches, slab, anon, commit, page tables) is what the running
// system did after boot: not predicted, not printed.
import { splitMemRange } from '../../arch/x86/split-mem-range.js';
import { PG_MASK_1G, PG_MASK_2M, PMD_SIZE, PUD_SIZE } from '../../arch/x86/pgtable.js';
import { PAGE_SIZE, pfnUp, SZ_1M } from '../../include/pfn.js';
import { forEachMemPfnRange, type Memblock } from '../../mm/memblock.js';
import { MAX_NUMNODES } from '../../include/mmzone.js';
import type { MeminfoLine } from '../../trace/formats/meminfo.js';

/** What the direct mapping holds, in bytes per page size. */
export interface DirectMap {
  k4: number;
  m2: number;
  g1: number;
}

/**
 * The direct mapping init_mem_mapping() builds: the ISA range [0, 1 MiB) whole, then every
 * memblock memory range below max_pfn, each cut by split_mem_range(). Large pages count once per
 * aligned block they cover. This is the split at boot: later set_memory_*() calls split large
 * pages (a 2M page becomes 512 4K ones), which moves bytes from DirectMap2M to DirectMap4k but
 * keeps the sum — so only the sum is compared with a running kernel's.
 * Example (pc-4g, no gbpages): [0, 1M) 4K; [1M, 2M) 4K, [2M, 0xbfe00000) 2M, [0xbfe00000,
 * 0xbffe0000) 4K; [4G, 5G) 2M → 3968 kB 4K + 4190208 kB 2M = 4194176 kB.
 */
export function directMap(mb: Memblock, maxPfn: number, gbpages: boolean): DirectMap {
  const mask = PG_MASK_2M | (gbpages ? PG_MASK_1G : 0);
  const ranges: [number, number][] = [[0, SZ_1M]];
  for (const r of forEachMemPfnRange(mb, MAX_NUMNODES)) {
    const s = Math.max(r.startPfn, pfnUp(SZ_1M));
    const e = Math.min(r.endPfn, maxPfn);
    if (s < e) ranges.push([s * PAGE_SIZE, e * PAGE_SIZE]);
  }
  const g1 = new Set<number>();
  const m2 = new Set<number>();
  const small: [number, number][] = [];
  for (const [s, e] of ranges) {
    for (const mr of splitMemRange(mb, s, e, mask)) {
      if (mr.pageSizeMask & PG_MASK_1G) for (let a = Math.floor(mr.start / PUD_SIZE); a < Math.ceil(mr.end / PUD_SIZE); a++) g1.add(a);
      else if (mr.pageSizeMask & PG_MASK_2M) for (let a = Math.floor(mr.start / PMD_SIZE); a < Math.ceil(mr.end / PMD_SIZE); a++) m2.add(a);
      else small.push([mr.start, mr.end]);
    }
  }
  const inLarge = (a: number): boolean => g1.has(Math.floor(a / PUD_SIZE)) || m2.has(Math.floor(a / PMD_SIZE));
  let k4 = 0;
  for (const [s, e] of small) for (let a = s; a < e; a += PAGE_SIZE) if (!inLarge(a)) k4 += PAGE_SIZE;
  const m2Bytes = [...m2].filter((b) => !g1.has(Math.floor((b * PMD_SIZE) / PUD_SIZE))).length * PMD_SIZE;
  return { k4, m2: m2Bytes, g1: g1.size * PUD_SIZE };
}

/** VMALLOC_SIZE_TB: 32 TiB with 4-level paging, 12800 TiB with 5; VmallocTotal is its last byte >> 10. */
export const vmallocTotalKb = (l5: boolean): number => ((l5 ? 12800 : 32) * 2 ** 40 - 1024) / 1024;

export interface MeminfoInput {
  /** totalram_pages(): the sum of the zones' managed pages. */
  totalramPages: number;
  /** Free pages in the buddy allocator, when the model has one (a booted machine, not a replay). */
  freePages?: number;
  /** hugepages= was given: the hugetlb lines then depend on what the kernel could allocate. */
  hugepagesParam: boolean;
  l5: boolean;
  directMap?: DirectMap;
  /** X86_FEATURE_GBPAGES: the DirectMap1G line is printed. */
  cpuGbpages: boolean;
}

const kb = (pages: number): number => (pages * PAGE_SIZE) / 1024;

/** The predicted lines, in the kernel's order. */
export function meminfoLines(i: MeminfoInput): MeminfoLine[] {
  const out: MeminfoLine[] = [{ field: 'MemTotal', value: kb(i.totalramPages), kB: true }];
  if (i.freePages !== undefined) out.push({ field: 'MemFree', value: kb(i.freePages), kB: true });
  out.push({ field: 'VmallocTotal', value: vmallocTotalKb(i.l5), kB: true });
  if (!i.hugepagesParam) {
    for (const f of ['HugePages_Total', 'HugePages_Free', 'HugePages_Rsvd', 'HugePages_Surp']) out.push({ field: f, value: 0, kB: false });
  }
  out.push({ field: 'Hugepagesize', value: 2048, kB: true });
  if (!i.hugepagesParam) out.push({ field: 'Hugetlb', value: 0, kB: true });
  if (i.directMap) {
    out.push({ field: 'DirectMap4k', value: i.directMap.k4 / 1024, kB: true }, { field: 'DirectMap2M', value: i.directMap.m2 / 1024, kB: true });
    if (i.cpuGbpages) out.push({ field: 'DirectMap1G', value: i.directMap.g1 / 1024, kB: true });
  }
  return out;
}
