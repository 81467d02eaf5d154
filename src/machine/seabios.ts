// SPDX-License-Identifier: GPL-2.0-only
// The e820 map SeaBIOS 1.16 hands the kernel under QEMU: QEMU's RAM blocks (fw_cfg etc/e820)
// with the BIOS's own areas punched in and the platform's fixed windows reserved. Every
// constant is visible in the corpus boots (test/corpus/*.log, "BIOS-e820:" lines).
import { E820Type } from '../arch/x86/e820-types.js';
import type { FirmwareE820Entry } from '../arch/x86/firmware.js';
import { AMD_HT_END, AMD_HT_START, type QemuMachine } from './qemu.js';
import { type Span, subtractSpan } from './spans.js';
import { SZ_4G } from './units.js';

/** The 1 KiB EBDA at the top of 640K: RAM ends at 0x9fbff, [0x9fc00, 0xa0000) is reserved. */
const EBDA: Span = { start: 0x9fc00, end: 0xa0000 };
/** VGA and option-ROM space [0xa0000, 0xf0000): not in the map at all. */
const LEGACY_HOLE: Span = { start: 0xa0000, end: 0xf0000 };
/** The BIOS segment [0xf0000, 0x100000). */
const BIOS_SEGMENT: Span = { start: 0xf0000, end: 0x100000 };

/**
 * The part of RAM below 4G SeaBIOS keeps for ACPI tables, SMBIOS and its own data (its
 * "ZoneHigh", what is left after boot). 0x20000 in every corpus boot but one: pc-8g-numa4
 * (4 nodes, 4 cpus, a SLIT) needed 0x21000. Machine files can override it (biosReserved).
 */
export const SEABIOS_HIGH_RESERVED = 0x20000;

/** A window the platform reserves whatever the RAM size; RAM must stay out of it. */
export interface FixedWindow extends Span {
  what: string;
}

/** The reserved windows of a QEMU machine, beyond those SeaBIOS derives from RAM. */
export function fixedWindows(machine: QemuMachine, kvm: boolean, amd: boolean): FixedWindow[] {
  const w: FixedWindow[] = [];
  // q35: PCIe MMCONFIG (256 buses × 1 MiB) and the ICH9 root complex register block.
  if (machine === 'q35') w.push({ start: 0xb0000000, end: 0xc0000000, what: 'the q35 MMCONFIG window' });
  if (machine === 'q35') w.push({ start: 0xfed1c000, end: 0xfed20000, what: 'the ICH9 RCRB' });
  // kvm_arch_init(): the EPT identity map and TSS pages KVM needs below the BIOS.
  if (kvm) w.push({ start: 0xfeffc000, end: 0xff000000, what: 'the KVM identity map and TSS' });
  // The 256 KiB bios.bin mapped just below 4G.
  w.push({ start: 0xfffc0000, end: SZ_4G, what: 'the BIOS ROM' });
  // QEMU ≥ 7.1 with an AMD vCPU (the default qemu64 is one) and ≥ 40 physical address bits.
  if (amd) w.push({ start: AMD_HT_START, end: AMD_HT_END, what: 'the AMD HyperTransport window' });
  return w;
}

/** The top of RAM below 4G: where SeaBIOS takes its high reservation from. */
export const lowRamTop = (ram: readonly Span[]): number =>
  Math.max(0, ...ram.filter((s) => s.start < SZ_4G).map((s) => Math.min(s.end, SZ_4G)));

/**
 * The BIOS-provided map for RAM blocks `ram` (sorted, merged, none inside a fixed window):
 * RAM minus the EBDA, the legacy hole and the top `highReserved` bytes below 4G, plus the
 * reserved EBDA, BIOS segment, high chunk and fixed windows, sorted as SeaBIOS sorts them.
 */
export function seabiosE820(ram: readonly Span[], fixed: readonly FixedWindow[], highReserved: number): FirmwareE820Entry[] {
  const top = lowRamTop(ram);
  const high: Span = { start: top - highReserved, end: top };
  let usable: Span[] = [...ram];
  for (const hole of [EBDA, LEGACY_HOLE, BIOS_SEGMENT, high]) usable = subtractSpan(usable, hole);
  const reserved: Span[] = [EBDA, BIOS_SEGMENT, ...fixed];
  if (highReserved > 0) reserved.push(high);
  const entry = (type: number) => (s: Span): FirmwareE820Entry => ({ addr: s.start, size: s.end - s.start, type });
  return [...usable.map(entry(E820Type.RAM)), ...reserved.map(entry(E820Type.RESERVED))].sort(
    (a, b) => a.addr - b.addr,
  );
}
