// SPDX-License-Identifier: GPL-2.0-only
// sparse_init()'s memblock side (mm/sparse.c), as x86_64 paging_init() runs it right after NUMA
// init: the mem_section root array, one page of mem_sections per 16 GiB root touched, then per
// run of same-node sections a usemap block near the node's pgdat, a node-exact buffer for the
// struct pages and the vmemmap page tables. The host memmap (sparse.ts) is built later and
// separately; this file only places what the kernel would take from memblock.
import { KernelPanic } from '../kernel/panic.js';
import { MEMBLOCK_ALLOC_ACCESSIBLE, SMP_CACHE_BYTES } from '../include/memblock.js';
import { MAX_NUMNODES, PAGES_PER_SECTION, STRUCT_PAGE_SIZE, pfnToSectionNr, sectionNrToPfn } from '../include/mmzone.js';
import { PAGE_SHIFT, PAGE_SIZE, pfnDown, roundDown } from '../include/pfn.js';
import {
  MEM_SECTION_PTR_SIZE, MEM_SECTION_SIZE, MEM_SECTION_USAGE_SIZE, SECTIONS_PER_ROOT,
  maxPhysmemBits, nrSectionRoots, sectionNrToRoot,
} from '../include/sparsemem.js';
import { earlyPfnToNid } from '../arch/x86/numa.js';
import { vmemmapBase } from '../arch/x86/pgtable.js';
import { vmemmapPopulate } from '../arch/x86/vmemmap-populate.js';
import type { Printk } from '../kernel/printk.js';
import * as F from '../trace/formats/sparse.js';
import { memblockAlloc, memblockAllocNode, memblockAllocTryNid, forEachMemPfnRange, type Memblock } from './memblock.js';
import { sectionMapSize, sparseBufferFini, sparseBufferInit } from './sparse-buffer.js';
import { vmemmapPgtNew, type VmemmapPgt } from './sparse-vmemmap-populate.js';

/** INTERNODE_CACHE_BYTES (CONFIG_X86_INTERNODE_CACHE_SHIFT=6): the root array's alignment. */
export const INTERNODE_CACHE_BYTES = 64;
/** PA_SECTION_SHIFT as bytes: 128 MiB. */
const SECTION_BYTES = PAGES_PER_SECTION * PAGE_SIZE;

/** The kernel would panic: a memblock allocation sparse_init() cannot do without failed. */
export class SparsePanic extends KernelPanic {}

export interface SparseBootOptions {
  mb: Memblock;
  /** pgtable_l5_enabled(): MAX_PHYSMEM_BITS, NR_SECTION_ROOTS and the vmemmap base follow it. */
  l5: boolean;
  /** NODE_DATA() of each node with memory: the usemap goes into the section of its pgdat. */
  nodeData: ReadonlyMap<number, { start: number }>;
  /** first_online_node: early_pfn_to_nid()'s answer for a pfn in no memory region. */
  firstOnlineNode: number;
  printk: Printk;
}

export interface SparseBootResult {
  /** Section number → the node that marked it present (sparse_early_nid()), ascending; dropped sections removed. */
  present: Map<number, number>;
  /** The vmemmap page-table entries sparse_init() populated. */
  pgt: VmemmapPgt;
}

/** Where the NR_SECTION_ROOTS root array and the section pages are: only whether each root exists matters. */
interface SparseState {
  o: SparseBootOptions;
  memSection: boolean;
  roots: Set<number>;
  present: Map<number, number>;
  /** Sections sparse_init_one_section() already filled (their early nid is gone). */
  initialised: Set<number>;
  /** check_usemap_section_nr()'s static old_usemap_snr / old_pgdat_snr. */
  oldUsemapSnr: number;
  oldPgdatSnr: number;
}

/**
 * mminit_validate_memmodel_limits(): clip [start, end) to the pfns sparsemem can describe,
 * 2^(46 - 12) = 2^34 with 4 levels (the kernel also WARNs).
 */
export function mminitValidateMemmodelLimits(startPfn: number, endPfn: number, l5: boolean): [number, number] {
  const max = 2 ** (maxPhysmemBits(l5) - PAGE_SHIFT);
  if (startPfn > max) return [max, max];
  return [startPfn, Math.min(endPfn, max)];
}

/** mirrors sparse_index_init() → sparse_index_alloc(): the page of mem_sections of a section's root. */
function sparseIndexInit(st: SparseState, nr: number, nid: number): void {
  const root = sectionNrToRoot(nr);
  if (st.roots.has(root)) return;
  const size = SECTIONS_PER_ROOT * MEM_SECTION_SIZE;
  if (!memblockAllocNode(st.o.mb, size, SMP_CACHE_BYTES, nid, 'sparse_index_alloc')) {
    throw new SparsePanic(`sparse_index_alloc: Failed to allocate ${size} bytes nid=${nid}`);
  }
  st.roots.add(root);
}

/**
 * mirrors memory_present(): the first call allocates the root array (memblocks_present() is
 * inlined into sparse_init(), whose name the trace shows); then every section of the range
 * gets its root, and the first node to cover a section keeps it.
 */
function memoryPresent(st: SparseState, nid: number, startPfn: number, endPfn: number): void {
  const { mb, l5 } = st.o;
  if (!st.memSection) {
    const size = MEM_SECTION_PTR_SIZE * nrSectionRoots(l5);
    if (!memblockAlloc(mb, size, INTERNODE_CACHE_BYTES, 'sparse_init')) {
      throw new SparsePanic(`memory_present: Failed to allocate ${size} bytes align=0x${INTERNODE_CACHE_BYTES.toString(16)}`);
    }
    st.memSection = true;
  }
  const [start, end] = mminitValidateMemmodelLimits(roundDown(startPfn, PAGES_PER_SECTION), endPfn, l5);
  for (let pfn = start; pfn < end; pfn += PAGES_PER_SECTION) {
    const nr = pfnToSectionNr(pfn);
    sparseIndexInit(st, nr, nid);
    if (!st.present.has(nr)) st.present.set(nr, nid);
  }
}

/**
 * mirrors sparse_early_usemaps_alloc_pgdat_section() (MEMORY_HOTREMOVE=y): prefer the 128 MiB
 * section holding the pgdat, on the node early_pfn_to_nid() gives for its start, else anywhere
 * from there up ("pgdat at 0x13ffd5000 → goal 0x138000000, limit 0x140000000").
 */
function usemapsAllocPgdatSection(st: SparseState, pgdat: number, size: number): number {
  const { mb, firstOnlineNode } = st.o;
  const goal = roundDown(pgdat, SECTION_BYTES);
  const nid = earlyPfnToNid(mb, pfnDown(goal), firstOnlineNode);
  return memblockAllocTryNid(mb, size, SMP_CACHE_BYTES, goal, goal + SECTION_BYTES, nid, 'sparse_init_nid')
    || memblockAllocTryNid(mb, size, SMP_CACHE_BYTES, goal, MEMBLOCK_ALLOC_ACCESSIBLE, nid, 'sparse_init_nid');
}

/**
 * mirrors check_usemap_section_nr(): say so when a usemap and its pgdat are in different
 * sections, once per pair. An already initialised section no longer holds its early nid: its
 * section_mem_map holds the vmemmap base, whose bits from SECTION_NID_SHIFT (5) up read as node 0
 * in an int for both fixed bases; a dropped section reads 0 too.
 */
function checkUsemapSectionNr(st: SparseState, nid: number, usage: number, pgdat: number): void {
  const usemapSnr = pfnToSectionNr(pfnDown(usage));
  const pgdatSnr = pfnToSectionNr(pfnDown(pgdat));
  if (usemapSnr === pgdatSnr) return;
  if (st.oldUsemapSnr === usemapSnr && st.oldPgdatSnr === pgdatSnr) return;
  st.oldUsemapSnr = usemapSnr;
  st.oldPgdatSnr = pgdatSnr;
  const usemapNid = st.initialised.has(usemapSnr) ? 0 : (st.present.get(usemapSnr) ?? 0);
  if (usemapNid !== nid) st.o.printk.emit(F.usemapOtherNode, { nid, usemapSection: usemapSnr });
  else st.o.printk.emit(F.usemapCircular, { usemapSection: usemapSnr, pgdatSection: pgdatSnr, nid });
}

/**
 * mirrors sparse_init_nid() for a run of present sections of node nid: the usemaps of all of
 * them in one block, the struct pages in one buffer, then each section's vmemmap. On failure
 * the section and the rest of the run are dropped (no longer present), as the kernel does.
 */
function sparseInitNid(st: SparseState, pgt: VmemmapPgt, nid: number, sections: number[]): void {
  const { mb, l5, printk } = st.o;
  const pgdat = st.o.nodeData.get(nid)?.start;
  if (pgdat === undefined) throw new Error(`sparse_init_nid: node ${nid} has sections but no NODE_DATA`);
  const usage = usemapsAllocPgdatSection(st, pgdat, MEM_SECTION_USAGE_SIZE * sections.length);
  const drop = (from: number) => { for (const nr of sections.slice(from)) st.present.delete(nr); };
  if (!usage) {
    printk.emit(F.usemapFailed, { nid });
    drop(0);
    return;
  }
  const buf = sparseBufferInit(mb, sections.length * sectionMapSize(), nid);
  const vst = { mb, buf, pgt };
  for (const [i, nr] of sections.entries()) {
    // __populate_section_memmap(): the section's struct pages at vmemmap + pfn × 64.
    const start = vmemmapBase(l5) + sectionNrToPfn(nr) * STRUCT_PAGE_SIZE;
    if (!vmemmapPopulate(vst, start, start + PAGES_PER_SECTION * STRUCT_PAGE_SIZE, nid)) {
      printk.emit(F.memmapBackingFailed, { nid });
      sparseBufferFini(buf);
      drop(i);
      return;
    }
    checkUsemapSectionNr(st, nid, usage + i * MEM_SECTION_USAGE_SIZE, pgdat);
    st.initialised.add(nr);
  }
  sparseBufferFini(buf);
}

/**
 * mirrors sparse_init() up to its memblock calls, in the kernel's order: memblocks_present()
 * over every memory range, then sparse_init_nid() for each run of consecutive present sections
 * marked by the same node (a node whose sections are interleaved with another's gets several).
 * Throws SparsePanic where the kernel panics.
 */
export function sparseInitBoot(o: SparseBootOptions): SparseBootResult {
  const st: SparseState = {
    o, memSection: false, roots: new Set(), present: new Map(), initialised: new Set(), oldUsemapSnr: -1, oldPgdatSnr: -1,
  };
  for (const r of forEachMemPfnRange(o.mb, MAX_NUMNODES)) memoryPresent(st, r.nid, r.startPfn, r.endPfn);
  st.present = new Map([...st.present].sort((a, b) => a[0] - b[0]));
  const pgt = vmemmapPgtNew(o.l5);
  const runs: { nid: number; sections: number[] }[] = [];
  for (const [nr, nid] of st.present) {
    const last = runs[runs.length - 1];
    if (last?.nid === nid) last.sections.push(nr);
    else runs.push({ nid, sections: [nr] });
  }
  for (const run of runs) sparseInitNid(st, pgt, run.nid, run.sections);
  return { present: st.present, pgt };
}
