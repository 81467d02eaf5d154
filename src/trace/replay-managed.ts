// Each zone's managed pages at the end of boot (the `managed` of /proc/zoneinfo), from the
// replayed memblock: what memblock_free_all() hands to the buddy allocator (deferred pages
// included: deferred init frees them before userspace runs), plus the reserved memory the log
// reports freed later — memblock_free_late() ranges, EFI boot services memory, the initrd and
// the kernel image's init/gap sections — each credited to the zone that holds it.
import { MemblockFlag } from '../include/memblock.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../include/mmzone.js';
import { PAGE_SIZE, PHYS_ADDR_MAX, pfnDown, pfnUp, SZ_1M } from '../include/pfn.js';
import type { Machine } from '../kernel/machine.js';
import { forEachFreeMemRange, forEachMemPfnRange, memblockClearHotplug } from '../mm/memblock.js';
import { populatedZone, zoneEndPfn } from '../mm/zone.js';
import type { BootLog } from './dmesg.js';
import { efiFreed, freeingMemory, memInitInfo, type MemInitInfo } from './formats/free.js';
import * as M from './formats/memblock.js';
import * as S from './formats/setup.js';

/** Managed pages per "nid:zone name". */
export type ZoneCounts = Map<string, number>;

/**
 * Add the pfns of [startPfn, endPfn) to the zones that hold them: the node is the one whose
 * memory they are (node spans may interleave, as with numa=fake), the zone the node's zone
 * spanning them.
 */
function credit(m: Machine, out: ZoneCounts, startPfn: number, endPfn: number): void {
  for (const r of forEachMemPfnRange(m.memblock!, MAX_NUMNODES)) {
    const s = Math.max(startPfn, r.startPfn);
    const e = Math.min(endPfn, r.endPfn);
    if (s >= e) continue;
    for (const z of m.zones!.nodes.get(r.nid)?.zones ?? []) {
      if (!populatedZone(z)) continue;
      const n = Math.min(e, zoneEndPfn(z)) - Math.max(s, z.zoneStartPfn);
      if (n > 0) out.set(`${r.nid}:${z.name}`, (out.get(`${r.nid}:${z.name}`) ?? 0) + n);
    }
  }
}

/**
 * Where the freed parts of the kernel image sit. reserve_brk() traces the brk area, which ends
 * the image (its first memblock_reserve from setup_arch() above 1 MiB); the "Memory:" line gives
 * the section sizes: .init lies just below .bss, the unused decrypted bss at the end of .bss,
 * the text/rodata and rodata/data gaps near the start. Only a node boundary inside the image (tiny numa=fake nodes) makes the difference.
 */
function kernelImage(log: BootLog): { initmem: number; bssEnd: number; rest: number } | undefined {
  let brk: number | undefined;
  for (const l of log.kernel) {
    const r = M.memblockReserveLine.parse(l.text);
    if (r && /^setup_arch\b/.test(r.caller) && r.base >= SZ_1M) {
      brk = r.base;
      break;
    }
    if (M.memblockDumpHeaderLine.parse(l.text)) break;
  }
  if (brk === undefined) return undefined;
  const info = log.kernel.map((l) => memInitInfo.parse(l.text)).find((v) => v !== undefined);
  if (!info) return { initmem: pfnDown(brk), bssEnd: pfnDown(brk), rest: pfnDown(brk) };
  const bss = brk - info.bssK * 1024;
  const text = bss - (info.initK + info.rwdataK + info.rodataK + info.codeK) * 1024;
  return { initmem: pfnDown(bss - info.initK * 1024), bssEnd: pfnDown(brk), rest: pfnDown(text + info.codeK * 1024) };
}

/** The managed pages of every populated zone, or undefined when the log lacks what it takes. */
export function predictManaged(m: Machine, log: BootLog, notes: string[]): ZoneCounts | undefined {
  const mb = m.memblock;
  if (!mb || !m.zones) return undefined;
  const out: ZoneCounts = new Map();
  // free_low_memory_core_early(): the hotplug marks go, then every free range, in whole pages below max_low_pfn.
  memblockClearHotplug(mb, 0, PHYS_ADDR_MAX);
  for (const r of forEachFreeMemRange(mb, NUMA_NO_NODE, MemblockFlag.NONE)) {
    credit(m, out, pfnUp(r.start), Math.min(pfnDown(r.end), m.maxLowPfn));
  }
  const image = kernelImage(log);
  let initrd: number | undefined;
  const efiBoot: [number, number][] = [];
  for (const l of log.kernel) {
    const late = M.memblockFreeLateLine.parse(l.text);
    if (late) credit(m, out, pfnUp(late.base), pfnDown(late.base + late.size));
    const efi = M.memblockReserveLine.parse(l.text);
    if (efi && /^efi_reserve_boot_services\b/.test(efi.caller)) efiBoot.push([pfnUp(Math.max(efi.base, SZ_1M)), pfnDown(efi.base + efi.size)]);
    const efiDone = efiFreed.parse(l.text);
    if (efiDone !== undefined) {
      // efi_free_boot_services(): what efi_reserve_boot_services() reserved goes back through
      // free_reserved_area(), never below 1 MiB — unless efi=debug kept it (then no such line).
      const pages = efiBoot.reduce((n, [s, e]) => n + Math.max(e - s, 0), 0);
      if (pages * 4 !== efiDone) notes.push(`${log.file}:${l.no}: EFI boot services: the reservations add up to ${pages * 4}K, the kernel freed ${efiDone}K`);
      for (const [s, e] of efiBoot) credit(m, out, s, e);
    }
    const rd = S.ramdisk.parse(l.text);
    if (rd) initrd = pfnDown(rd.start);
    const f = freeingMemory.parse(l.text);
    if (!f) continue;
    const pages = (f.kbytes * 1024) / PAGE_SIZE;
    const at = f.what === 'initrd' ? initrd
      : f.what === 'unused kernel image (initmem)' ? image?.initmem
        : f.what === 'unused decrypted' ? image && image.bssEnd - pages
          : image?.rest;
    if (at === undefined) {
      notes.push(`${log.file}:${l.no}: cannot tell which zone "${l.text}" frees into: managed pages not predicted`);
      return undefined;
    }
    credit(m, out, at, at + pages);
  }
  return out;
}

/**
 * The pages memblock_free_all() frees: all of them (totalram_pages), and those below each node's
 * first_deferred_pfn that reach the buddy allocator at once (memblock_free_pages() leaves the
 * rest to deferred init).
 */
function memblockFreeAllCounts(m: Machine): { total: number; early: number } {
  let total = 0;
  let early = 0;
  for (const f of forEachFreeMemRange(m.memblock!, NUMA_NO_NODE, MemblockFlag.NONE)) {
    const s0 = pfnUp(f.start);
    const e0 = Math.min(pfnDown(f.end), m.maxLowPfn);
    for (const r of forEachMemPfnRange(m.memblock!, MAX_NUMNODES)) {
      const s = Math.max(s0, r.startPfn);
      const e = Math.min(e0, r.endPfn);
      if (s >= e) continue;
      total += e - s;
      early += Math.max(0, Math.min(e, m.zones!.nodes.get(r.nid)?.firstDeferredPfn ?? Infinity) - s);
    }
  }
  return { total, early };
}

/**
 * mem_init_print_info()'s "Memory:" line. Its kernel-image sizes are the log's own (meminit has no
 * vmlinux); "available" is what the buddy allocator holds then: the early frees less the page-table
 * pages preallocate_vmalloc_pages() has just taken — one per PGD slot of the vmalloc area (64 with
 * four levels, 50 with five, one more when KASLR leaves the area unaligned, as it almost always does).
 */
export function predictMemInitInfo(m: Machine, logged: MemInitInfo, kaslr: boolean): MemInitInfo {
  const { total, early } = memblockFreeAllCounts(m);
  const vmallocPages = (m.firmware.cpu?.la57 ? 12800 / 256 : (32 * 1024) / 512) + (kaslr ? 1 : 0);
  let phys = 0;
  for (const nid of m.onlineNodes) phys += m.zones!.nodes.get(nid)?.nodePresentPages ?? 0;
  const k = (pages: number): number => (pages * PAGE_SIZE) / 1024;
  return { ...logged, availableK: k(early - vmallocPages), physK: k(phys), reservedK: k(phys - total), cmaReservedK: 0 };
}
