// The line deferred struct page init prints when a node is done (mm/page_alloc.c
// deferred_init_memmap(), 6.1). The time is jiffies_to_msecs() of the elapsed jiffies, so with
// Debian's HZ=250 it moves in steps of 4 ms.
import { lineFormat } from '../format.js';

export interface DeferredInitLine { nid: number; ms: number }
/** deferred_init_memmap(): "node 0 deferred pages initialised in 20ms". */
export const deferredInitialised = lineFormat<DeferredInitLine>(
  'deferred.initialised', 'deferred_init_memmap',
  /^node (\d+) deferred pages initialised in (\d+)ms$/,
  (m) => ({ nid: +m[1]!, ms: +m[2]! }),
  (v) => `node ${v.nid} deferred pages initialised in ${v.ms}ms`,
);
