// The reserved memory a boot gives back after memblock_free_all(), as the log tells it:
// memblock_free_late() ranges, EFI boot services memory, the initrd, and the kernel image's
// unused parts. Both the managed-pages and the kpageflags predictions start from these spans.
import { kernelImageFrees, type KernelImageSizes } from '../arch/x86/kernel-image.js';
import { PAGE_SIZE, pfnDown, pfnUp, SZ_1M } from '../include/pfn.js';
import type { Machine } from '../kernel/machine.js';
import type { BootLog } from './dmesg.js';
import { efiFreed, freeingMemory, memInitInfo, type MemInitInfo } from './formats/free.js';
import * as M from './formats/memblock.js';
import * as S from './formats/setup.js';

/** [start, end) pfns. */
export type Span = [number, number];

/**
 * When a late free happens, as far as the watermarks care: before the initcalls ('boot':
 * alternative_instructions(), page_alloc_init_late()'s memblock_discard()), in an arch initcall
 * ('arch': efi_free_boot_services(), between init_per_zone_wmark_min() and hugepage_init()), or
 * after both ('late': the initrd, free_initmem()).
 */
export type LateFreeStage = 'boot' | 'arch' | 'late';

export interface LateFree {
  span: Span;
  stage: LateFreeStage;
}

/** The spans of late frees up to a stage (all of them without one). */
export const lateSpans = (late: readonly LateFree[], upTo: LateFreeStage = 'late'): Span[] => {
  const order: LateFreeStage[] = ['boot', 'arch', 'late'];
  return late.filter((f) => order.indexOf(f.stage) <= order.indexOf(upTo)).map((f) => f.span);
};

/** The kernel-image frees free_kernel_image_pages(), alternative_instructions() and mem_encrypt print. */
const IMAGE_FREES = new Set([
  'unused kernel image (initmem)', 'SMP alternatives', 'unused kernel image (text/rodata gap)',
  'unused kernel image (rodata/data gap)', 'unused decrypted',
]);

/** The log's image frees placed by kernelImageFrees(), with the log's sizes: the SMP alternatives at boot, the rest late. */
function imageFreesFromLog(log: BootLog, text: number, brk: number, v: MemInitInfo): LateFree[] {
  const kbytes = (what: string): number =>
    log.kernel.map((l) => freeingMemory.parse(l.text)).filter((f) => f?.what === what).reduce((n, f) => n + f!.kbytes, 0);
  const sizes: KernelImageSizes = {
    ...v, initmemK: kbytes('unused kernel image (initmem)'), alternativesK: kbytes('SMP alternatives'),
    textGapK: kbytes('unused kernel image (text/rodata gap)'), rodataGapK: kbytes('unused kernel image (rodata/data gap)'),
    decryptedK: kbytes('unused decrypted'),
  };
  return kernelImageFrees(text, brk, sizes).map((f) => ({ span: f.span, stage: f.when === 'smp' ? 'boot' : 'late' }));
}

/**
 * _text: the start of the reserved stretch that holds brk (early_reserve_memory() reserved
 * _text.._end in one piece; NUMA init may since have split it at node boundaries).
 */
function imageStart(m: Machine, brk: number): number {
  const rs = m.memblock!.reserved.regions;
  let i = rs.findIndex((x) => x.base <= brk && brk < x.base + x.size);
  if (i < 0) return brk;
  while (i > 0 && rs[i - 1]!.base + rs[i - 1]!.size === rs[i]!.base) i--;
  return rs[i]!.base;
}

/** _text and the brk area's start (= __bss_stop), from the log's reserve_brk() trace; undefined without one. */
export function kernelImageFromLog(m: Machine, log: BootLog): { text: number; brk: number } | undefined {
  for (const l of log.kernel) {
    const r = M.memblockReserveLine.parse(l.text);
    if (r && /^setup_arch\b/.test(r.caller) && r.base >= SZ_1M) return { text: imageStart(m, r.base), brk: r.base };
  }
  return undefined;
}

/** The late frees as pfn spans with their stage; undefined, with a note saying why, when one cannot be placed. */
export function lateFrees(m: Machine, log: BootLog, notes: string[]): LateFree[] | undefined {
  const out: LateFree[] = [];
  let brk: number | undefined;
  let initrd: number | undefined;
  let imageFreed = false;
  const efi: Span[] = [];
  const cannot = (no: number, text: string, why: string): undefined => {
    notes.push(`${log.file}:${no}: cannot place "${text}" (${why}): managed pages and kpageflags not predicted`);
    return undefined;
  };
  for (const l of log.kernel) {
    const r = M.memblockReserveLine.parse(l.text);
    // reserve_brk() traces the brk area, which ends the image: setup_arch()'s first reservation above 1 MiB.
    if (r && brk === undefined && /^setup_arch\b/.test(r.caller) && r.base >= SZ_1M) brk = r.base;
    if (r && /^efi_reserve_boot_services\b/.test(r.caller)) efi.push([pfnUp(Math.max(r.base, SZ_1M)), pfnDown(r.base + r.size)]);
    const efiDone = efiFreed.parse(l.text);
    if (efiDone !== undefined) {
      // efi_free_boot_services(): what efi_reserve_boot_services() reserved goes back through
      // free_reserved_area(), never below 1 MiB — unless efi=debug kept it (then no such line).
      const pages = efi.reduce((n, [s, e]) => n + Math.max(e - s, 0), 0);
      if (pages * 4 !== efiDone) notes.push(`${log.file}:${l.no}: EFI boot services: the reservations add up to ${pages * 4}K, the kernel freed ${efiDone}K`);
      out.push(...efi.map((span): LateFree => ({ span, stage: 'arch' })));
    }
    const late = M.memblockFreeLateLine.parse(l.text);
    if (late) out.push({ span: [pfnUp(late.base), pfnDown(late.base + late.size)], stage: /^memblock_discard\b/.test(late.caller) ? 'boot' : 'late' });
    const rd = S.ramdisk.parse(l.text);
    if (rd) initrd = pfnDown(rd.start);
    const f = freeingMemory.parse(l.text);
    if (!f) continue;
    if (f.what === 'initrd') {
      if (initrd === undefined) return cannot(l.no, l.text, 'no RAMDISK line');
      out.push({ span: [initrd, initrd + (f.kbytes * 1024) / PAGE_SIZE], stage: 'late' });
    } else if (IMAGE_FREES.has(f.what)) {
      imageFreed = true;
    } else {
      return cannot(l.no, l.text, 'a free 6.1 does not print');
    }
  }
  if (!imageFreed) return out;
  const info = log.kernel.find((l) => memInitInfo.parse(l.text) !== undefined);
  if (brk === undefined || !info) return cannot(info?.no ?? 0, 'Freeing unused kernel image', brk === undefined ? 'no trace of reserve_brk' : 'no "Memory:" line');
  const v = memInitInfo.parse(info.text)!;
  out.push(...imageFreesFromLog(log, imageStart(m, brk), brk, v));
  return out;
}
