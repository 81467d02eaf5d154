// Which pfns /proc/kpageflags shows reserved or without a struct page at the end of boot, from
// the replayed memblock and the log's late frees — the runtime buddy/allocated split aside.
// nopage: pfns pfn_to_online_page() has no page for — outside the 2 MiB subsections that hold
// memory (subsection_map_init() over the early node ranges; ZONE_DEVICE kernels check it).
// reserved: every other pfn that memblock_free_all() did not free (holes, memblock.reserved,
// partial pages) and that nothing freed later (initrd, EFI boot services, memblock_free_late, the
// kernel image's unused parts).
import { MAX_NUMNODES, PAGES_PER_SECTION } from '../include/mmzone.js';
import { roundDown, roundUp } from '../include/pfn.js';
import { PAGES_PER_SUBSECTION } from '../include/sparsemem.js';
import type { Machine } from '../kernel/machine.js';
import { forEachMemPfnRange } from '../mm/memblock.js';
import { memblockFreeAllSpans } from './replay-managed.js';
import type { KpageflagsRun } from './formats/kpageflags.js';
import type { Span } from './replay-late-frees.js';


/** Sorted, disjoint, merged spans. */
function normalise(spans: Span[]): Span[] {
  const s = spans.filter(([a, b]) => a < b).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** a minus b, both normalised. */
function subtract(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  for (const [s0, e0] of a) {
    let s = s0;
    for (const [bs, be] of b) {
      if (be <= s || bs >= e0) continue;
      if (bs > s) out.push([s, bs]);
      s = Math.max(s, be);
    }
    if (s < e0) out.push([s, e0]);
  }
  return out;
}

/** Predicted runs up to the section-aligned max_pfn, from the log's late frees (replay-late-frees.ts); undefined without them. */
export function predictKpageflags(m: Machine, late: Span[] | undefined): KpageflagsRun[] | undefined {
  if (!m.memblock || !m.maxPfn) return undefined;
  if (!late) return undefined;
  const end = roundUp(m.maxPfn, PAGES_PER_SECTION);
  const present = normalise([...forEachMemPfnRange(m.memblock, MAX_NUMNODES)]
    .map((r) => [roundDown(r.startPfn, PAGES_PER_SUBSECTION), Math.min(roundUp(r.endPfn, PAGES_PER_SUBSECTION), end)] as Span));
  const reserved = subtract(subtract(present, normalise(memblockFreeAllSpans(m))), normalise(late));
  const nopage = subtract([[0, end]], present);
  const runs: KpageflagsRun[] = [
    ...reserved.map(([start, e]) => ({ start, end: e, flags: ['reserved' as const] })),
    ...nopage.map(([start, e]) => ({ start, end: e, flags: ['nopage' as const] })),
  ];
  const marked = normalise([...reserved, ...nopage]);
  runs.push(...subtract([[0, end]], marked).map(([start, e]) => ({ start, end: e, flags: [] })));
  return runs.sort((a, b) => a.start - b.start);
}

/** The pfn spans of a run list that carry `flag`. */
export function spansWith(runs: readonly KpageflagsRun[], flag: 'reserved' | 'nopage'): Span[] {
  return normalise(runs.filter((r) => r.flags.includes(flag)).map((r) => [r.start, r.end] as Span));
}


/** Compare with the capture of a corpus boot, within the pfns the prediction covers. */
export function checkKpageflagsCapture(
  pred: readonly KpageflagsRun[], cap: readonly KpageflagsRun[],
): { flag: 'reserved' | 'nopage'; predictedOnly: Span[]; kernelOnly: Span[] }[] {
  const end = pred.length ? pred[pred.length - 1]!.end : 0;
  const clip = (sp: Span[]): Span[] => sp.filter(([a]) => a < end).map(([a, b]) => [a, Math.min(b, end)] as Span);
  const out: { flag: 'reserved' | 'nopage'; predictedOnly: Span[]; kernelOnly: Span[] }[] = [];
  for (const flag of ['reserved', 'nopage'] as const) {
    const a = spansWith(pred, flag);
    const b = clip(spansWith(cap, flag));
    out.push({ flag, predictedOnly: subtract(a, b), kernelOnly: subtract(b, a) });
  }
  return out;
}
