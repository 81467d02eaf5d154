// SPDX-License-Identifier: GPL-2.0-only
// The reservations already made when memblock=debug starts tracing: what early_reserve_memory()
// (arch/x86/kernel/setup.c) reserves for a nokaslr Debian 6.1 boot under QEMU + SeaBIOS.
// Derived from the first "MEMBLOCK configuration:" dump of every corpus boot (test/corpus/
// pc-1g.log … q35-12g.log) minus the ranges traced before it (smp_scan_config, reserve_brk).
import { DEBIAN_BRK, LOAD_PHYSICAL_ADDR } from '../arch/x86/brk.js';
import { E820Type } from '../arch/x86/e820-types.js';
import type { EarlyReservation, FirmwareE820Entry, KernelBrk } from '../arch/x86/firmware.js';
import { roundDown } from '../include/pfn.js';
import { lowRamTop } from './seabios.js';
import { SZ_4K, SZ_64K } from './units.js';

/**
 * _text of a nokaslr x86_64 kernel: CONFIG_PHYSICAL_START, 16 MiB. Also LOAD_PHYSICAL_ADDR,
 * below which the decompressor never runs the kernel; a loader that has no room there (OVMF's
 * EFI stub: 0x1600000 in the corpus UEFI boots) moves it up by CONFIG_PHYSICAL_ALIGN steps.
 */
export const KERNEL_START = LOAD_PHYSICAL_ADDR;
/** CONFIG_PHYSICAL_ALIGN of Debian's amd64 build. */
export const KERNEL_ALIGN = 0x200000;
/**
 * _text to __end_of_kernel_reserve of Debian 6.1.0-56-amd64: the corpus shows
 * [0x1000000-0x4410fff], of which [0x4400000-0x4410fff] is the traced reserve_brk().
 */
export const KERNEL_SIZE = 0x3400000;
/** The corpus initramfs (busybox + kpageflags) occupies 0x147000 bytes once page-aligned. */
export const INITRD_SIZE = 0x147000;

/** reserve_bios_regions(): BIOS_START_MIN / BIOS_START_MAX clamp the start of the BIOS area. */
const BIOS_START_MIN = 0x20000;
const BIOS_START_MAX = 0x9f000;
const BIOS_END = 0x100000;

/** The brk area of an image loaded at `kernelStart`: it moves with the image (DEBIAN_BRK at 16M). */
export function kernelBrkAt(kernelStart: number): KernelBrk {
  const d = kernelStart - KERNEL_START;
  return { start: DEBIAN_BRK.start + d, end: DEBIAN_BRK.end + d, limit: DEBIAN_BRK.limit + d };
}

/** Where QEMU's initrd loader puts an initrd of `size` bytes; undefined when none. */
function initrdPlacement(e820: readonly FirmwareE820Entry[], size: number): { base: number; end: number } | undefined {
  if (size === 0) return undefined;
  // The linuxboot option ROM caps the initrd at the int 15h/e801 top of RAM, which SeaBIOS
  // reports in 64 KiB units below its high reservation: pc-8g-numa4 (RAM to 0xbffdf000)
  // has its initrd end at 0xbffd0000, the others end at 0x…fe0000.
  const end = roundDown(lowRamTop(usableSpans(e820)), SZ_64K);
  return { base: roundDown(end - size, SZ_4K), end };
}

const usableSpans = (e820: readonly FirmwareE820Entry[]) =>
  e820.filter((e) => e.type === E820Type.RAM).map((e) => ({ start: e.addr, end: e.addr + e.size }));

/**
 * The default early reservations, in address order: the first 64 KiB, the BIOS area from the
 * EBDA to 1 MiB, the kernel image and the initrd.
 */
export function defaultEarlyReserved(e820: readonly FirmwareE820Entry[], initrdSize: number, kernelStart = KERNEL_START): EarlyReservation[] {
  // The BIOS data area's base-memory size (and the EBDA) is where usable RAM at 0 ends:
  // 639K under SeaBIOS, which is above BIOS_START_MAX, so the kernel takes 0x9f000.
  const lowEnd = usableSpans(e820).find((s) => s.start === 0)?.end ?? 0;
  const biosStart = roundDown(lowEnd < BIOS_START_MIN || lowEnd > BIOS_START_MAX ? BIOS_START_MAX : lowEnd, SZ_4K);
  const out: EarlyReservation[] = [
    { base: 0, size: SZ_64K, what: 'first 64K' },
    { base: biosStart, size: BIOS_END - biosStart, what: 'BIOS regions' },
    { base: kernelStart, size: KERNEL_SIZE, what: 'kernel image' },
  ];
  const initrd = initrdPlacement(e820, initrdSize);
  if (initrd) out.push({ base: initrd.base, size: initrd.end - initrd.base, what: 'initrd' });
  return out;
}
