// x86_64 page geometry (include/asm-generic/page.h, arch/x86/include/asm/page_types.h).
// Physical addresses are plain numbers: exact below 2^53, and meminit refuses anything at or
// beyond 2^52 (MAX_PHYSMEM_BITS with 5-level paging), so no BigInt is needed.
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

/** Largest physical address a machine may use (exclusive): 2^52. */
export const MAX_PHYS_ADDR = 2 ** 52;

/** The kernel's all-ones phys_addr_t (~0): kept as 2^64, printed as 0xffffffffffffffff. */
export const PHYS_ADDR_MAX = 2 ** 64;

/** PFN_DOWN: the pfn holding address a ("0x1fff → pfn 1"). */
export const pfnDown = (a: number): number => Math.floor(a / PAGE_SIZE);
/** PFN_UP: the first pfn at or above a ("0x1001 → pfn 2"). */
export const pfnUp = (a: number): number => Math.ceil(a / PAGE_SIZE);
/** PFN_PHYS: address of a pfn. */
export const pfnPhys = (pfn: number): number => pfn * PAGE_SIZE;

/** round_down for power-of-two alignments on values beyond 32 bits ("0x1234, 0x1000 → 0x1000"). */
export const roundDown = (x: number, align: number): number => x - (x % align);
/** round_up for power-of-two alignments ("0x1234, 0x1000 → 0x2000"). */
export const roundUp = (x: number, align: number): number => {
  const r = x % align;
  return r === 0 ? x : x + (align - r);
};
export const isAligned = (x: number, align: number): boolean => x % align === 0;

export const SZ_1K = 1024;
export const SZ_1M = 1024 * 1024;
export const SZ_1G = 1024 * SZ_1M;
