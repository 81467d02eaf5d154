// SPDX-License-Identifier: GPL-2.0-only
// memory: and nodes: machines: lay RAM out the way QEMU 7.2 does, take SeaBIOS's e820 map of
// it and QEMU's SRAT. Explicit node ranges skip QEMU's split but get the same BIOS treatment.
import { type Board, DEFAULT_CPUS, MIN_RAM } from './board.js';
import { type Placed, rejectOverlaps } from './checks.js';
import { type FieldPath, problem } from './errors.js';
import { deviceMemoryAfter, qemuRamLayout } from './qemu.js';
import { type MachineConfig, MAX_CPUS } from './schema.js';
import { fixedWindows, lowRamTop, SEABIOS_HIGH_RESERVED, seabiosE820 } from './seabios.js';
import { mergeSpans, spansOverlap } from './spans.js';
import { qemuSratMemory, type SratRange, sratAroundLegacyHole } from './srat.js';
import { hex, memRange, sizeString, SZ_4G } from './units.js';

interface QemuNode {
  pxm: number;
  size: number;
  ranges: Placed[] | undefined;
  cpus: number | undefined;
}

/** The nodes of a memory: or nodes: machine; `numa` says whether QEMU builds an SRAT. */
function listNodes(cfg: MachineConfig): { nodes: QemuNode[]; numa: boolean } {
  if (cfg.memory !== undefined) {
    // Like QEMU's auto_enable_numa_with_memhp: memory hotplug alone gives the machine an SRAT.
    return { nodes: [{ pxm: 0, size: cfg.memory, ranges: undefined, cpus: undefined }], numa: cfg.maxmem !== undefined };
  }
  const byPxm = new Map<number, number>();
  const nodes = cfg.nodes!.map((n, i): QemuNode => {
    const pxm = n.id ?? i;
    const other = byPxm.get(pxm);
    if (other !== undefined) {
      if (n.id !== undefined) problem(['nodes', i, 'id'], `node ${pxm} is already nodes[${other}]`);
      problem(['nodes', i], `node ${pxm} (its list position) is already nodes[${other}]; give every node an id`);
    }
    byPxm.set(pxm, i);
    const mem = n.memory;
    const ranges = Array.isArray(mem) ? mem.map((r, j) => ({ ...r, path: ['nodes', i, 'memory', j] })) : undefined;
    const size = Array.isArray(mem) ? mem.reduce((t, r) => t + r.end - r.start, 0) : (mem ?? 0);
    return { pxm, size, ranges, cpus: n.cpus };
  });
  const sized = cfg.nodes!.findIndex((n) => typeof n.memory === 'number');
  const ranged = cfg.nodes!.findIndex((n) => Array.isArray(n.memory));
  if (sized >= 0 && ranged >= 0) {
    problem(['nodes', Math.max(sized, ranged), 'memory'],
      `mixes a size with the ranges of nodes[${Math.min(sized, ranged)}]; give every node a size or every node ranges`);
  }
  return { nodes, numa: true };
}

function hotplugOf(cfg: MachineConfig, ram: number) {
  if (cfg.maxmem === undefined && cfg.slots === undefined) return undefined;
  if (cfg.slots === undefined) problem(['maxmem'], 'needs slots as well (QEMU: -m SIZE,slots=N,maxmem=MAX)');
  if (cfg.maxmem === undefined) problem(['slots'], 'needs maxmem as well (QEMU: -m SIZE,slots=N,maxmem=MAX)');
  if (cfg.maxmem <= ram) problem(['maxmem'], `${sizeString(cfg.maxmem)} must be above the ${sizeString(ram)} of RAM`);
  return { maxmem: cfg.maxmem, slots: cfg.slots };
}

/** SRAT cpu entries: per-node counts in node order, else `cpus` dealt round-robin (QEMU: socket % nodes). */
function listCpus(cfg: MachineConfig, nodes: readonly QemuNode[]): { apic: number; pxm: number }[] {
  const perNode = nodes.map((n) => n.cpus);
  let pxms: number[];
  if (perNode.every((c) => c === undefined)) {
    pxms = Array.from({ length: cfg.cpus ?? DEFAULT_CPUS }, (_, i) => nodes[i % nodes.length]!.pxm);
  } else {
    pxms = nodes.flatMap((n) => Array<number>(n.cpus ?? 0).fill(n.pxm));
    if (pxms.length === 0) problem(['nodes'], 'no node has cpus; give at least one node cpus');
    if (pxms.length > MAX_CPUS) problem(['nodes'], `the nodes have ${pxms.length} cpus; the kernel takes at most ${MAX_CPUS}`);
    if (cfg.cpus !== undefined && cfg.cpus !== pxms.length) {
      problem(['cpus'], `${cfg.cpus} does not match the ${pxms.length} cpus the nodes have`);
    }
  }
  return pxms.map((pxm, apic) => ({ apic, pxm }));
}

export function qemuBoard(cfg: MachineConfig): Board {
  if (cfg.srat !== undefined) problem(['srat'], 'only goes with e820; memory and nodes machines get the SRAT QEMU builds');
  const machine = cfg.machine ?? 'pc';
  const amd = (cfg.cpuVendor ?? 'amd') === 'amd';
  const ramPath: FieldPath = [cfg.memory !== undefined ? 'memory' : 'nodes'];
  const { nodes, numa } = listNodes(cfg);
  const ram = nodes.reduce((t, n) => t + n.size, 0);
  if (ram < MIN_RAM) problem(ramPath, `${sizeString(ram)} of RAM is too little to boot; give at least ${sizeString(MIN_RAM)}`);
  const hotplug = hotplugOf(cfg, ram);
  if (cfg.maxRamBelow4G !== undefined && cfg.maxRamBelow4G > SZ_4G) {
    problem(['maxRamBelow4G'], `expected at most 4G (QEMU's limit), got ${sizeString(cfg.maxRamBelow4G)}`);
  }

  let blocks: Placed[];
  let sratMemory: SratRange[];
  let deviceMemory: { start: number; size: number } | undefined;
  const explicit = nodes.some((n) => n.ranges);
  if (explicit) {
    if (cfg.maxRamBelow4G !== undefined) problem(['maxRamBelow4G'], 'only applies when nodes give sizes; explicit ranges place RAM themselves');
    blocks = nodes.flatMap((n) => n.ranges ?? []);
    rejectOverlaps(blocks);
    if (!blocks.some((b) => b.start === 0)) problem(['nodes'], 'no memory range starts at 0; the BIOS needs RAM from 0 to 640K');
    sratMemory = nodes.flatMap((n) => (n.ranges ?? []).flatMap((r) => sratAroundLegacyHole(n.pxm, r)));
    deviceMemory = hotplug && deviceMemoryAfter(Math.max(SZ_4G, ...blocks.map((b) => b.end)), ram, hotplug);
  } else {
    const split = qemuRamLayout({ machine, ram, maxRamBelow4G: cfg.maxRamBelow4G, amd, hotplug });
    const path: FieldPath = cfg.maxRamBelow4G !== undefined ? ['maxRamBelow4G'] : ramPath;
    blocks = [{ start: 0, end: split.below4g, path }];
    if (split.above4g > 0) blocks.push({ start: split.aboveStart, end: split.aboveStart + split.above4g, path });
    sratMemory = qemuSratMemory(nodes, split.below4g, split.aboveStart);
    deviceMemory = split.deviceMemory;
  }
  const fixed = fixedWindows(machine, cfg.accel === 'kvm', amd);
  for (const b of blocks) {
    const w = fixed.find((f) => spansOverlap(f, b));
    if (w) problem(b.path, `RAM ${memRange(b.start, b.end)} overlaps ${w.what} ${memRange(w.start, w.end)}`);
  }
  const ramSpans = mergeSpans(blocks);
  const highReserved = cfg.biosReserved ?? SEABIOS_HIGH_RESERVED;
  const top = lowRamTop(ramSpans);
  const topBlock = ramSpans.find((s) => s.end === top)!;
  if (top - highReserved < Math.max(topBlock.start, 0x100000)) {
    problem(cfg.biosReserved !== undefined ? ['biosReserved'] : ramPath,
      `SeaBIOS's ${hex(highReserved)} bytes do not fit in the RAM block ${memRange(topBlock.start, top)} below 4G`);
  }

  const lastPxm = Math.max(...nodes.map((n) => n.pxm));
  if (numa && deviceMemory) {
    // build_srat(): the hotplug range goes to the highest node ("Windows works better").
    sratMemory.push({ pxm: lastPxm, start: deviceMemory.start, end: deviceMemory.start + deviceMemory.size, hotplug: true, nonVolatile: false });
  }
  const cpus = listCpus(cfg, nodes);
  return {
    e820: seabiosE820(ramSpans, fixed, highReserved),
    layout: 'qemu',
    sratMemory: numa ? sratMemory : undefined,
    cpus: numa ? cpus : [],
    nrCpus: cpus.length,
    pxms: new Set(numa ? nodes.map((n) => n.pxm) : []),
    deviceMemory: deviceMemory && { ...deviceMemory, pxm: lastPxm },
    freeAbove: Math.max(...ramSpans.map((s) => s.end), deviceMemory ? deviceMemory.start + deviceMemory.size : 0),
    ramPath,
  };
}
