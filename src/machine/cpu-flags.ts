// SPDX-License-Identifier: GPL-2.0-only
// The boot CPU's features that memory init looks at, named as QEMU's -cpu flags are
// (`-cpu qemu64,+pdpe1gb,+la57`). QEMU's default qemu64 model has neither.
import type { CpuFeatures } from '../arch/x86/firmware.js';
import type { CPU_FLAGS } from './schema.js';

type CpuFlag = (typeof CPU_FLAGS)[number];

/** pdpe1gb: X86_FEATURE_GBPAGES (1 GiB direct-map pages); la57: 5-level paging. */
const FEATURE_OF: Readonly<Record<CpuFlag, keyof CpuFeatures>> = { pdpe1gb: 'gbpages', la57: 'la57' };

/** ['pdpe1gb'] → { gbpages: true }; undefined when no flag is given (the qemu64 default). */
export function cpuFeatures(flags: readonly CpuFlag[] | undefined): CpuFeatures | undefined {
  if (!flags || flags.length === 0) return undefined;
  const out: CpuFeatures = {};
  for (const f of flags) out[FEATURE_OF[f]] = true;
  return out;
}
