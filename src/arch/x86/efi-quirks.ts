// SPDX-License-Identifier: GPL-2.0-only
// EFI boot-services memory on x86 (arch/x86/platform/efi/quirks.c). The EFI spec lets the OS
// reuse it after ExitBootServices(), but firmware still calls into it, so setup_arch()
// reserves it right after the first memblock dump, and an arch_initcall gives it to the buddy
// allocator once every struct page is initialised (after deferred init).
import { SZ_1M } from '../../include/pfn.js';
import type { Machine } from '../../kernel/machine.js';
import { memblockIsRegionReserved, memblockReserve } from '../../mm/memblock.js';
import { machineFreeReservedArea } from '../../mm/page-free-core.js';
import { efiFreed } from '../../trace/formats/free.js';
import { DEBIAN_BRK, kernelEnd } from './brk.js';
import { imageTextOf } from './kernel-image.js';
import { e820MappedAll } from './e820.js';
import { E820Type } from './e820-types.js';

/**
 * can_free_region(): the kernel may hand the range back only if it owns all of it — no part of
 * the kernel image (_text to _end, inclusive of _end as the kernel compares) and all e820 RAM.
 */
function canFreeRegion(m: Machine, start: number, size: number): boolean {
  if (start + size > imageTextOf(m.firmware) && start <= kernelEnd(m.firmware.brk ?? DEBIAN_BRK)) return false;
  return e820MappedAll(m.e820!.table, start, start + size, E820Type.RAM);
}

/**
 * efi_reserve_boot_services() and the range list efi_unmap_boot_services() builds from it:
 * each Boot Services Code/Data descriptor nobody reserved yet is reserved; the ones the kernel
 * then owns (canFreeRegion) are queued for efi_free_boot_services(), less the first MiB, unless
 * efi=debug keeps them all. A descriptor overlapping an earlier reservation is left alone
 * (tagged EFI_MEMORY_RUNTIME): reserving it would let the late free give away someone's memory.
 */
export function efiReserveBootServices(m: Machine): void {
  const descs = m.firmware.efiBootServices;
  if (!descs) return;
  const mb = m.memblock!;
  const toFree: [number, number][] = [];
  for (const { base, size } of descs) {
    if (memblockIsRegionReserved(mb, base, size)) continue;
    memblockReserve(mb, base, size, 'efi_reserve_boot_services');
    if (!canFreeRegion(m, base, size)) continue;
    // BIOS might clobber memory below 1 MiB, and a crash kernel wants it: never freed.
    const start = Math.max(base, SZ_1M);
    if (start < base + size) toFree.push([start, base + size]);
  }
  m.efiRangesToFree = m.params.efiDebug ? [] : toFree;
}

/**
 * efi_free_boot_services() (arch_initcall): free_reserved_area() over each queued range, and
 * the one line saying how much came back. Needs the struct pages and the buddy allocator.
 */
export function efiFreeBootServices(m: Machine): void {
  const ranges = m.efiRangesToFree;
  if (!ranges?.length) return;
  let freed = 0;
  for (const [start, end] of ranges) {
    machineFreeReservedArea(m, start, end);
    freed += end - start;
  }
  m.efiRangesToFree = [];
  m.printk.emit(efiFreed, freed / 1024);
}
