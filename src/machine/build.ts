// SPDX-License-Identifier: GPL-2.0-only
// A parsed machine description → MachineSpec: validate the shape (zod), lay out the RAM,
// add persistent memory, DIMMs and early reservations, and check what the kernel will need.
import type { EarlyReservation, EfiMemoryRange, Firmware, FirmwareE820Entry } from '../arch/x86/firmware.js';
import { DEBIAN_IMAGE } from '../arch/x86/kernel-image.js';
import type { Board } from './board.js';
import { inUsableRam, placedIn, rejectOverlaps } from './checks.js';
import { placeDimms, placePmem } from './devices.js';
import { e820Board } from './e820-board.js';
import { cpuFeatures } from './cpu-flags.js';
import { defaultEarlyReserved, INITRD_SIZE, KERNEL_ALIGN, KERNEL_START, kernelBrkAt } from './early.js';
import { machineError, MachineProblem, problem } from './errors.js';
import { firstIssue, zodErrorMap } from './issues.js';
import { qemuBoard } from './qemu-board.js';
import { type MachineConfig, machineSchema } from './schema.js';
import { slitOf } from './slit.js';
import { buildSrat, PxmMap } from './srat.js';
import type { MachineSpec } from './types.js';
import { hex, memRange } from './units.js';

/** The command line of every corpus boot (tools/corpus/capture.sh with nokaslr). */
export const DEFAULT_CMDLINE = 'console=ttyS0 memblock=debug ignore_loglevel nokaslr';
/** COMMAND_LINE_SIZE on x86, counting the terminating NUL. */
const COMMAND_LINE_SIZE = 2048;

/** Schema validation: the parsed config, or a MachineError for the first problem. */
export function validateMachine(input: unknown, file: string): MachineConfig {
  const r = machineSchema.safeParse(input, { error: zodErrorMap });
  if (r.success) return r.data;
  const { path, message } = firstIssue(r.error.issues);
  throw machineError(file, path, message);
}

/** `input` (a parsed file, or a preset) → MachineSpec; `file` names it in messages. */
export function buildMachine(input: unknown, file: string, defaultName: string): MachineSpec {
  const cfg = validateMachine(input, file);
  try {
    return assemble(cfg, defaultName);
  } catch (e) {
    if (e instanceof MachineProblem) throw machineError(file, e.path, e.what);
    throw e;
  }
}

function boardFor(cfg: MachineConfig): Board {
  const given = (['memory', 'nodes', 'e820'] as const).filter((k) => cfg[k] !== undefined);
  if (given.length === 0) problem([], 'expected memory, nodes or e820 to describe the RAM');
  if (given.length > 1) problem([given[1]!], `give only one of memory, nodes and e820 (this machine has ${given.join(' and ')})`);
  return cfg.e820 ? e820Board(cfg) : qemuBoard(cfg);
}

/** Where the loader put the kernel (_text): 16M, or kernelStart, on a CONFIG_PHYSICAL_ALIGN step from there up. */
function kernelStartOf(cfg: MachineConfig): number {
  const at = cfg.kernelStart;
  if (at === undefined) return KERNEL_START;
  if (at < KERNEL_START) problem(['kernelStart'], `${hex(at)} is below ${hex(KERNEL_START)} (LOAD_PHYSICAL_ADDR), where the kernel always runs from or above`);
  if (at % KERNEL_ALIGN !== 0) problem(['kernelStart'], `${hex(at)} is not 2 MiB aligned (CONFIG_PHYSICAL_ALIGN); the kernel is placed on 2 MiB boundaries`);
  return at;
}

/** The user's reservations, or the defaults once the kernel image and initrd are known to fit. */
function earlyReserved(cfg: MachineConfig, board: Board, e820: readonly FirmwareE820Entry[], kernelStart: number): EarlyReservation[] {
  if (cfg.earlyReserved) {
    if (cfg.initrd !== undefined) problem(['initrd'], 'has no effect next to earlyReserved; list the initrd there');
    rejectOverlaps(placedIn(['earlyReserved'], cfg.earlyReserved));
    return cfg.earlyReserved.map((r) => ({ base: r.start, size: r.end - r.start, what: r.what ?? 'reserved' }));
  }
  const res = defaultEarlyReserved(e820, cfg.initrd ?? INITRD_SIZE, kernelStart);
  // The kernel image and the initrd after it must sit in RAM, in that order, without touching.
  let prevEnd = 0;
  for (const r of res.filter((x) => x.base + x.size > kernelStart)) {
    const where = memRange(r.base, r.base + r.size);
    if (r.base < prevEnd) problem(cfg.initrd !== undefined ? ['initrd'] : board.ramPath, `the ${r.what} ${where} would overlap the kernel image; RAM below 4G is too small`);
    const path = r.base === kernelStart && cfg.kernelStart !== undefined ? ['kernelStart'] : board.ramPath;
    if (!inUsableRam({ start: r.base, end: r.base + r.size }, e820)) problem(path, `the ${r.what} ${where} is not inside usable RAM`);
    prevEnd = r.base + r.size;
  }
  return res;
}

/** The EFI stub writes the e820 map of a UEFI boot, so boot-services memory comes with an `e820` machine. */
function efiBootServices(cfg: MachineConfig): EfiMemoryRange[] {
  if (!cfg.e820) problem(['efiBootServices'], 'needs an e820 machine: a UEFI boot hands the kernel the e820 map its EFI stub made; write it out');
  rejectOverlaps(placedIn(['efiBootServices'], cfg.efiBootServices!));
  return cfg.efiBootServices!.map((r) => ({ base: r.start, size: r.end - r.start }));
}

function assemble(cfg: MachineConfig, defaultName: string): MachineSpec {
  const board = boardFor(cfg);
  const pmem = placePmem(cfg, board);
  const e820 = [...board.e820, ...pmem.e820];
  if (board.layout === 'qemu') e820.sort((a, b) => a.addr - b.addr);
  const dimms = placeDimms(cfg, board, e820);

  const cmdline = [cfg.cmdline ?? DEFAULT_CMDLINE, cfg.append ?? '', ...pmem.cmdline].map((s) => s.trim()).filter((s) => s !== '').join(' ');
  if (cmdline.length >= COMMAND_LINE_SIZE) problem([cfg.append ? 'append' : 'cmdline'], `the command line is ${cmdline.length} characters; the kernel takes at most ${COMMAND_LINE_SIZE - 1}`);

  const map = new PxmMap();
  const srat = board.sratMemory && buildSrat(board.cpus, [...board.sratMemory, ...pmem.srat], map);
  if (cfg.distances) {
    const slit = slitOf(cfg.distances, srat !== undefined);
    if (srat) srat.slit = slit;
  }
  const nidOf = (pxm: number) => (srat ? map.nid(pxm) : 0);
  const kernelStart = kernelStartOf(cfg);
  const firmware: Firmware = { e820, srat, cmdline, nrCpus: board.nrCpus, earlyReserved: earlyReserved(cfg, board, e820, kernelStart) };
  // Left out unless given: firmware.ts reads their absence as Debian's nokaslr brk and qemu64.
  if (cfg.kernelStart !== undefined) firmware.brk = kernelBrkAt(kernelStart);
  if (cfg.efiBootServices) firmware.efiBootServices = efiBootServices(cfg);
  firmware.image = DEBIAN_IMAGE;
  // The initrd is the early reservation named so: the default one, or the machine file's.
  const initrd = firmware.earlyReserved.find((r) => r.what === 'initrd');
  if (initrd) firmware.initrd = { base: initrd.base, size: initrd.size };
  const cpu = cpuFeatures(cfg.cpuFlags);
  if (cpu) firmware.cpu = cpu;
  return {
    name: cfg.name ?? defaultName,
    description: cfg.description ?? '',
    firmware,
    dimms: dimms.map((d) => ({ ...d, nid: nidOf(d.pxm) })),
    pmem: pmem.ranges.map((p) => ({ ...p, nid: p.pxm === undefined ? undefined : nidOf(p.pxm) })),
    deviceMemory: board.deviceMemory && { ...board.deviceMemory, nid: nidOf(board.deviceMemory.pxm) },
  };
}
