// SPDX-License-Identifier: GPL-2.0-only
// What a machine file or preset turns into: the firmware the kernel sees at boot, plus what
// only matters later (DIMMs to hotplug, the persistent-memory ranges and their origin).
import type { Firmware } from '../arch/x86/firmware.js';
import type { PmemType } from './schema.js';

export type { PmemType };

/** A hot-pluggable DIMM: not in the boot e820; plugged later through memory hotplug. */
export interface HotplugDimm {
  start: number;
  size: number;
  /** Proximity domain of the DIMM (its _PXM) and the node Linux maps it to. */
  pxm: number;
  nid: number;
}

/** A persistent-memory range. memmap: RAM turned into PRAM by a memmap=nn!ss argument on the
 *  command line; pram / pmem: an e820 entry of type 12 / 7 straight from the firmware. */
export interface PmemRange {
  start: number;
  size: number;
  type: PmemType;
  /** Set when the firmware's SRAT gives the range a node (non-volatile SRAT entry). */
  pxm: number | undefined;
  nid: number | undefined;
}

/** QEMU's device-memory region: where DIMMs plug; the SRAT's hotplug entry covers it. */
export interface DeviceMemory {
  start: number;
  size: number;
  pxm: number;
  nid: number;
}

export interface MachineSpec {
  name: string;
  description: string;
  firmware: Firmware;
  dimms: HotplugDimm[];
  pmem: PmemRange[];
  deviceMemory: DeviceMemory | undefined;
}
