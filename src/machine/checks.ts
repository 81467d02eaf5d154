// SPDX-License-Identifier: GPL-2.0-only
// Range checks shared by the builders, each failing with a message that names both sides.
import { E820Type } from '../arch/x86/e820-types.js';
import type { FirmwareE820Entry } from '../arch/x86/firmware.js';
import { type FieldPath, formatPath, problem } from './errors.js';
import { findOverlap, type Span, spanContains, spansOverlap } from './spans.js';
import { memRange } from './units.js';

/** A range and the field it came from. */
export interface Placed extends Span {
  path: FieldPath;
}

/** `items` labelled with their place in the list `field` ("e820" → e820[0], e820[1] …). */
export const placedIn = (field: readonly string[], items: readonly Span[]): Placed[] =>
  items.map((r, i) => ({ start: r.start, end: r.end, path: [...field, i] }));

/** "nodes[1].memory[0]: [mem …] overlaps nodes[0].memory[1] [mem …]" for the first clash. */
export function rejectOverlaps(items: readonly Placed[]): void {
  const clash = findOverlap(items);
  if (!clash) return;
  const [a, b] = clash;
  problem(b.path, `${memRange(b.start, b.end)} overlaps ${formatPath(a.path)} ${memRange(a.start, a.end)}`);
}

const e820Span = (e: FirmwareE820Entry): Span => ({ start: e.addr, end: e.addr + e.size });

/** Fails unless `r` lies in the firmware map's holes. */
export function rejectE820Overlap(r: Placed, e820: readonly FirmwareE820Entry[]): void {
  const hit = e820.find((e) => spansOverlap(e820Span(e), r));
  if (hit) problem(r.path, `${memRange(r.start, r.end)} overlaps the e820 entry ${memRange(hit.addr, hit.addr + hit.size)} (type ${hit.type})`);
}

/** Whether `r` lies inside one usable e820 entry. */
export const inUsableRam = (r: Span, e820: readonly FirmwareE820Entry[]): boolean =>
  e820.some((e) => e.type === E820Type.RAM && spanContains(e820Span(e), r));
