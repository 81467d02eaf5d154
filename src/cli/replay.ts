// `meminit replay LOG`: rebuild a machine from a boot log and check meminit against the kernel.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Progress } from './progress.js';
import { lexBootLog, LogError, MAX_LOG_BYTES } from '../trace/dmesg.js';
import { formatMismatch } from '../trace/check.js';
import { replayBootLog, ReplayError, type ReplayResult } from '../trace/replay.js';
import { memblockDump } from '../mm/memblock.js';
import { emitZoneinfo } from '../trace/formats/zoneinfo.js';
import { zoneinfoOf } from '../fs/proc/zoneinfo.js';

export { zoneinfoOf };
import type { Machine } from '../kernel/machine.js';
import type { PgData } from '../mm/zone.js';
import { EXIT_MISMATCH, EXIT_OK, UserError } from './errors.js';
import { kpageflagsRun } from '../trace/formats/kpageflags.js';

export const EMITS = ['dmesg', 'memblock', 'zoneinfo', 'json', 'summary'] as const;
export type Emit = (typeof EMITS)[number];
/** replay also predicts /proc/kpageflags: it needs the log's late frees. */
export const REPLAY_EMITS = [...EMITS, 'kpageflags'] as const;
export type ReplayEmit = (typeof REPLAY_EMITS)[number];

export function readLogFile(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${path}: not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > MAX_LOG_BYTES) throw new UserError(`${path}: ${size} bytes is over the ${MAX_LOG_BYTES}-byte limit for a boot log`);
  return readFileSync(path, 'utf8');
}

export function replayFile(path: string, opts: { script?: boolean; hotplugReserved?: 'keep' | 'drop' } = {}): ReplayResult {
  const bars = new Progress();
  try {
    return replayBootLog(lexBootLog(readLogFile(path), path), {
      ...opts, ...(bars.active ? { progress: (d: number, t: number) => bars.update('replay', `replay ${basename(path)}`, d, t) } : {}),
    });
  } catch (e) {
    if (e instanceof LogError || e instanceof ReplayError) throw new UserError(e.message);
    throw e;
  } finally {
    bars.done();
  }
}

/** Where memmap_init() put the node's deferred split (deferred init clears pg.firstDeferredPfn later). */
const firstDeferredPfn = (m: Machine, pg: PgData): number => m.memmapPlan?.firstDeferredPfn.get(pg.nodeId) ?? pg.firstDeferredPfn;

export function machineJson(m: Machine): unknown {
  return {
    name: m.name,
    cmdline: m.params.cmdline,
    maxPfn: m.maxPfn,
    maxLowPfn: m.maxLowPfn,
    e820: m.e820?.table.entries,
    memblock: m.memblock && { memory: m.memblock.memory.regions, reserved: m.memblock.reserved.regions },
    numa: m.numa && {
      possible: m.numa.possible, online: [...m.numa.online], meminfo: m.numa.meminfo,
      nodeData: Object.fromEntries(m.numa.nodeData),
    },
    dmaReserve: m.dmaReserve,
    zoneMovablePfn: m.zones && Object.fromEntries(m.zones.zoneMovablePfn),
    nodes: m.zones && [...m.zones.nodes.values()].map((pg) => ({
      nid: pg.nodeId, startPfn: pg.nodeStartPfn, spannedPages: pg.nodeSpannedPages, presentPages: pg.nodePresentPages,
      firstDeferredPfn: Number.isFinite(firstDeferredPfn(m, pg)) ? firstDeferredPfn(m, pg) : null,
      earlyInitPages: m.memmapPlan?.earlyInitPages.get(pg.nodeId) ?? 0,
      deferredPages: m.memmapPlan?.deferredPages.get(pg.nodeId) ?? 0,
      zones: pg.zones.map((z) => ({
        zone: z.name, startPfn: z.zoneStartPfn, spanned: z.spannedPages, present: z.presentPages,
        absent: z.spannedPages - z.presentPages, memmapPages: z.memmapPages, managedEstimate: z.managedEstimate,
      })),
    })),
    onlineNodes: m.onlineNodes,
    totalPages: m.totalPages,
  };
}

/** Lines meminit adds to the kernel's own: each node's deferred-init split (the kernel prints none in 6.1). */
export function deferredSplitLines(m: Machine): string[] {
  if (!m.zones) return [];
  return [...m.zones.nodes.values()]
    .filter((pg) => pg.nodePresentPages > 0)
    .map((pg) => {
      const plan = m.memmapPlan;
      const first = firstDeferredPfn(m, pg);
      const early = plan?.earlyInitPages.get(pg.nodeId) ?? 0;
      return Number.isFinite(first)
        ? `meminit: node ${pg.nodeId} defers struct page init from pfn 0x${first.toString(16)}: ${early} pages initialised early, ${plan?.deferredPages.get(pg.nodeId) ?? 0} deferred`
        : `meminit: node ${pg.nodeId} defers nothing: all ${early} pages initialised early`;
    });
}

export function emitMachine(m: Machine, emit: Emit, extra: Record<string, unknown> = {}, managed?: ReadonlyMap<string, number>): string {
  switch (emit) {
    case 'dmesg':
      return m.printk.lines.map((l) => l.text).join('\n') + '\n';
    case 'memblock':
      return m.memblock ? memblockDump(m.memblock).join('\n') + '\n' : '';
    case 'zoneinfo':
      return emitZoneinfo(zoneinfoOf(m, managed)).join('\n') + '\n';
    case 'json':
      return JSON.stringify({ ...extra, machine: machineJson(m) }, null, 2) + '\n';
    case 'summary':
      return [...m.printk.lines.map((l) => l.text), ...deferredSplitLines(m)].join('\n') + '\n';
  }
}

export interface ReplayOptions {
  emit?: ReplayEmit;
  check?: boolean;
  /** A hotplug script to run on the replayed machine after boot (and after the log's own actions). */
  script?: string;
  hotplugReserved?: 'keep' | 'drop';
  /** One JSON document on stdout (the notes go into it). */
  json?: boolean;
}

export async function replayCommand(path: string, o: ReplayOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { loadScript, printResults } = await import('./run.js');
  const lines = o.script ? loadScript(o.script) : undefined;
  const r = replayFile(path, { ...(lines ? { script: true } : {}), ...(o.hotplugReserved ? { hotplugReserved: o.hotplugReserved } : {}) });
  const extra = {
    file: r.file, kernelVersion: r.kernelVersion, allocations: r.allocations, mismatches: r.mismatches,
    matched: r.matchedLines, notes: r.notes,
  };
  if (o.json) {
    const doc = { ...extra, ...(o.check ? { ok: r.mismatches.length === 0 } : {}), managed: r.managed && Object.fromEntries(r.managed), machine: machineJson(r.machine) };
    out(JSON.stringify(doc, null, 2) + '\n');
    return o.check && r.mismatches.length ? EXIT_MISMATCH : EXIT_OK;
  }
  if (o.emit === 'kpageflags') {
    if (!r.kpageflags) throw new UserError(`${path}: the log does not say where the kernel image is (no memblock=debug trace of reserve_brk): kpageflags not predicted`);
    out(r.kpageflags.map((run) => kpageflagsRun.emit(run)).join('\n') + '\n');
  } else if (o.emit) {
    out(emitMachine(r.machine, o.emit, { ...extra, managed: r.managed && Object.fromEntries(r.managed) }, r.managed));
  }
  for (const n of r.notes) err(`note: ${n}`);
  let code = EXIT_OK;
  if (lines) {
    if (!r.machine.hotplug || !r.machine.memmap) throw new UserError(`${path}: the log does not describe zones: no machine to run ${o.script} on`);
    const { runScript } = await import('../shell/script.js');
    code = printResults(o.script!, runScript(r.machine, lines), out, err);
  }
  if (!o.check) return code;
  const okAllocs = r.allocations.filter((a) => a.kernel !== undefined && a.kernel === a.predicted).length;
  const checked = r.allocations.filter((a) => a.kernel !== undefined).length;
  for (const m of r.mismatches) err(formatMismatch(r.file, m));
  const summary = `${r.file}: ${r.matchedLines} predictions match the kernel, ${r.mismatches.length} mismatches; ${okAllocs}/${checked} memblock allocations where the kernel put them`;
  (r.mismatches.length ? err : out)(summary + '\n');
  return r.mismatches.length ? EXIT_MISMATCH : EXIT_OK;
}
