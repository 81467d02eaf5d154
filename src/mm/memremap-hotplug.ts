// The memory hotplug steps memremap_pages() takes for ZONE_DEVICE ranges (mm/memory_hotplug.c and
// arch/x86/mm/init_64.c in 6.1): the range checks, arch_add_memory() → __add_pages() section by
// section, move_pfn_range_to_zone(ZONE_DEVICE), and the reverse for memunmap_pages().
//
// Unlike 6.1, nothing here is ever half-done: __add_pages() in the kernel leaves the sections it
// added when a later one fails; this checks every section before touching any, and still undoes
// what it did if sparse_add_section() fails anyway.
import { E820Type } from '../arch/x86/e820-types.js';
import { ERANGE, type VmemAltmapState } from '../include/memremap.js';
import { MigrateType, PAGES_PER_SECTION, pfnToSectionNr, ZoneType } from '../include/mmzone.js';
import { isAligned, PAGE_SIZE, pfnPhys } from '../include/pfn.js';
import { PAGES_PER_SUBSECTION, SectionFlag } from '../include/sparsemem.js';
import type { Machine } from '../kernel/machine.js';
import { movePfnRangeToZone, physmemEnd } from './memory-hotplug.js';
import { vmemAltmapOffset } from './memmap-init-zone-device.js';
import { PAGE_WORDS, pageWord } from './page.js';
import {
  EEXIST, EINVAL, ENOMEM, earlySection, pfnSectionValid, sectionBytes, sparseAddSection, sparseRemoveSection, type Memmap, type MemSection,
} from './sparse.js';
import { VMEMMAP_PMD_PFNS, vmemAltmapFree, vmemmapPopulateAltmap } from './sparse-vmemmap.js';

/** A [start, end) pfn chunk that does not cross a section: what __add_pages() hands sparse_add_section(). */
export function* sectionChunks(startPfn: number, nrPages: number): Generator<[number, number]> {
  const end = startPfn + nrPages;
  for (let pfn = startPfn; pfn < end; ) {
    const next = Math.min(end, (pfnToSectionNr(pfn) + 1) * PAGES_PER_SECTION);
    yield [pfn, next - pfn];
    pfn = next;
  }
}


/** check_pfn_span(): with SPARSEMEM_VMEMMAP, start and size must be whole subsections. */
export const checkPfnSpan = (pfn: number, nrPages: number): number =>
  isAligned(pfn, PAGES_PER_SUBSECTION) && isAligned(nrPages, PAGES_PER_SUBSECTION) ? 0 : EINVAL;

/** What add_pages() changed, for the undo. */
interface AddedChunk {
  pfn: number;
  nr: number;
  /** The section existed with a memmap before: its words and init counts over the chunk. */
  saved: { words: Uint32Array; count: Uint8Array | undefined } | undefined;
}

/** The first error sparse_add_section() would return for each chunk, in order, without changing anything. */
function precheckAddSections(mm: Memmap, pfn: number, nrPages: number, altmap: VmemAltmapState | undefined): number {
  let bytes = mm.allocatedBytes;
  const trial = altmap && { ...altmap };
  for (const [p, n] of sectionChunks(pfn, nrPages)) {
    const ms = mm.sections[pfnToSectionNr(p)];
    for (let s = p; ms && s < p + n; s += PAGES_PER_SUBSECTION) if (pfnSectionValid(ms, s)) return EEXIST;
    if (!(n < PAGES_PER_SECTION && earlySection(ms)) && !ms?.memmap) {
      bytes += sectionBytes(mm.trackInit);
      if (bytes > mm.budgetBytes) return ENOMEM;
    }
    if (vmemmapPopulateAltmap(trial, n) === -1) return ENOMEM;
  }
  return 0;
}

function undoAddSections(mm: Memmap, done: AddedChunk[]): void {
  for (const c of done.reverse()) {
    sparseRemoveSection(mm, c.pfn, c.nr);
    const ms = mm.sections[pfnToSectionNr(c.pfn)];
    if (c.saved && ms?.memmap) {
      ms.memmap.set(c.saved.words, pageWord(c.pfn));
      if (c.saved.count && ms.initCount) ms.initCount.set(c.saved.count, c.pfn % PAGES_PER_SECTION);
    }
  }
}

/**
 * mirrors arch_add_memory() → add_pages() → __add_pages() for a device range: the altmap must
 * start at the range and fit in it, the span must be whole subsections, then sparse_add_section()
 * per section (subsection map, memmap populated — from the altmap for full sections — and
 * poisoned). Struct pages left poisoned count as never initialised (init counters reset).
 * Returns 0 or the kernel's errno; on error nothing changed.
 */
export function addPagesDevice(m: Machine, nid: number, pfn: number, nrPages: number, altmap: VmemAltmapState | undefined, vmemmapPfn: Map<number, number>): number {
  const mm = m.memmap!;
  if (pfnPhys(pfn + nrPages) > physmemEnd(m)) return ERANGE;
  if (altmap) {
    if (altmap.basePfn !== pfn || vmemAltmapOffset(altmap) > nrPages) return EINVAL;
    altmap.alloc = 0;
  }
  if (checkPfnSpan(pfn, nrPages)) return EINVAL;
  const pre = precheckAddSections(mm, pfn, nrPages, altmap);
  if (pre) return pre;
  const savedAltmap = altmap && { ...altmap };
  const done: AddedChunk[] = [];
  for (const [p, n] of sectionChunks(pfn, nrPages)) {
    const ms: MemSection | undefined = mm.sections[pfnToSectionNr(p)];
    const saved = ms?.memmap ? {
      words: ms.memmap.slice(pageWord(p), pageWord(p) + n * PAGE_WORDS),
      count: ms.initCount?.slice(p % PAGES_PER_SECTION, (p % PAGES_PER_SECTION) + n),
    } : undefined;
    const err = sparseAddSection(mm, nid, p, n);
    if (err) {
      undoAddSections(mm, done);
      if (altmap && savedAltmap) Object.assign(altmap, savedAltmap);
      for (const c of done) vmemmapPfn.delete(pfnToSectionNr(c.pfn));
      return err;
    }
    done.push({ pfn: p, nr: n, saved });
    const block = vmemmapPopulateAltmap(altmap, n);
    vmemmapPfn.set(pfnToSectionNr(p), block);
    const count = mm.sections[pfnToSectionNr(p)]!.initCount;
    if (count) count.fill(0, p % PAGES_PER_SECTION, (p % PAGES_PER_SECTION) + n);
  }
  return 0;
}

/**
 * mirrors __remove_pages() → sparse_remove_section() for a device range: subsections cleared,
 * emptied sections lose their memmap; a memmap block taken from the altmap goes back to it
 * (vmem_altmap_free() from free_hugepage_table()).
 */
export function removePagesDevice(m: Machine, pfn: number, nrPages: number, altmap: VmemAltmapState | undefined, vmemmapPfn: Map<number, number>): void {
  if (checkPfnSpan(pfn, nrPages)) return;
  for (const [p, n] of sectionChunks(pfn, nrPages)) {
    sparseRemoveSection(m.memmap!, p, n);
    const block = vmemmapPfn.get(pfnToSectionNr(p)) ?? -2;
    if (altmap && block >= 0) vmemAltmapFree(altmap, VMEMMAP_PMD_PFNS);
    vmemmapPfn.delete(pfnToSectionNr(p));
  }
}

/**
 * mirrors move_pfn_range_to_zone() for the Device zone of node nid: sections the range only
 * partly covers get SECTION_TAINT_ZONE_DEVICE, then the shared move_pfn_range_to_zone() grows
 * the spans (present and managed pages do not change for ZONE_DEVICE) and initialises the pages
 * holding the altmap's memmap.
 */
export function movePfnRangeToZoneDevice(m: Machine, nid: number, startPfn: number, nrPages: number, altmap: VmemAltmapState | undefined): void {
  const mm = m.memmap!;
  const end = startPfn + nrPages;
  if (!isAligned(startPfn, PAGES_PER_SECTION)) mm.sections[pfnToSectionNr(startPfn)]!.flags |= SectionFlag.TAINT_ZONE_DEVICE;
  if (!isAligned(end, PAGES_PER_SECTION)) mm.sections[pfnToSectionNr(end)]!.flags |= SectionFlag.TAINT_ZONE_DEVICE;
  movePfnRangeToZone(m, nid, ZoneType.DEVICE, startPfn, nrPages, altmap, MigrateType.MOVABLE);
}
