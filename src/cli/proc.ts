// `meminit proc FILE [MACHINE|PRESET]`: the /proc files meminit models (src/fs/proc), for a machine
// booted with its struct pages.
import type { DeferredStrategy } from '../mm/deferred-work.js';
import { bootWithMemmap } from './boot.js';
import { EXIT_OK } from './errors.js';

import { procFile, type ProcFile } from '../fs/proc/index.js';

export { PROC_FILES, procFile, type ProcFile } from '../fs/proc/index.js';

export function procCommand(file: ProcFile, machine: string, o: { strategy: DeferredStrategy; json?: boolean }, out: (s: string) => void): number {
  const { m } = bootWithMemmap(machine, o.strategy);
  const { lines, data } = procFile(m, file);
  out(o.json ? JSON.stringify({ file: `/proc/${file}`, machine: m.name, lines, data }, null, 2) : lines.join('\n'));
  return EXIT_OK;
}
