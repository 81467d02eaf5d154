// Which pfns /proc/kpageflags shows reserved or without a struct page at the end of boot, from
// the replayed memblock and the log's late frees — the runtime buddy/allocated split aside.
// nopage: pfns pfn_to_online_page() has no page for — outside the 2 MiB subsections that hold
// memory (subsection_map_init() over the early node ranges; ZONE_DEVICE kernels check it).
// reserved: every other pfn that memblock_free_all() did not free (holes, memblock.reserved,
// partial pages) and that nothing freed later (initrd, EFI boot services, memblock_free_late, the
// kernel image's unused parts).
import { MemblockFlag } from '../include/memblock.js';
import { MAX_NUMNODES, NUMA_NO_NODE, PAGES_PER_SECTION } from '../include/mmzone.js';
import { PAGE_SIZE, pfnDown, pfnUp, roundDown, roundUp, SZ_1M } from '../include/pfn.js';
import { PAGES_PER_SUBSECTION } from '../include/sparsemem.js';
import type { Machine } from '../kernel/machine.js';
import { forEachFreeMemRange, forEachMemPfnRange } from '../mm/memblock.js';
import type { BootLog } from './dmesg.js';
import { efiFreed, freeingMemory, memInitInfo } from './formats/free.js';
import type { KpageflagsRun } from './formats/kpageflags.js';
import * as M from './formats/memblock.js';
import * as S from './formats/setup.js';

type Span = [number, number];

/** Sorted, disjoint, merged spans. */
function normalise(spans: Span[]): Span[] {
  const s = spans.filter(([a, b]) => a < b).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** a minus b, both normalised. */
function subtract(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  for (const [s0, e0] of a) {
    let s = s0;
    for (const [bs, be] of b) {
      if (be <= s || bs >= e0) continue;
      if (bs > s) out.push([s, bs]);
      s = Math.max(s, be);
    }
    if (s < e0) out.push([s, e0]);
  }
  return out;
}

/**
 * The kernel image's pages free_kernel_image_pages() and friends give back, placed from the brk
 * area (the image's end) and the "Memory:" line's section sizes: the text/rodata and rodata/data
 * gaps end on 2 MiB boundaries, .init (with the SMP alternatives) ends one .data_nosave page below
 * .bss, the unused decrypted bss ends at brk.
 */
function kernelImageFrees(log: BootLog, text: number, brk: number): Span[] {
  const info = log.kernel.map((l) => memInitInfo.parse(l.text)).find((v) => v !== undefined);
  if (!info) return [];
  const K = 1024;
  const pages = (what: string): number =>
    log.kernel.map((l) => freeingMemory.parse(l.text)).filter((f) => f?.what === what).reduce((n, f) => n + (f!.kbytes * K) / PAGE_SIZE, 0);
  const gap1End = pfnDown(roundUp(text + info.codeK * K, 2 * SZ_1M));
  const gap2End = pfnDown(roundUp(gap1End * PAGE_SIZE + info.rodataK * K, 2 * SZ_1M));
  const bssStart = pfnDown(brk - info.bssK * K);
  const initEnd = bssStart - 1;
  const init = pages('unused kernel image (initmem)') + pages('SMP alternatives');
  const dec = pages('unused decrypted');
  const brkPfn = pfnDown(brk);
  return [
    [gap1End - pages('unused kernel image (text/rodata gap)'), gap1End],
    [gap2End - pages('unused kernel image (rodata/data gap)'), gap2End],
    [initEnd - init, initEnd],
    [brkPfn - dec, brkPfn],
  ];
}

/** The log's late frees of reserved memory, as pfn spans; undefined when one cannot be placed. */
function lateFrees(m: Machine, log: BootLog): Span[] | undefined {
  const out: Span[] = [];
  let brk: number | undefined;
  let initrd: number | undefined;
  const efi: Span[] = [];
  for (const l of log.kernel) {
    const r = M.memblockReserveLine.parse(l.text);
    if (r && brk === undefined && /^setup_arch\b/.test(r.caller) && r.base >= SZ_1M) brk = r.base;
    if (r && /^efi_reserve_boot_services\b/.test(r.caller)) efi.push([pfnUp(Math.max(r.base, SZ_1M)), pfnDown(r.base + r.size)]);
    if (efiFreed.parse(l.text) !== undefined) out.push(...efi);
    const late = M.memblockFreeLateLine.parse(l.text);
    if (late) out.push([pfnUp(late.base), pfnDown(late.base + late.size)]);
    const rd = S.ramdisk.parse(l.text);
    if (rd) initrd = pfnDown(rd.start);
    const f = freeingMemory.parse(l.text);
    if (f?.what === 'initrd' && initrd !== undefined) out.push([initrd, initrd + (f.kbytes * 1024) / PAGE_SIZE]);
  }
  if (brk === undefined) return undefined;
  out.push(...kernelImageFrees(log, imageStart(m, brk), brk));
  return out;
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

/** Predicted runs up to the section-aligned max_pfn, or undefined when the log lacks what it takes. */
export function predictKpageflags(m: Machine, log: BootLog): KpageflagsRun[] | undefined {
  if (!m.memblock || !m.maxPfn) return undefined;
  const late = lateFrees(m, log);
  if (!late) return undefined;
  const end = roundUp(m.maxPfn, PAGES_PER_SECTION);
  const present = normalise([...forEachMemPfnRange(m.memblock, MAX_NUMNODES)]
    .map((r) => [roundDown(r.startPfn, PAGES_PER_SUBSECTION), Math.min(roundUp(r.endPfn, PAGES_PER_SUBSECTION), end)] as Span));
  const free: Span[] = [];
  for (const r of forEachFreeMemRange(m.memblock, NUMA_NO_NODE, MemblockFlag.NONE)) free.push([pfnUp(r.start), Math.min(pfnDown(r.end), m.maxLowPfn)]);
  const reserved = subtract(subtract(present, normalise(free)), normalise(late));
  const nopage = subtract([[0, end]], present);
  const runs: KpageflagsRun[] = [
    ...reserved.map(([start, e]) => ({ start, end: e, flags: ['reserved' as const] })),
    ...nopage.map(([start, e]) => ({ start, end: e, flags: ['nopage' as const] })),
  ];
  const marked = normalise([...reserved, ...nopage]);
  runs.push(...subtract([[0, end]], marked).map(([start, e]) => ({ start, end: e, flags: [] })));
  return runs.sort((a, b) => a.start - b.start);
}

/** The pfn spans of a run list that carry `flag`. */
export function spansWith(runs: readonly KpageflagsRun[], flag: 'reserved' | 'nopage'): Span[] {
  return normalise(runs.filter((r) => r.flags.includes(flag)).map((r) => [r.start, r.end] as Span));
}


/** Compare with the capture of a corpus boot, within the pfns the prediction covers. */
export function checkKpageflagsCapture(
  pred: readonly KpageflagsRun[], cap: readonly KpageflagsRun[],
): { flag: 'reserved' | 'nopage'; predictedOnly: Span[]; kernelOnly: Span[] }[] {
  const end = pred.length ? pred[pred.length - 1]!.end : 0;
  const clip = (sp: Span[]): Span[] => sp.filter(([a]) => a < end).map(([a, b]) => [a, Math.min(b, end)] as Span);
  const out: { flag: 'reserved' | 'nopage'; predictedOnly: Span[]; kernelOnly: Span[] }[] = [];
  for (const flag of ['reserved', 'nopage'] as const) {
    const a = spansWith(pred, flag);
    const b = clip(spansWith(cap, flag));
    out.push({ flag, predictedOnly: subtract(a, b), kernelOnly: subtract(b, a) });
  }
  return out;
}
