// `meminit proc FILE [MACHINE|PRESET]`: the /proc files meminit models, for a machine booted with its
// struct pages (zoneinfo's geometry and managed pages, buddyinfo, pagetypeinfo, the e820 part of
// iomem, the memory-init part of meminfo).
import { memInit } from '../arch/x86/mem-init.js';
import { bootMachine, BootError } from '../arch/x86/setup.js';
import { DEBIAN_BRK } from '../arch/x86/brk.js';
import { debianKernelSections, iomemLines, iomemTree } from '../fs/proc/iomem.js';
import { directMap, meminfoLines } from '../fs/proc/meminfo.js';
import { machineNew, type Machine } from '../kernel/machine.js';
import { KERNEL_START } from '../machine/early.js';
import type { DeferredStrategy } from '../mm/deferred-work.js';
import type { Buddy } from '../mm/page-alloc.js';
import { MemmapBudgetError } from '../mm/sparse.js';
import { buddyinfo, pagetypeinfo } from '../mm/vmstat.js';
import { emitBuddyinfo } from '../trace/formats/buddyinfo.js';
import { emitIomem } from '../trace/formats/iomem.js';
import { emitMeminfo } from '../trace/formats/meminfo.js';
import { emitPagetypeinfo } from '../trace/formats/pagetypeinfo.js';
import { emitZoneinfo } from '../trace/formats/zoneinfo.js';
import { loadSpec, memmapBudget } from './boot.js';
import { EXIT_OK, UserError } from './errors.js';
import { zoneinfoOf } from './replay.js';

export const PROC_FILES = ['zoneinfo', 'buddyinfo', 'pagetypeinfo', 'iomem', 'meminfo'] as const;
export type ProcFile = (typeof PROC_FILES)[number];

/** The e820 and kernel-image part of /proc/iomem (the Debian 6.1 image at its early reservation). */
export function procIomem(m: Machine) {
  const text = m.firmware.earlyReserved.find((r) => r.what === 'kernel image')?.base ?? KERNEL_START;
  const brk = (m.firmware.brk ?? DEBIAN_BRK).start;
  return iomemLines(iomemTree(m.e820!.table, debianKernelSections(text, brk)));
}

/** The predicted /proc/meminfo lines of a machine booted with its struct pages. */
export function procMeminfo(m: Machine) {
  let managed = 0;
  for (const pg of m.zones!.nodes.values()) for (const z of pg.zones) managed += z.managedPages;
  const free = buddyinfo(m.buddy as Buddy).reduce((n, z) => n + z.nrFree.reduce((a, c, o) => a + c * 2 ** o, 0), 0);
  const cpu = m.firmware.cpu ?? {};
  const gb = (cpu.gbpages ?? false) && m.params.args.reduce((on, a) => (a.param === 'gbpages' ? true : a.param === 'nogbpages' ? false : on), true);
  return meminfoLines({
    totalramPages: managed, freePages: free, hugepagesParam: m.params.args.some((a) => a.param.startsWith('hugepage')),
    l5: (cpu.la57 ?? false) && !m.params.args.some((a) => a.param === 'no5lvl'),
    directMap: directMap(m.memblock!, m.maxPfn, gb), cpuGbpages: cpu.gbpages ?? false,
  });
}

/** Boot `machine` with its struct pages (the state every /proc file is read from). */
export function bootForProc(machine: string, strategy: DeferredStrategy): Machine {
  const spec = loadSpec(machine);
  const m = machineNew(spec.name, spec.firmware);
  try {
    bootMachine(m);
    memInit(m, { strategy, memmap: { budgetBytes: memmapBudget() } });
  } catch (e) {
    if (e instanceof BootError || e instanceof MemmapBudgetError) throw new UserError(`${machine}: ${e.message}`);
    throw e;
  }
  return m;
}

/** The file's lines and, for --json, what they carry. */
export function procFile(m: Machine, file: ProcFile): { lines: string[]; data: unknown } {
  const b = m.buddy as Buddy;
  switch (file) {
    case 'zoneinfo': {
      const managed = new Map<string, number>();
      for (const pg of m.zones!.nodes.values()) for (const z of pg.zones) managed.set(`${pg.nodeId}:${z.name}`, z.managedPages);
      const zones = zoneinfoOf(m, managed);
      return { lines: emitZoneinfo(zones), data: zones };
    }
    case 'buddyinfo': {
      const zones = buddyinfo(b);
      return { lines: emitBuddyinfo(zones), data: zones };
    }
    case 'pagetypeinfo': {
      const nodes = pagetypeinfo(b);
      return { lines: emitPagetypeinfo(nodes), data: nodes };
    }
    case 'iomem': {
      const res = procIomem(m);
      return { lines: emitIomem(res), data: res };
    }
    case 'meminfo': {
      const f = procMeminfo(m);
      return { lines: emitMeminfo(f), data: f };
    }
  }
}

export function procCommand(file: ProcFile, machine: string, o: { strategy: DeferredStrategy; json?: boolean }, out: (s: string) => void): number {
  const m = bootForProc(machine, o.strategy);
  const { lines, data } = procFile(m, file);
  out(o.json ? JSON.stringify({ file: `/proc/${file}`, machine: m.name, lines, data }, null, 2) : lines.join('\n'));
  return EXIT_OK;
}
