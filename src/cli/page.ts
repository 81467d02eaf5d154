// `meminit page PFN [MACHINE|PRESET]`: boot with struct pages and decode one of them.
import type { DeferredStrategy } from '../mm/deferred-work.js';
import { dumpPage, formatPageDump, PageDumpError } from '../mm/page-dump.js';
import { parseHex } from '../trace/printk.js';
import { bootWithMemmap } from './boot.js';
import { EXIT_OK, UserError } from './errors.js';

/** A pfn as 0x-hex or decimal ("0x1000", "4096"). */
export function parsePfn(s: string): number {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseHex(s) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(v) || v >= 2 ** 40) throw new UserError(`pfn "${s}": expected a page frame number, 0x-hex or decimal, below 2^40`);
  return v;
}

export function pageCommand(pfnText: string, machine: string, o: { strategy: DeferredStrategy; json?: boolean }, out: (s: string) => void): number {
  const pfn = parsePfn(pfnText);
  const { m } = bootWithMemmap(machine, o.strategy);
  try {
    const d = dumpPage(m.memmap!, pfn);
    out(o.json ? JSON.stringify(d, null, 2) : formatPageDump(d).join('\n'));
  } catch (e) {
    if (e instanceof PageDumpError) throw new UserError(`${machine}: ${e.message}`);
    throw e;
  }
  return EXIT_OK;
}
