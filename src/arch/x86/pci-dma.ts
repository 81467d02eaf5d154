// SPDX-License-Identifier: GPL-2.0-only
// pci_iommu_alloc() (arch/x86/kernel/pci-dma.c of 6.1), the first thing x86's mem_init() does:
// decide whether the software IO TLB is needed and let it take its memblock memory before
// memblock_free_all(). The GART, AMD and Intel IOMMU probes it also runs allocate nothing here.
import { MAX_DMA32_PFN } from '../../include/mmzone.js';
import { pfnUp } from '../../include/pfn.js';
import type { KernelArg } from '../../kernel/cmdline.js';
import { nrCpuIds } from '../../kernel/cpumask.js';
import { swiotlbDefaults, swiotlbInitRemap, type IoTlbMem } from '../../kernel/dma/swiotlb.js';
import type { Machine } from '../../kernel/machine.js';

/**
 * max_possible_pfn: setup_arch() sets it to max_pfn (after mem=), and every SRAT memory
 * affinity entry acpi_numa_init() parses raises it to the entry's end, hotplug windows
 * included. The SRAT is parsed unless numa=off or numa=noacpi. pc-2g-dimm-online: 2 GiB of
 * RAM, but a hotplug window up to 14 GiB, so the IO TLB is set up.
 */
export function maxPossiblePfn(m: Machine): number {
  let pfn = m.maxPfn;
  const srat = m.firmware.srat;
  if (srat && !m.params.numa.off && !m.params.numa.noacpi) {
    for (const ma of srat.memory) pfn = Math.max(pfn, pfnUp(ma.end - 1));
  }
  return pfn;
}

/** What iommu_setup() (early_param "iommu") leaves: no_iommu (off) and the swiotlb request (soft). */
export function iommuSetup(args: readonly KernelArg[]): { noIommu: boolean; soft: boolean } {
  const r = { noIommu: false, soft: false };
  for (const a of args) {
    if (a.param !== 'iommu' || a.val === undefined) continue;
    // Comma-separated words, each tested by prefix; "usedac" ends the parse.
    for (const w of a.val.split(',')) {
      if (w.startsWith('off')) r.noIommu = true;
      if (w.startsWith('usedac')) break;
      if (w.startsWith('soft')) r.soft = true;
    }
  }
  return r;
}

/**
 * pci_swiotlb_detect(): RAM (or hotpluggable memory) above 4 GiB that a 32-bit device cannot
 * reach, unless iommu=off; iommu=soft asks for it anyway. SME/SEV memory encryption, which
 * also forces it, needs a CPU feature the model's machines do not have.
 */
export function pciSwiotlbDetect(m: Machine): boolean {
  const iommu = iommuSetup(m.params.args);
  return iommu.soft || (!iommu.noIommu && maxPossiblePfn(m) > MAX_DMA32_PFN);
}

/** pci_iommu_alloc() on bare metal or KVM: swiotlb_init(x86_swiotlb_enable, 0). */
export function pciIommuAlloc(m: Machine): IoTlbMem | undefined {
  return swiotlbInitRemap(m, pciSwiotlbDetect(m), 0, swiotlbDefaults(m.params.args), nrCpuIds(m));
}
