// SPDX-License-Identifier: GPL-2.0-only
// The parts of the kernel image that go back to the buddy allocator after boot
// (arch/x86/mm/init.c free_kernel_image_pages(), free_initmem(); mark_rodata_ro()'s gaps;
// alternative_instructions()'s SMP locks; mem_encrypt_free_decrypted_mem()), placed from _text,
// the brk area and the section sizes mem_init_print_info() prints. A replay takes the sizes
// from its log; a machine file boots Debian's 6.1 image, whose sizes are constants.
import { PAGE_SIZE, pfnDown, roundUp, SZ_1M } from '../../include/pfn.js';
import { DEBIAN_BRK, kernelText } from './brk.js';
import type { Firmware } from './firmware.js';

/**
 * __pa_symbol(_text) of a machine's image: the early reservation named "kernel image" when the
 * machine lists one, else where the brk area puts it (16M without kernelStart).
 */
export const imageTextOf = (fw: Firmware): number =>
  fw.earlyReserved.find((r) => r.what === 'kernel image')?.base ?? kernelText(fw.brk ?? DEBIAN_BRK);

/** Section sizes ("Memory: …K/…K available (14343K kernel code, …)") and the frees, in KiB. */
export interface KernelImageSizes {
  codeK: number;
  rwdataK: number;
  rodataK: number;
  initK: number;
  bssK: number;
  /** "Freeing unused kernel image (initmem) memory: 2824K" (free_initmem()). */
  initmemK: number;
  /** "Freeing SMP alternatives memory: 36K" (alternative_instructions(), inside .init). */
  alternativesK: number;
  /** "Freeing unused kernel image (text/rodata gap) memory: 2040K" (mark_rodata_ro()). */
  textGapK: number;
  /** "Freeing unused kernel image (rodata/data gap) memory: 1108K" (mark_rodata_ro()). */
  rodataGapK: number;
  /** "Freeing unused decrypted memory: 2036K" (mem_encrypt_free_decrypted_mem()). */
  decryptedK: number;
}

/** Debian's 6.1.0 amd64 image, as all 50 corpus boots print it. */
export const DEBIAN_IMAGE: KernelImageSizes = {
  codeK: 14343, rwdataK: 2338, rodataK: 9132, initK: 2824, bssK: 17344,
  initmemK: 2824, alternativesK: 36, textGapK: 2040, rodataGapK: 1108, decryptedK: 2036,
};

/** When a free happens: before deferred init ('smp'), or after the initcalls ('late'). */
export type KernelImageFreeWhen = 'smp' | 'late';

export interface KernelImageFree {
  /** [start, end) pfns. */
  span: [number, number];
  when: KernelImageFreeWhen;
  /** The name free_reserved_area() prints ("unused kernel image (initmem)"). */
  what: string;
}

/**
 * Where the image's freed parts lie: the text/rodata and rodata/data gaps end on 2 MiB boundaries
 * after .text and .rodata, .init (with the SMP alternatives at its start) ends one .data_nosave
 * page below .bss, and the unused decrypted bss ends at the brk area. In late-free order:
 * alternatives, then (after the initcalls) decrypted, initmem and the two gaps.
 * Example, Debian at 16M (brk 0x4400000): text/rodata gap [0x1e02, 0x2000), rodata/data gap
 * [0x28eb, 0x2a00), alternatives [0x3044, 0x304d), initmem [0x304d, 0x330f), decrypted [0x4203, 0x4400).
 */
export function kernelImageFrees(text: number, brk: number, s: KernelImageSizes): KernelImageFree[] {
  const K = 1024;
  const pages = (k: number): number => (k * K) / PAGE_SIZE;
  const gap1End = pfnDown(roundUp(text + s.codeK * K, 2 * SZ_1M));
  const gap2End = pfnDown(roundUp(gap1End * PAGE_SIZE + s.rodataK * K, 2 * SZ_1M));
  const initEnd = pfnDown(brk - s.bssK * K) - 1;
  const initmem = pages(s.initmemK);
  const init = initmem + pages(s.alternativesK);
  const brkPfn = pfnDown(brk);
  return [
    { span: [initEnd - init, initEnd - initmem], when: 'smp', what: 'SMP alternatives' },
    { span: [brkPfn - pages(s.decryptedK), brkPfn], when: 'late', what: 'unused decrypted' },
    { span: [initEnd - initmem, initEnd], when: 'late', what: 'unused kernel image (initmem)' },
    { span: [gap1End - pages(s.textGapK), gap1End], when: 'late', what: 'unused kernel image (text/rodata gap)' },
    { span: [gap2End - pages(s.rodataGapK), gap2End], when: 'late', what: 'unused kernel image (rodata/data gap)' },
  ];
}
