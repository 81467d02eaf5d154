// SPDX-License-Identifier: GPL-2.0-only
// The wire format between `meminit serve` and the page, shared by both sides: types, and the one list both check (BLOCK_ACTIONS).

/**
 * One step of a boot, as the server-sent event stream carries it (`event: <type>`, `id: <seq>`).
 * Today's boots send `phase` events (e820, memblock, numa, zones, resources, percpu, zonelists, mm_init — or one `replay`
 * for a boot log), a `start` and an `end` for each, then one `done`. Deferred struct page init
 * (issue 3) adds `worker` events: name "deferred-init", `nid` and `worker` say which, `pages`
 * and `total` how far it got.
 */
export interface BootEvent {
  /** 0, 1, 2 … per machine; the SSE id, so a reconnecting stream resumes after it. */
  seq: number;
  type: 'phase' | 'worker' | 'done' | 'hotplug';
  /**
   * phase: e820 | memblock | numa | zones | resources | percpu | zonelists | mm_init | memmap | replay; worker: the job; done:
   * ready | failed; hotplug: memoryN, an action on a block after the boot (`detail`: the value
   * written and the outcome), recorded after `done`, so only a stream opened later replays it.
   */
  name: string;
  state: 'start' | 'progress' | 'end';
  /** Milliseconds since the boot started. */
  t: number;
  nid?: number;
  worker?: number;
  pages?: number;
  total?: number;
  /** One line: what the step did, or why the boot failed. */
  detail?: string;
  /** The kernel lines the step printed: indexes [from, to) into the machine's `printk`. */
  lines?: [number, number];
}

export type MachineStatus = 'booting' | 'ready' | 'failed';

export interface MachineSource {
  kind: 'preset' | 'machine-file' | 'boot-log';
  name: string;
}

export interface ZoneSummary {
  name: string;
  startPfn: number;
  endPfn: number;
  spanned: number;
  present: number;
  managedEstimate: number;
  /** zone->managed_pages once the struct pages exist (and follow hotplug); null before. */
  managed: number | null;
}

export interface NodeSummary {
  nid: number;
  startPfn: number;
  endPfn: number;
  spanned: number;
  present: number;
  /** null: nothing deferred on this node. */
  firstDeferredPfn: number | null;
  zones: ZoneSummary[];
}

export interface E820Summary {
  addr: number;
  size: number;
  type: number;
  label: string;
}

export interface RegionSummary {
  base: number;
  size: number;
  flags: number;
  nid: number;
}

/** GET /api/machine/:id once the boot is done (`status` ready); only the first fields before. */
export interface MachineSummary {
  id: string;
  source: MachineSource;
  status: MachineStatus;
  error?: string;
  /** When the boot started (ms since the epoch); event times count from here. */
  startedAt: number;
  events: BootEvent[];
  /** Boot logs: how the replay compared with the kernel. */
  replay?: { kernelVersion: string | null; matched: number; mismatches: number; notes: string[] };
  name?: string;
  cmdline?: string;
  pageSize?: number;
  maxPfn?: number;
  /** The map's extent: max_pfn, node and device ends, rounded up to a section. */
  extentPfn?: number;
  nodes?: NodeSummary[];
  onlineNodes?: number[];
  totalPages?: number | null;
  /** Present sections as runs of section numbers [first, end). */
  sections?: { pages: number; count: number; present: [number, number][] };
  /** Boot memory blocks as runs of block ids [first, end) on one node. */
  memoryBlocks?: { pages: number; count: number; runs: { first: number; end: number; nid: number }[] };
  e820?: E820Summary[];
  memblock?: { memory: RegionSummary[]; reserved: RegionSummary[] };
  printk?: string[];
  zoneinfo?: string;
  /**
   * Memory hotplug on this machine (presets and machine files booted with their struct pages):
   * its block size, and whether blocks can be onlined and offlined (false: a replayed log's
   * blocks, planned without struct pages).
   */
  hotplug?: { blockPages: number; blocks: number; actions: boolean };
}

/** One memory block as /sys/devices/system/memory/memoryN shows it (GET …/blocks, POST …/block/N). */
export interface BlockInfo {
  id: number;
  /** The state file: online, offline or going-offline; "removed" after a remove. */
  state: string;
  /** The zone of an online block (mem->zone); null when offline or spanning several zones. */
  zone: string | null;
  /** mem->nid: -1 (NUMA_NO_NODE) until the block is registered under a node. */
  nid: number;
  /** The valid_zones file: "DMA32", "Normal Movable", "none" … */
  validZones: string;
  startPfn: number;
  pages: number;
  /** Memory hotplug added it (a DIMM); false for boot memory. */
  hotAdded: boolean;
}

/** The actions POST …/block/N takes: the values of the block's state file. */
/** Values of the block's state file, and `remove`: remove_memory() of the block (what an ACPI eject ends with). */
export const BLOCK_ACTIONS = ['online', 'online_kernel', 'online_movable', 'offline', 'remove'] as const;
export type BlockAction = (typeof BLOCK_ACTIONS)[number];

/** GET /api/machine/:id/bins: counts[b][s] pfns of state states[s] in bin b. */
export interface BinsResponse {
  start: number;
  end: number;
  bins: number;
  states: string[];
  counts: number[][];
}

/** GET /api/machine/:id/pfn/:pfn. */
export interface PfnInfoResponse {
  pfn: number;
  phys: number;
  nid: number | null;
  zone: string | null;
  section: number;
  sectionPresent: boolean;
  block: number;
  state: string;
  e820: string | null;
  /** The decoded struct page at the end of boot, as `meminit page PFN` shows it; null when there is none. */
  page: StructPage | null;
  /** Why `page` is null: no struct page at this pfn, or no memmap for this machine. */
  pageError?: string;
  /** The memory block holding the pfn, when the machine has memory hotplug and the block exists. */
  memoryBlock?: BlockInfo;
}

/** dump_page() of one struct page (src/mm/page-dump.ts PageDump), and its text form. */
export interface StructPage {
  pfn: number;
  /** The struct page's vmemmap address. */
  page: string;
  flagsRaw: string;
  flags: string[];
  nid: number;
  zone: string;
  refcount: number;
  mapcount: number | string;
  lru: { next: string; nextPfn: number; prev: string; prevPfn: number };
  mapping: string;
  index: string;
  private: string;
  buddyOrder?: number;
  migratetype: string;
  /** The dump as `meminit page` prints it. */
  text: string[];
}

/** GET /api/bench: bench/results.json (when a benchmark ran) beside the seed series' figures. */
export interface BenchResponse {
  /** The seed series' deferred-init times on its 384 GiB node, as Mpages/s. */
  seed: { nodeBytes: number; marks: { label: string; mpagesPerSec: number }[] };
  /** null: no bench/results.json yet (run `meminit bench`), or it could not be read (`reason`). */
  results: { nodeBytes: number; host: string; runs: { strategy: string; workers: number; mpagesPerSec: number; initMs: number }[] } | null;
  reason?: string;
}

export interface PresetInfo {
  name: string;
  description: string;
}

/** Every error: one line, no stack. */
export interface ErrorResponse {
  error: string;
}
