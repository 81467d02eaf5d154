// SPDX-License-Identifier: GPL-2.0-only
// panic() during early boot: the model stops the boot by throwing, with the kernel's message.

export class KernelPanic extends Error {}

/** The "%s: Failed to allocate %zu bytes" panic of a memblock_alloc() caller (e.g. "acpi_parse_hpet: Failed to allocate 73 bytes"). */
export function panicAllocFailed(fn: string, size: number): never {
  throw new KernelPanic(`${fn}: Failed to allocate ${size} bytes`);
}
