// SPDX-License-Identifier: GPL-2.0-only
// /proc/kpageflags (fs/proc/page.c, 6.1) read from the struct pages themselves, as runs of
// (reserved, buddy, nopage): a pfn without an online struct page (pfn_to_online_page() is NULL:
// offline memory, ZONE_DEVICE, holes) is KPF_NOPAGE; otherwise PG_reserved and PageBuddy (the head
// of a free block) as they are set. What the kernel's file says now, not what boot predicted.
import type { Machine } from '../../kernel/machine.js';
import { pfnOnline } from '../../mm/memory-hotplug-zone.js';
import { getDevPagemap } from '../../mm/memremap.js';
import { pageBuddy, pageReserved, pageWord } from '../../mm/page.js';
import { sectionMemmap } from '../../mm/sparse.js';
import type { KpageflagsRun, KpfName } from '../../trace/formats/kpageflags.js';

/** The runs of [start, end) pfns, maximal per flag set. */
export function kpageflagsFromMemmap(m: Machine, start: number, end: number): KpageflagsRun[] {
  const out: KpageflagsRun[] = [];
  const mm = m.memmap!;
  let cur: KpageflagsRun | undefined;
  for (let pfn = start; pfn < end; pfn++) {
    let flags: KpfName[];
    if (!pfnOnline(mm, pfn) || (m.pgmaps && getDevPagemap(m, pfn))) flags = ['nopage'];
    else {
      const mem = sectionMemmap(mm, pfn);
      const w = pageWord(pfn);
      flags = [];
      if (pageReserved(mem, w)) flags.push('reserved');
      if (pageBuddy(mem, w)) flags.push('buddy');
    }
    const key = flags.join(',');
    if (cur && cur.flags.join(',') === key && cur.end === pfn) cur.end = pfn + 1;
    else out.push((cur = { start: pfn, end: pfn + 1, flags }));
  }
  return out;
}
