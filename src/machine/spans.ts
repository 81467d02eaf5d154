// SPDX-License-Identifier: GPL-2.0-only
// Half-open [start, end) address ranges: overlap, containment, subtraction.

export interface Span {
  start: number;
  end: number;
}

export const spansOverlap = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;
export const spanContains = (outer: Span, inner: Span): boolean => outer.start <= inner.start && inner.end <= outer.end;
export const byStart = (a: Span, b: Span): number => a.start - b.start || a.end - b.end;

/** Two of `items` that overlap, in list order, or undefined ("[0,4) [8,12) [2,6)" → [0,4), [2,6)). */
export function findOverlap<T extends Span>(items: readonly T[]): [T, T] | undefined {
  const order = items.map((_, i) => i).sort((i, j) => byStart(items[i]!, items[j]!));
  let widest: number | undefined;
  for (const i of order) {
    if (widest !== undefined && items[widest]!.end > items[i]!.start) {
      return widest < i ? [items[widest]!, items[i]!] : [items[i]!, items[widest]!];
    }
    if (widest === undefined || items[i]!.end > items[widest]!.end) widest = i;
  }
  return undefined;
}

/** Sorted, with touching or overlapping spans joined ("[0,4) [4,8)" → "[0,8)"). */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort(byStart)) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** `spans` with `hole` cut out ("[0,10) minus [4,6)" → "[0,4) [6,10)"). */
export function subtractSpan(spans: readonly Span[], hole: Span): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    if (!spansOverlap(s, hole)) {
      out.push({ start: s.start, end: s.end });
      continue;
    }
    if (s.start < hole.start) out.push({ start: s.start, end: hole.start });
    if (hole.end < s.end) out.push({ start: hole.end, end: s.end });
  }
  return out;
}
