// SPDX-License-Identifier: GPL-2.0-only
// panic() during early boot: the model stops the boot by throwing, with the kernel's message.
// Every boot step's panic is one of these (or a subclass), so the CLI and the server report any
// of them in one line: "MACHINE: kernel would panic: …".

export class KernelPanic extends Error {
  /** What the kernel would print after "Kernel panic - not syncing: " (or the failing step's own words). */
  readonly reason: string;
  constructor(reason: string) {
    super(`kernel would panic: ${reason}`);
    this.reason = reason;
  }
}

/** The "%s: Failed to allocate %zu bytes" panic of a memblock_alloc() caller (e.g. "acpi_parse_hpet: Failed to allocate 73 bytes"). */
export function panicAllocFailed(fn: string, size: number): never {
  throw new KernelPanic(`${fn}: Failed to allocate ${size} bytes`);
}
