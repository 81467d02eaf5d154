// SPDX-License-Identifier: GPL-2.0-only
// The boot-time lines of the software IO TLB (kernel/dma/swiotlb.c of 6.1, pr_fmt
// "software IO TLB: "): its area count and what happens when memblock cannot hold the buffer.
import { lineFormat } from '../format.js';
import { parseDec } from '../printk.js';

const P = 'software IO TLB: ';

/** swiotlb_adjust_nareas(): "software IO TLB: area num 2.". */
export const swiotlbAreaNum = lineFormat<number>(
  'swiotlb.area_num', 'swiotlb_adjust_nareas',
  /^software IO TLB: area num (\d+)\.$/,
  (m) => parseDec(m[1]!),
  (v) => `${P}area num ${v}.`,
);

/** swiotlb_adjust_nareas(): the slab count grew to fit the areas; the value is in MiB. */
export const swiotlbRoundup = lineFormat<number>(
  'swiotlb.roundup', 'swiotlb_adjust_nareas',
  /^software IO TLB: SWIOTLB bounce buffer size roundup to (\d+)MB$/,
  (m) => parseDec(m[1]!),
  (v) => `${P}SWIOTLB bounce buffer size roundup to ${v}MB`,
);

/** swiotlb_memblock_alloc(): no room below 4 GiB for the bounce buffer; the value is its size. */
export const swiotlbAllocFailed = lineFormat<number>(
  'swiotlb.alloc_failed', 'swiotlb_memblock_alloc',
  /^software IO TLB: swiotlb_memblock_alloc: Failed to allocate (\d+) bytes tlb structure$/,
  (m) => parseDec(m[1]!),
  (v) => `${P}swiotlb_memblock_alloc: Failed to allocate ${v} bytes tlb structure`,
);

/** swiotlb_init_remap(): the buffer that fitted is smaller than asked ("32768 -> 16384 slabs"). */
export const swiotlbAdjusted = lineFormat<{ from: number; to: number }>(
  'swiotlb.adjusted', 'swiotlb_init_remap',
  /^software IO TLB: SWIOTLB bounce buffer size adjusted (\d+) -> (\d+) slabs$/,
  (m) => ({ from: parseDec(m[1]!), to: parseDec(m[2]!) }),
  (v) => `${P}SWIOTLB bounce buffer size adjusted ${v.from} -> ${v.to} slabs`,
);

/** swiotlb_init_remap(): the slot array did not fit; the value is its size (align is PAGE_SIZE). */
export const swiotlbSlotsFailed = lineFormat<number>(
  'swiotlb.slots_failed', 'swiotlb_init_remap',
  /^software IO TLB: swiotlb_init_remap: Failed to allocate (\d+) bytes align=0x1000$/,
  (m) => parseDec(m[1]!),
  (v) => `${P}swiotlb_init_remap: Failed to allocate ${v} bytes align=0x1000`,
);

/** swiotlb_init_remap(): the area array did not fit. */
export const swiotlbAreasFailed = lineFormat<true>(
  'swiotlb.areas_failed', 'swiotlb_init_remap',
  /^software IO TLB: swiotlb_init_remap: Failed to allocate mem->areas\.$/,
  () => true,
  () => `${P}swiotlb_init_remap: Failed to allocate mem->areas.`,
);

export const swiotlbFormats = [
  swiotlbAreaNum, swiotlbRoundup, swiotlbAllocFailed, swiotlbAdjusted, swiotlbSlotsFailed, swiotlbAreasFailed,
] as const;
