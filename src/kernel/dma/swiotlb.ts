// SPDX-License-Identifier: GPL-2.0-only
// The software IO TLB's boot-time buffer (kernel/dma/swiotlb.c of 6.1): 64 MiB of bounce
// buffers below 4 GiB in 2 KiB slabs, a slot array of one struct io_tlb_slot per slab, and one
// struct io_tlb_area per lock domain (the possible CPUs, rounded up to a power of two).
import { SMP_CACHE_BYTES } from '../../include/memblock.js';
import { PAGE_SIZE, roundUp } from '../../include/pfn.js';
import { memblockAlloc, memblockAllocLow } from '../../mm/memblock.js';
import * as S from '../../trace/formats/swiotlb.js';
import { simpleStrtoull } from '../cmdline.js';
import type { KernelArg } from '../cmdline.js';
import type { Machine } from '../machine.js';

export const IO_TLB_SHIFT = 11;
export const IO_TLB_SIZE = 1 << IO_TLB_SHIFT;
/** Slabs per segment: areas and requested sizes are whole segments. */
export const IO_TLB_SEGSIZE = 128;
export const IO_TLB_DEFAULT_SIZE = 64 * 1024 * 1024;
/** 1 MiB: below this the boot gives up on the buffer. */
export const IO_TLB_MIN_SLABS = (1 << 20) >> IO_TLB_SHIFT;
/** sizeof(struct io_tlb_slot): orig_addr, alloc_size, list (padded). */
export const IO_TLB_SLOT_SIZE = 24;
/** sizeof(struct io_tlb_area): used, index, a spinlock. */
export const IO_TLB_AREA_SIZE = 16;

/** SWIOTLB_VERBOSE, SWIOTLB_FORCE, SWIOTLB_ANY (include/linux/swiotlb.h). */
export const SwiotlbFlag = { VERBOSE: 1 << 0, FORCE: 1 << 1, ANY: 1 << 2 } as const;

/** default_nslabs, default_nareas and the swiotlb=force/noforce switches. */
export interface SwiotlbDefaults {
  nslabs: number;
  /** 0: not chosen yet, swiotlb_init_remap() takes the possible CPUs. */
  nareas: number;
  forceBounce: boolean;
  forceDisable: boolean;
}

/** roundup_pow_of_two() / is_power_of_2() for the small counts here. */
const roundupPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(n));
const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * round_up_default_nslabs(): with areas chosen, at least one segment per area and a power of
 * two ("4 areas, 1000 slabs → 1024"). Returns whether it changed.
 */
export function roundUpDefaultNslabs(d: SwiotlbDefaults): boolean {
  if (!d.nareas) return false;
  if (d.nslabs < IO_TLB_SEGSIZE * d.nareas) d.nslabs = IO_TLB_SEGSIZE * d.nareas;
  else if (isPow2(d.nslabs)) return false;
  d.nslabs = roundupPow2(d.nslabs);
  return true;
}

/** swiotlb_adjust_nareas(): a power of two ("3 CPUs → area num 4."), then the slabs to fit. */
export function swiotlbAdjustNareas(m: Machine | undefined, d: SwiotlbDefaults, nareas: number): void {
  nareas = !nareas ? 1 : isPow2(nareas) ? nareas : roundupPow2(nareas);
  d.nareas = nareas;
  m?.printk.emit(S.swiotlbAreaNum, nareas);
  if (roundUpDefaultNslabs(d)) m?.printk.emit(S.swiotlbRoundup, (d.nslabs * IO_TLB_SIZE) / 2 ** 20);
}

/** limit_nareas(): no more areas than whole segments ("2 areas, 128 slots → 1"). */
export const limitNareas = (nareas: number, nslots: number): number =>
  nslots < nareas * IO_TLB_SEGSIZE ? Math.floor(nslots / IO_TLB_SEGSIZE) : nareas;

const isdigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Every swiotlb= in order, as setup_io_tlb_npages() reads it: "swiotlb=<slabs>[,<areas>][,force|noforce]".
 * The area count it may set is printed from setup_arch()'s parse_early_param(), which is not
 * replayed here: only its effect is kept.
 */
export function swiotlbDefaults(args: readonly KernelArg[]): SwiotlbDefaults {
  const d: SwiotlbDefaults = { nslabs: IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT, nareas: 0, forceBounce: false, forceDisable: false };
  for (const a of args) {
    if (a.param !== 'swiotlb') continue;
    const str = a.val ?? '';
    let pos = 0;
    if (isdigit(str[pos])) {
      const r = simpleStrtoull(str, pos);
      d.nslabs = roundUp(Number(r.value), IO_TLB_SEGSIZE);
      pos = r.end;
    }
    if (str[pos] === ',') pos++;
    if (isdigit(str[pos])) {
      const r = simpleStrtoull(str, pos);
      swiotlbAdjustNareas(undefined, d, Number(BigInt.asUintN(32, r.value)));
      pos = r.end;
    }
    if (str[pos] === ',') pos++;
    const rest = str.slice(pos);
    if (rest === 'force') d.forceBounce = true;
    else if (rest === 'noforce') d.forceDisable = true;
  }
  return d;
}

/**
 * swiotlb_memblock_alloc(): the bounce buffer, below 4 GiB unless SWIOTLB_ANY; 0 when memblock
 * has no room (the caller halves and retries).
 */
function swiotlbMemblockAlloc(m: Machine, nslabs: number, flags: number): number {
  const bytes = roundUp(nslabs * IO_TLB_SIZE, PAGE_SIZE);
  const mb = m.memblock!;
  const tlb = flags & SwiotlbFlag.ANY
    ? memblockAlloc(mb, bytes, PAGE_SIZE, 'swiotlb_init_remap')
    : memblockAllocLow(mb, bytes, PAGE_SIZE, 'swiotlb_init_remap');
  if (!tlb) m.printk.emit(S.swiotlbAllocFailed, bytes);
  return tlb;
}

/** What swiotlb_init_remap() set up: the buffer and its slab count, or nothing. */
export interface IoTlbMem {
  start: number;
  nslabs: number;
  nareas: number;
}

/**
 * swiotlb_init_remap() with no remap callback (swiotlb_init()): nothing unless a device may
 * need bouncing (addressingLimit) or swiotlb=force; then the areas, the buffer (halved while it
 * does not fit, down to 1 MiB), the slot array and the area array. pc-4g: "area num 2.",
 * 67108864 bytes below 4 GiB, 786432 bytes of slots, 32 bytes of areas.
 */
export function swiotlbInitRemap(m: Machine, addressingLimit: boolean, flags: number, d: SwiotlbDefaults, possibleCpus: number): IoTlbMem | undefined {
  if (!addressingLimit && !d.forceBounce) return undefined;
  if (d.forceDisable) return undefined;
  if (!d.nareas) swiotlbAdjustNareas(m, d, possibleCpus);
  // 6.1 also narrows a local area count with limit_nareas() as the buffer shrinks, but then
  // sizes everything by default_nareas: only the slab count matters.
  let nslabs = d.nslabs;
  let tlb: number;
  while (!(tlb = swiotlbMemblockAlloc(m, nslabs, flags))) {
    if (nslabs <= IO_TLB_MIN_SLABS) return undefined;
    nslabs = roundUp(Math.floor(nslabs / 2), IO_TLB_SEGSIZE);
  }
  if (d.nslabs !== nslabs) {
    m.printk.emit(S.swiotlbAdjusted, { from: d.nslabs, to: nslabs });
    d.nslabs = nslabs;
  }
  const mb = m.memblock!;
  const slots = roundUp(IO_TLB_SLOT_SIZE * nslabs, PAGE_SIZE);
  if (!memblockAlloc(mb, slots, PAGE_SIZE, 'swiotlb_init_remap')) {
    m.printk.emit(S.swiotlbSlotsFailed, slots);
    return undefined;
  }
  if (!memblockAlloc(mb, IO_TLB_AREA_SIZE * d.nareas, SMP_CACHE_BYTES, 'swiotlb_init_remap')) {
    m.printk.emit(S.swiotlbAreasFailed, true);
    return undefined;
  }
  return { start: tlb, nslabs, nareas: d.nareas };
}
