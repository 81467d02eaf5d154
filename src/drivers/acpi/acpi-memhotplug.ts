// SPDX-License-Identifier: GPL-2.0-only
// The ACPI memory hotplug driver (drivers/acpi/acpi_memhotplug.c, 6.1): a memory device (a
// QEMU pc-dimm) is one static memory group and one add_memory call for its whole range, with
// the memmap on the memory when mhp_supports_memmap_on_memory() allows (its "System RAM"
// resource stays its own: the driver does not ask MHP_MERGE_RESOURCE).
import { PAGE_SIZE } from '../../include/pfn.js';
import type { Machine } from '../../kernel/machine.js';
import { addMemory, hotplugOf, memoryHotplugInit, mhpSupportsMemmapOnMemory, type MemoryHotplugOptions } from '../../mm/memory-hotplug.js';

/**
 * acpi_memory_device_add() → acpi_memory_enable_device(): registers the group, adds the memory;
 * returns 0 or the negative errno of __add_memory() (the group is unregistered again on failure).
 */
export function acpiMemoryDeviceAdd(m: Machine, nid: number, start: number, size: number): number {
  const hp = hotplugOf(m);
  const group = { id: hp.groups.length, nid, maxPages: Math.ceil(size / PAGE_SIZE), presentKernelPages: 0, presentMovablePages: 0 };
  hp.groups.push(group);
  const ret = addMemory(m, nid, start, size, { group, memmapOnMemory: mhpSupportsMemmapOnMemory(m, size) });
  if (ret) hp.groups.pop();
  return ret;
}

/** The memory devices ACPI finds at boot (the machine file's DIMMs), added in order; the first refusal, if any. */
export function acpiScanMemoryDevices(
  m: Machine, dimms: readonly { start: number; size: number; nid: number }[],
): { start: number; size: number; errno: number } | undefined {
  for (const d of dimms) {
    const ret = acpiMemoryDeviceAdd(m, d.nid, d.start, d.size);
    if (ret) return { start: d.start, size: d.size, errno: ret };
  }
  return undefined;
}

/**
 * Memory hotplug as boot sets it up: memory_dev_init() (driver_init()) makes the memory blocks,
 * then the ACPI memory hotplug driver (acpi_init(), a subsys initcall after hugepage_init(), so
 * before the initrd and the image are freed) adds the DIMMs the firmware lists, onlining them
 * as memhp_default_state says. Run it as memInit()'s subsysInitcall; the first refusal, if any.
 */
export function acpiMemoryHotplugBoot(
  m: Machine, dimms: readonly { start: number; size: number; nid: number }[], opts: MemoryHotplugOptions = {},
): { start: number; size: number; errno: number } | undefined {
  memoryHotplugInit(m, opts);
  return acpiScanMemoryDevices(m, dimms);
}
