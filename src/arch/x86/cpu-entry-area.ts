// SPDX-License-Identifier: GPL-2.0-only
// setup_cpu_entry_areas() (arch/x86/mm/cpu_entry_area.c of 6.1), from trap_init(): each
// possible CPU's GDT, entry stack, TSS and IST stacks mapped again in the CPU entry area, a
// p4d slot of its own that nothing maps before. Its first set_pte_vaddr() builds the PUD, PMD
// and PTE pages: 3 spp_getpage() calls for up to 9 CPUs (8 on Intel), whatever the paging
// depth or KASLR (the area does not move in this kernel); one more PTE page per 512 pages after.
import { nrCpuIds } from '../../kernel/cpumask.js';
import type { Machine } from '../../kernel/machine.js';
import { PAGE_SIZE } from '../../include/pfn.js';
import { kernelTablesNew, setPteVaddr } from './set-pte-vaddr.js';

/**
 * CPU_ENTRY_AREA_BASE (0xfffffe0000000000) without its sign-extension bits, as under 4-level
 * paging (pgd 508). Under 5-level paging it is p4d 508 of pgd 511, also 512 GiB aligned, so
 * the tables it needs are the same.
 */
export const CPU_ENTRY_AREA_BASE = 0xfe0000000000;

/**
 * struct cpu_entry_area in Debian's build, in pages: gdt 1, entry stack 1, tss_struct 5 (two
 * 8 KiB I/O bitmaps), cea_exception_stacks 19 (seven guard pages, six 8 KiB stacks), debug
 * store 1, PEBS/BTS buffers 32 — 59 pages per CPU, after one page for the read-only IDT.
 */
export const CPU_ENTRY_AREA_PAGES = 59;
/** The pages of one CPU's area setup_cpu_entry_area() maps (gdt, entry stack, TSS, DF/NMI/DB/MCE stacks). */
const MAPPED = [0, 1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
/** percpu_setup_debug_store(): Intel CPUs also map the debug store and reserve the buffers' PTEs. */
const INTEL_MAPPED = Array.from({ length: 33 }, (_, i) => 26 + i);

/**
 * The page offsets from CPU_ENTRY_AREA_BASE that get a PTE for one CPU. The #VC stacks are
 * mapped only in SEV-ES guests, which the model does not boot.
 */
export function cpuEntryAreaPages(cpu: number, intel: boolean): number[] {
  const first = 1 + cpu * CPU_ENTRY_AREA_PAGES;
  return (intel ? [...MAPPED, ...INTEL_MAPPED] : MAPPED).map((p) => first + p);
}

/**
 * setup_cpu_entry_areas() for every possible CPU. `intel`: the boot CPU's vendor; QEMU's
 * default qemu64 model says AuthenticAMD, as on every corpus boot.
 */
export function setupCpuEntryAreas(m: Machine, intel = false): void {
  const tables = kernelTablesNew();
  for (let cpu = 0; cpu < nrCpuIds(m); cpu++) {
    for (const p of cpuEntryAreaPages(cpu, intel)) setPteVaddr(m.memblock!, tables, CPU_ENTRY_AREA_BASE + p * PAGE_SIZE);
  }
}
