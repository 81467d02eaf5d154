// `meminit check [MACHINE|PRESET] [--strategy …] [--json]`: boot with struct pages (memInit,
// init counters on), run the invariant checker, exit 0 when it is clean, 1 listing violations.
import { checkMachineReport } from '../mm/check.js';
import type { DeferredStrategy } from '../mm/deferred-work.js';
import { bootWithMemmap } from './boot.js';
import { EXIT_MISMATCH, EXIT_OK } from './errors.js';

/** Violations printed one a line before the rest is only counted. */
export const CHECK_PRINT_LIMIT = 50;

export interface CheckOptions {
  strategy: DeferredStrategy;
  json?: boolean;
}

export function checkCommand(arg: string, o: CheckOptions, out: (s: string) => void): number {
  const { m, spec } = bootWithMemmap(arg, o.strategy, { trackInit: true });
  const r = checkMachineReport(m);
  if (o.json) {
    out(JSON.stringify({ machine: spec.name, strategy: o.strategy, ok: r.total === 0, pfns: r.pfns, freeBlocks: r.freeBlocks, total: r.total, violations: r.violations }));
  } else if (r.total === 0) {
    out(`ok: ${r.pfns} pfns, ${r.freeBlocks} free blocks checked`);
  } else {
    for (const v of r.violations.slice(0, CHECK_PRINT_LIMIT)) out(`${v.what}: ${v.detail}`);
    const more = r.total - Math.min(r.violations.length, CHECK_PRINT_LIMIT);
    out(`${more ? `… and ${more} more; ` : ''}${r.total} violation${r.total === 1 ? '' : 's'} in ${r.pfns} pfns, ${r.freeBlocks} free blocks`);
  }
  return r.total === 0 ? EXIT_OK : EXIT_MISMATCH;
}
