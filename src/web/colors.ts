// SPDX-License-Identifier: GPL-2.0-only
// The map's palette: pfn states, zones, nodes and e820 types, each set distinct from the others.
import type { PfnState } from './bins.js';

export const STATE_COLORS: Readonly<Record<PfnState, string>> = {
  hole: '#eceef2',
  reserved: '#e0913f',
  free: '#3f9e6e',
  deferred: '#8fb3de',
  device: '#8a63c9',
  offline: '#4b5563',
};

export const STATE_HELP: Readonly<Record<PfnState, string>> = {
  hole: 'no RAM: not in memblock.memory',
  reserved: 'memblock.reserved: kernel, initrd, page tables, NODE_DATA, …',
  free: 'RAM whose struct pages are initialised at boot, or hot-added memory onlined since',
  deferred: 'RAM left to deferred struct page init (≥ the node’s first_deferred_pfn)',
  device: 'persistent memory (e820 type 7 / 12)',
  offline: 'offline memory blocks: hot-added DIMMs not onlined yet, or blocks offlined since boot',
};

/** Bottom-to-top order of a column's stacked states; holes are the background. */
export const STACK_ORDER: readonly PfnState[] = ['free', 'deferred', 'reserved', 'device', 'offline'];

const ZONE_COLORS: Readonly<Record<string, string>> = {
  DMA: '#ecd58a',
  DMA32: '#9fd6c9',
  Normal: '#c3c0e8',
  Movable: '#eab4cf',
  Device: '#d3c4a8',
};
export const zoneColor = (name: string): string => ZONE_COLORS[name] ?? '#d0d4da';

export const NODE_COLORS = ['#d5dbe5', '#bcc5d3'] as const;

/** e820 lane: usable RAM light, reserved kinds grey, persistent memory purple. */
export function e820Color(type: number): string {
  switch (type) {
    case 1:
    case 128:
      return '#b9dcc7';
    case 3:
    case 4:
      return '#c9b79c';
    case 7:
    case 12:
      return '#b9a2e0';
    default:
      return '#a3a9b3';
  }
}

export const INK = '#1f2733';
export const INK_SOFT = '#5b6472';
export const GRID = 'rgba(31, 39, 51, 0.11)';
export const GRID_STRONG = 'rgba(31, 39, 51, 0.3)';
