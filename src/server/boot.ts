// SPDX-License-Identifier: GPL-2.0-only
// Booting for the server: a preset or machine file runs bootMachine()'s phases one by one,
// yielding to the event loop between them so the event stream shows each as it runs, then the
// memmap and memory hotplug (its DIMMs plugged as ACPI does at boot); a boot log is replayed in
// one step. Bad input is an HttpError with the model's one-line message.
import { BootError, SETUP_PHASES } from '../arch/x86/setup.js';
import { machineNew, type Machine } from '../kernel/machine.js';
import { memInit } from '../arch/x86/mem-init.js';
import { acpiMemoryHotplugBoot } from '../drivers/acpi/acpi-memhotplug.js';
import { errnoText } from '../drivers/base/memory.js';
import { forEachValidSection, memblocksPresent } from '../mm/sparse.js';
import { SECTION_MEMMAP_BYTES } from '../include/sparsemem.js';
import { loadPreset, MachineError, parseMachine } from '../machine/index.js';
import type { HotplugDimm, MachineSpec } from '../machine/types.js';
import { lexBootLog, LogError } from '../trace/dmesg.js';
import { replayBootLog, ReplayError } from '../trace/replay.js';
import type { MachineSource } from '../web/api-types.js';
import { pfnStateSegments } from '../web/bins.js';
import { HttpError } from './http.js';
import { extentPfn, machineSections, pfnMapInput, withHotplug } from './machine-view.js';
import { machineRecordNew, recordEvent, type MachineRecord } from './machines.js';

export interface BootPhase {
  name: string;
  run(m: Machine): void;
  /** One line on what the phase did. */
  detail(m: Machine): string;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

type SetupPhase = (typeof SETUP_PHASES)[number]['name'];

/** What each of bootMachine()'s phases did, in one line. */
const DETAILS: Record<SetupPhase, (m: Machine) => string> = {
  e820: (m) => `${m.e820!.table.entries.length} e820 entries, max_pfn ${hex(m.maxPfn)}`,
  memblock: (m) => `${m.memblock!.memory.regions.length} memory and ${m.memblock!.reserved.regions.length} reserved regions`,
  numa: (m) => `${m.numa!.online.size} node(s) with memory${m.numa!.fromSrat ? ', from the SRAT' : ', no SRAT: one node'}`,
  zones: (m) => [...m.zones!.nodes.values()].map((pg) =>
    `node ${pg.nodeId}: ${Number.isFinite(pg.firstDeferredPfn) ? `deferred from ${hex(pg.firstDeferredPfn)}` : 'nothing deferred'}`).join('; '),
  resources: (m) => `${m.firmwareMap?.length ?? 0} firmware map entries, ${m.nosaveRegions?.length ?? 0} nosave regions`,
  percpu: (m) => `the first percpu chunk: a unit for each of ${m.firmware.nrCpus} cpu(s), in its node's memory`,
  zonelists: (m) => `${m.onlineNodes.length} node(s), ${m.totalPages} total pages, policy zone ${m.policyZone}`,
  mm_init: (m) => `${m.memblock!.reserved.regions.length} reserved regions when memblock_free_all() starts`,
};

/** bootMachine()'s own phases (SETUP_PHASES), each with its detail line. */
export const BOOT_PHASES: readonly BootPhase[] = SETUP_PHASES.map((p) => ({ ...p, detail: DETAILS[p.name] }));

/**
 * Struct pages for machines whose memmap fits this (a 16 GiB machine needs 256 MiB); bigger ones
 * (the 384 GiB seed) are shown without, and their pfn inspector says why.
 */
export const SERVER_MEMMAP_BUDGET = 256 * 2 ** 20;

const MiB = 2 ** 20;

/**
 * The memInit phase: sparse_init, memmap_init, memblock_free_all, deferred init (on this thread),
 * so the inspector can decode struct pages, with memory hotplug as the kernel sets it up
 * (memory_dev_init(): the boot's memory blocks) and the machine's DIMMs, each added as the
 * ACPI memory hotplug driver does in its subsys initcall (offline with Debian's default). A DIMM add_memory()
 * refuses is left out and said in the detail, as the kernel logs it and boots on. The map keeps
 * the pfn states at paging_init() (what deferred init had still to do), computed before this
 * phase runs; hotplug's blocks are laid over them.
 */
export function memmapPhase(dimms: readonly HotplugDimm[]): BootPhase {
  let refused: string | undefined;
  return {
    name: 'memmap',
    run: (m) => {
      const needed = memblocksPresent(m.memblock!).size * SECTION_MEMMAP_BYTES;
      if (needed > SERVER_MEMMAP_BUDGET) return;
      const subsysInitcall = (mm: Machine): void => {
        const bad = acpiMemoryHotplugBoot(mm, dimms);
        if (bad) refused = `the DIMM at ${hex(bad.start)} (${bad.size / MiB} MiB): add_memory failed: ${errnoText(bad.errno)}`;
      };
      memInit(m, { strategy: 'parallel', maxThreads: 1, memmap: { budgetBytes: SERVER_MEMMAP_BUDGET }, subsysInitcall });
    },
    detail: (m) => {
      if (!m.memmap) return `no struct pages: a ${Math.round((memblocksPresent(m.memblock!).size * SECTION_MEMMAP_BYTES) / MiB)} MiB memmap is over the server's ${SERVER_MEMMAP_BUDGET / MiB} MiB budget`;
      let managed = 0;
      for (const pg of m.zones!.nodes.values()) for (const z of pg.zones) managed += z.managedPages;
      const head = `${[...forEachValidSection(m.memmap)].length} sections of struct pages, ${managed} pages managed`;
      if (!dimms.length) return head;
      const offline = m.hotplug!.blocks.all().filter((b) => b.state === 'offline').length;
      const added = m.hotplug!.resources.length;
      return `${head}; ${added} DIMM${added === 1 ? '' : 's'} hot-added (${offline} memory blocks offline)${refused ? `; ${refused}` : ''}`;
    },
  };
}

/** The memmap phase of a machine without DIMMs. */
export const MEMMAP_PHASE: BootPhase = memmapPhase([]);

/** The map's view: the pfn states at paging_init() (before the memmap phase frees and inits pages). */
function takeView(rec: MachineRecord): void {
  const m = rec.machine;
  const base = pfnMapInput(m);
  rec.view = { base, segs: pfnStateSegments(base), sections: machineSections(m), extentPfn: extentPfn(m) };
}

/** Re-derive the map's view after memory hotplug changed the machine: the boot's states with the blocks laid over them. */
export function refreshView(rec: MachineRecord): void {
  const m = rec.machine;
  if (!rec.view) takeView(rec);
  if (!m.hotplug) return;
  const base = rec.view!.base;
  rec.view = { base, segs: pfnStateSegments(withHotplug(base, m)), sections: machineSections(m), extentPfn: extentPfn(m) };
}

function finish(rec: MachineRecord): void {
  refreshView(rec);
  rec.status = 'ready';
  recordEvent(rec, { type: 'done', name: 'ready', state: 'end' });
}

function fail(rec: MachineRecord, message: string): void {
  rec.status = 'failed';
  rec.error = message;
  recordEvent(rec, { type: 'done', name: 'failed', state: 'end', detail: message });
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Run the phases of a machine's boot, recording a start and an end event for each. */
export async function runBootPhases(rec: MachineRecord, phases: readonly BootPhase[] = serverPhases(rec.dimms)): Promise<void> {
  const m = rec.machine;
  for (const ph of phases) {
    await nextTick();
    const from = m.printk.lines.length;
    recordEvent(rec, { type: 'phase', name: ph.name, state: 'start' });
    try {
      ph.run(m);
    } catch (e) {
      const msg = e instanceof BootError ? e.message : `internal error in ${ph.name}: ${e instanceof Error ? e.message : String(e)}`;
      recordEvent(rec, { type: 'phase', name: ph.name, state: 'end', detail: msg, lines: [from, m.printk.lines.length] });
      return fail(rec, `${rec.source.name}: ${msg}`);
    }
    recordEvent(rec, { type: 'phase', name: ph.name, state: 'end', detail: ph.detail(m), lines: [from, m.printk.lines.length] });
    if (ph.name === 'zonelists') takeView(rec);
  }
  finish(rec);
}

/** The phases a preset or machine file boots through in the server: bootMachine()'s, then the memmap (and hotplug). */
export const serverPhases = (dimms: readonly HotplugDimm[]): readonly BootPhase[] => [...BOOT_PHASES, memmapPhase(dimms)];

function specOf(load: () => MachineSpec): MachineSpec {
  try {
    return load();
  } catch (e) {
    if (e instanceof MachineError) throw new HttpError(400, e.message);
    throw e;
  }
}

/** A record for a preset or machine file, validated now; its phases still to run. */
export function machineFromSpec(source: MachineSource, load: () => MachineSpec): MachineRecord {
  const spec = specOf(load);
  return machineRecordNew(source, machineNew(spec.name, spec.firmware), spec.dimms);
}

export const presetRecord = (name: string): MachineRecord =>
  machineFromSpec({ kind: 'preset', name }, () => loadPreset(name));

export const machineFileRecord = (text: string, fileName: string): MachineRecord =>
  machineFromSpec({ kind: 'machine-file', name: fileName }, () => parseMachine(text, fileName));

/** Replay a boot log now (one `replay` phase); a log that is no boot is an HttpError 400. */
export function bootLogRecord(text: string, fileName: string): MachineRecord {
  const t0 = performance.now();
  let r;
  try {
    r = replayBootLog(lexBootLog(text, fileName));
  } catch (e) {
    if (e instanceof LogError || e instanceof ReplayError) throw new HttpError(400, e.message);
    throw e;
  }
  const rec = machineRecordNew({ kind: 'boot-log', name: fileName }, r.machine);
  rec.t0 = t0;
  rec.replay = { kernelVersion: r.kernelVersion ?? null, matched: r.matchedLines, mismatches: r.mismatches.length, notes: r.notes };
  // The replay ran before the record existed: its start is time 0.
  recordEvent(rec, { type: 'phase', name: 'replay', state: 'start' }).t = 0;
  recordEvent(rec, {
    type: 'phase', name: 'replay', state: 'end', lines: [0, r.machine.printk.lines.length],
    detail: `${r.matchedLines} predictions match the kernel, ${r.mismatches.length} mismatches`,
  });
  finish(rec);
  return rec;
}
