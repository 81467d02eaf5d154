// SPDX-License-Identifier: GPL-2.0-only
// Persistent memory and hot-pluggable DIMMs: placed after the RAM layout, checked against it.
import { E820Type } from '../arch/x86/e820-types.js';
import type { FirmwareE820Entry } from '../arch/x86/firmware.js';
import { roundUp, SZ_1G } from '../include/pfn.js';
import type { Board } from './board.js';
import { inUsableRam, type Placed, rejectE820Overlap, rejectOverlaps } from './checks.js';
import { type FieldPath, problem } from './errors.js';
import type { MachineConfig, PmemType } from './schema.js';
import { byStart, type Span, spanContains } from './spans.js';
import type { SratRange } from './srat.js';
import { hex, memRange, sizeString, SZ_2M } from './units.js';

const PMEM_E820_TYPE: Record<Exclude<PmemType, 'memmap'>, number> = { pmem: E820Type.PMEM, pram: E820Type.PRAM };

/** Fails unless `node` names one of the board's proximity domains. */
function checkNode(board: Board, node: number, path: FieldPath): void {
  if (!board.sratMemory) problem(path, 'needs a machine with an SRAT (nodes, or srat in an e820 machine)');
  if (!board.pxms.has(node)) problem(path, `node ${node} is not one of the machine's nodes (${[...board.pxms].join(', ')})`);
}

export interface PlacedPmem {
  ranges: { start: number; size: number; type: PmemType; pxm: number | undefined }[];
  e820: FirmwareE820Entry[];
  srat: SratRange[];
  cmdline: string[];
}

/**
 * pmem: memmap ranges become memmap=nn!ss arguments (RAM the kernel turns into type 12);
 * pram/pmem ranges become firmware e820 entries, auto-placed 1G-aligned above everything else.
 */
export function placePmem(cfg: MachineConfig, board: Board): PlacedPmem {
  const out: PlacedPmem = { ranges: [], e820: [], srat: [], cmdline: [] };
  const placed: Placed[] = [];
  let free = board.freeAbove;
  (cfg.pmem ?? []).forEach((p, i) => {
    const path = ['pmem', i];
    const type = p.type ?? 'memmap';
    if (p.start === undefined && (type === 'memmap' || free === undefined)) {
      problem([...path, 'start'], type === 'memmap'
        ? 'missing: a memmap range needs an address inside usable RAM'
        : 'missing: an e820 machine has no layout to place pmem in; give start');
    }
    const start = p.start ?? roundUp(free!, SZ_1G);
    const r: Placed = { start, end: start + p.size, path };
    if (type === 'memmap') {
      if (p.node !== undefined) problem([...path, 'node'], 'a memmap range takes the node of the RAM it carves; leave node out or use type pram');
      if (!inUsableRam(r, board.e820)) problem(path, `${memRange(r.start, r.end)} is not inside one usable e820 range; memmap=nn!ss can only carve RAM`);
      out.cmdline.push(`memmap=${sizeString(p.size)}!${hex(start)}`);
    } else {
      rejectE820Overlap(r, board.e820);
      out.e820.push({ addr: start, size: p.size, type: PMEM_E820_TYPE[type] });
      if (p.node !== undefined) {
        checkNode(board, p.node, [...path, 'node']);
        out.srat.push({ pxm: p.node, start, end: r.end, hotplug: false, nonVolatile: true });
      }
      if (p.start === undefined) free = r.end;
    }
    placed.push(r);
    out.ranges.push({ start, size: p.size, type, pxm: type === 'memmap' ? undefined : p.node });
  });
  rejectOverlaps(placed);
  return out;
}

/**
 * dimms: placed like QEMU's memory_device_get_free_addr() in plug (list) order: the first gap
 * in the hotplug region that fits, at the 2 MiB alignment QEMU gives RAM backends.
 */
export function placeDimms(cfg: MachineConfig, board: Board, taken: readonly FirmwareE820Entry[]) {
  const dimms = cfg.dimms ?? [];
  const dev = board.deviceMemory;
  const region: Span | undefined = dev && { start: dev.start, end: dev.start + dev.size };
  if (dimms.length > 0 && board.layout === 'qemu' && !region) problem(['dimms'], 'hot-pluggable DIMMs need maxmem and slots');
  if (region && cfg.slots !== undefined && dimms.length > cfg.slots) problem(['dimms'], `${dimms.length} DIMMs need more than the ${cfg.slots} slots given`);
  const placed: Placed[] = [];
  return dimms.map((d, i) => {
    const path = ['dimms', i];
    if (d.size % SZ_2M !== 0) problem([...path, 'size'], `${hex(d.size)} is not a multiple of 2 MiB (QEMU aligns DIMMs to 2 MiB)`);
    if (d.node !== undefined) checkNode(board, d.node, [...path, 'node']);
    let start = d.start;
    if (start === undefined) {
      if (!region) problem([...path, 'start'], 'missing: an e820 machine has no hotplug region to place DIMMs in; give start');
      start = firstFit(region, placed, d.size);
      if (start === undefined) problem(path, `no room for ${sizeString(d.size)} in the hotplug region ${memRange(region.start, region.end)}`);
    } else if (start % SZ_2M !== 0) {
      problem([...path, 'start'], `${hex(start)} is not 2 MiB aligned (QEMU aligns DIMMs to 2 MiB)`);
    }
    const r: Placed = { start, end: start + d.size, path };
    if (region && !spanContains(region, r)) {
      problem(path, `${memRange(r.start, r.end)} is outside the hotplug region ${memRange(region.start, region.end)}`);
    }
    rejectE820Overlap(r, taken);
    placed.push(r);
    rejectOverlaps(placed);
    // pc-dimm's node defaults to 0: the lowest node, as QEMU numbers nodes from 0.
    return { start, size: d.size, pxm: d.node ?? (board.pxms.size > 0 ? Math.min(...board.pxms) : 0) };
  });
}

/** The lowest 2 MiB-aligned start in `region` where `size` bytes miss every `placed` range. */
function firstFit(region: Span, placed: readonly Placed[], size: number): number | undefined {
  let start = roundUp(region.start, SZ_2M);
  for (const p of [...placed].sort(byStart)) {
    if (start + size <= p.start) break;
    start = Math.max(start, roundUp(p.end, SZ_2M));
  }
  return start + size <= region.end ? start : undefined;
}
