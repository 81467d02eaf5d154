// Replay of a real boot log: rebuild the machine the log describes, apply every memblock event
// in order (replay-memblock.ts), and predict the e820, NUMA and zone lines at the points where
// the kernel printed them, comparing each with the kernel's own line.
import { SETUP_DATA_HEADER, SetupDataType, type SetupData } from '../arch/x86/e820-boot.js';
import { E820Type } from '../arch/x86/e820-types.js';
import type { Firmware, SratCpu, SratMemory } from '../arch/x86/firmware.js';
import { buildAllZonelists, initmemInit, pagingInit, pushDump, setupArchE820 } from '../arch/x86/setup.js';
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import { MAX_PHYS_ADDR, PAGE_SIZE } from '../include/pfn.js';
import { machineNew, type Machine } from '../kernel/machine.js';
import { parseKernelParams } from '../kernel/params.js';
import type { PrintkLine } from '../kernel/printk.js';
import * as MB from '../mm/memblock.js';
import { Checker, type Mismatch } from './check.js';
import type { BootLog, LogLine } from './dmesg.js';
import type { LineFormat } from './format.js';
import * as E from './formats/e820.js';
import * as M from './formats/memblock.js';
import * as N from './formats/numa.js';
import * as S from './formats/setup.js';
import * as Z from './formats/zone.js';
import { checkIomemCapture, checkMeminfoCapture, checkNodeDistanceCapture, checkRamBufferLines, checkZoneinfoCapture } from './replay-captures.js';
import { predictManaged, predictMemInitInfo, predictWatermarks, type ZoneCounts } from './replay-managed.js';
import { memInitInfo } from './formats/free.js';
import { kpageflagsRun, type KpageflagsRun } from './formats/kpageflags.js';
import { checkKpageflagsCapture, predictKpageflags } from './replay-kpageflags.js';
import { lateFrees, lateSpans, type Span } from './replay-late-frees.js';
import { ReplayError, type ReplayContext } from './replay-context.js';
import { MemblockReplay, type AllocationRecord } from './replay-memblock.js';
import { slitFromLog } from './replay-slit.js';
import { checkMemoryBlocksCapture, hotAddedRanges, hotplugReplayMachine, planBootMemoryBlocks, replayActions, type HotplugReplay } from './replay-hotplug.js';
import { MEMORY_DIR } from '../fs/sysfs.js';

export { ReplayError, type AllocationRecord };

export interface ReplayResult {
  file: string;
  kernelVersion: string | undefined;
  machine: Machine;
  /** The memory-setup lines meminit predicts, in kernel order. */
  predicted: PrintkLine[];
  allocations: AllocationRecord[];
  mismatches: Mismatch[];
  matchedLines: number;
  /** Managed pages per "nid:zone" at the end of boot, when the log says enough to predict them. */
  managed: ZoneCounts | undefined;
  /** /proc/kpageflags runs (reserved, nopage, or none) up to the section-aligned max_pfn. */
  kpageflags: KpageflagsRun[] | undefined;
  /** What could not be predicted or checked, said rather than guessed. */
  notes: string[];
}

/** Lines of numa_emulation(): it runs inside NUMA init, after the init method's lines. */
const EMULATION: readonly LineFormat<unknown>[] = [
  N.emuNode, N.emuTooLarge, N.emuNotEnough, N.emuTooManyMemblks, N.emuSizeTooSmall, N.emuUniformShort, N.emuMeminfoInvalid, N.emuNoDistCopy,
] as LineFormat<unknown>[];

/** Lines whose text meminit predicts and --check compares. */
const CHECKED: readonly LineFormat<unknown>[] = [
  E.fmtE820Update, E.fmtE820Remove, E.fmtE820LastPfn, E.fmtIgnoreLoglevel,
  N.numaMerge, N.nodeDataAllocated, N.nodeDataOnNode, N.numaDummy, N.numaFakeNode, N.numaNotCovered, N.numaOverlap,
  ...EMULATION, N.distanceTable, N.distanceAllocFailed, N.distanceOutOfBound, N.distanceInvalid, N.slitInvalid,
  Z.zoneRangesHeader, Z.zoneRange, Z.movableStartHeader, Z.movableStart, Z.earlyRangesHeader, Z.earlyRange,
  Z.initializingMemoryless, Z.initmemSetup, Z.unavailableRanges, Z.builtZonelists, Z.policyZone, M.memblockDoubledLine,
] as LineFormat<unknown>[];
const E820_CHECKED = new Set<LineFormat<unknown>>([E.fmtE820Update, E.fmtE820Remove, E.fmtE820LastPfn, E.fmtIgnoreLoglevel] as LineFormat<unknown>[]);

/** LOG_LINE_MAX of 6.1's printk: CONSOLE_LOG_MAX (1024) less PREFIX_MAX (32). */
const LOG_LINE_MAX = 992;

/** Lines of formats the replay reads: when one cannot be read, the replay says so. */
const LOOKS_LIKE = /^(BIOS-e820:|memblock_[a-z_]+:|ACPI: SRAT: |NODE_DATA\(|NUMA: Node|Zone ranges|  node +\d+:|Initmem setup|On node \d+, zone|Built \d+ zonelists|e820: (update|remove))/;
const READ_ELSEWHERE: readonly LineFormat<unknown>[] = [E.fmtE820Entry, E.fmtE820MapHeader, N.sratMemory, N.sratCpu, M.memblockFreeLateLine] as LineFormat<unknown>[];

/** Predicted lines that only echo the log's own input, or that are compared as a block (dumps). */
const ECHOES = new Set([E.fmtE820MapHeader.name, E.fmtE820Entry.name, E.fmtCommandLine.name, 'memblock.dump']);

/** Lines after which NUMA init has run in the kernel. */
const NUMA_DONE: readonly LineFormat<unknown>[] = [
  N.numaMerge, N.numaDummy, N.numaFakeNode, N.nodeDataAllocated, N.numaNotCovered, N.numaOverlap, N.slitInvalid, ...EMULATION, Z.zoneRangesHeader,
] as LineFormat<unknown>[];

class Replay implements ReplayContext {
  readonly check = new Checker();
  readonly notes: string[] = [];
  readonly m: Machine;
  readonly file: string;
  readonly memblock: MemblockReplay;
  kernelVersion: string | undefined;
  e820Done = false;
  private bios: Firmware['e820'] = [];
  private srat: { memory: SratMemory[]; cpus: SratCpu[] } = { memory: [], cpus: [] };
  private numaDone = false;
  /** Size of the SLIT the log reserved, if any. */
  private slitBytes = 0;
  /** The SLIT's distances were assumed, not read from the node capture. */
  private slitGuessed = false;
  private zonesDone = false;
  private zonelistsDone = false;
  /** Built/Policy lines of zonelist rebuilds after boot (memory onlined by the ACPI driver). */
  private readonly runtimeZonelists: LogLine[] = [];
  private emitted = 0;
  /** Each zone's managed pages at the end of boot, when the log says enough to predict them. */
  managed: ZoneCounts | undefined;
  /** /proc/kpageflags reserved/nopage runs at the end of boot, when predictable. */
  kpageflags: KpageflagsRun[] | undefined;

  constructor(private readonly log: BootLog, private readonly opts: ReplayOptions = {}) {
    this.file = log.file;
    this.m = machineNew(log.file, { e820: [], srat: undefined, cmdline: '', nrCpus: 0, earlyReserved: [] });
    this.memblock = new MemblockReplay(this, log.kernel.some((l) => M.memblockDumpHeaderLine.parse(l.text) !== undefined));
  }

  flushPredictions(): void {
    const lines = this.m.printk.lines.slice(this.emitted);
    this.emitted = this.m.printk.lines.length;
    this.check.expect(lines.filter((l) => !ECHOES.has(l.format)));
  }

  run(progress?: (done: number, total: number) => void): void {
    const lines = this.log.kernel;
    for (let i = 0; i < lines.length; i++) {
      i = this.line(lines, i);
      progress?.(i + 1, lines.length);
    }
    this.finish();
  }

  /** Handle lines[i]; returns the index of the last line consumed. */
  private line(lines: LogLine[], i: number): number {
    const { no, text } = lines[i]!;
    this.memblock.beforeLine(text);
    if (this.input(no, text)) return i;
    if (this.bios.length && !this.e820Done) this.runE820();
    if (M.memblockDumpHeaderLine.parse(text)) return this.memblock.dump(lines, i);
    if (this.memblock.event(no, text)) {
      this.flushPredictions(); // a doubling of a memblock array the event caused
      return i;
    }
    if (this.numaInput(text) || this.memblock.setupReservation(text)) return i;
    if (!this.numaDone && NUMA_DONE.some((f) => f.parse(text) !== undefined)) this.ensureNuma();
    if (Z.zoneRangesHeader.parse(text) && !this.zonesDone) this.runZones();
    if (Z.builtZonelists.parse(text) && !this.zonelistsDone) this.runZonelists();
    if (this.zonelistsDone && (Z.builtZonelists.parse(text) || Z.policyZone.parse(text)) !== undefined && !this.check.pending(Z.builtZonelists.name) && !this.check.pending(Z.policyZone.name)) {
      this.runtimeZonelists.push({ no, text });
      return i;
    }
    if (!this.compare(no, text) && LOOKS_LIKE.test(text) && !READ_ELSEWHERE.some((f) => f.parse(text) !== undefined)) {
      this.notes.push(`${this.file}:${no}: not readable as Linux 6.1 prints this line, ignored: ${text.slice(0, 120)}`);
    }
    return i;
  }

  /** The boot's inputs: kernel version, command line, the BIOS map. */
  private input(no: number, text: string): boolean {
    if (text.startsWith('Linux version ')) {
      this.kernelVersion = text.slice(14).split(' ')[0];
      if (!/^6\.1\./.test(this.kernelVersion ?? '')) this.notes.push(`${this.file}:${no}: kernel ${this.kernelVersion} is not 6.1: predictions follow 6.1 and are best effort`);
      return true;
    }
    const cmd = E.fmtCommandLine.parse(text);
    if (cmd !== undefined && !this.e820Done && !this.m.firmware.cmdline) {
      this.m.firmware.cmdline = this.fullCommandLine(no, cmd);
      this.m.params = parseKernelParams(this.m.firmware.cmdline);
      return true;
    }
    if (this.e820Done) return false;
    const ent = E.fmtE820Entry.parse(text);
    if (ent && ent.who === 'BIOS-e820') {
      if (ent.addr + ent.size > MAX_PHYS_ADDR) this.notes.push(`${this.file}:${no}: e820 entry reaches beyond 2^52, past any x86_64 physical address: ignored`);
      else this.bios.push({ addr: ent.addr, size: ent.size, type: ent.type });
      return true;
    }
    return E.fmtE820MapHeader.parse(text) === 'BIOS-provided';
  }

  /**
   * printk keeps at most LOG_LINE_MAX (992) bytes of a message, so a long "Command line:" is cut.
   * The corpus capture of /proc/cmdline has it whole; without one, the cut last word is dropped.
   */
  private fullCommandLine(no: number, cmd: string): string {
    if (`Command line: ${cmd}`.length < LOG_LINE_MAX - 16) return cmd;
    const cap = this.log.captures.get('/proc/cmdline')?.lines.join(' ').trim();
    if (cap && cap.startsWith(cmd)) {
      this.notes.push(`${this.file}:${no}: the "Command line:" line is cut at ${LOG_LINE_MAX} bytes by printk; the full command line is taken from the /proc/cmdline capture`);
      return cap;
    }
    this.notes.push(`${this.file}:${no}: the "Command line:" line is cut at ${LOG_LINE_MAX} bytes by printk; parameters past the cut are unknown and its last, cut word is ignored`);
    return cmd.slice(0, Math.max(cmd.lastIndexOf(' '), 0));
  }

  /** Compare a line of a predicted format with the prediction; false when it is of no such format. */
  private compare(no: number, text: string): boolean {
    for (const f of CHECKED) {
      if (f.parse(text) === undefined) continue;
      if (!E820_CHECKED.has(f) || this.e820Done) this.check.see(no, f.name, text);
      return true;
    }
    return false;
  }

  private runE820(): void {
    this.e820Done = true;
    this.m.firmware.e820 = this.bios;
    this.cpuFromLog();
    setupArchE820(this.m, this.setupDataFromLog());
    this.flushPredictions();
  }

  /**
   * 6.1 prints no line saying it runs 5-level paging; MAX_ARCH_PFN in "last_pfn = … max_arch_pfn = …"
   * (2^34 with 4 levels, 2^40 with 5) is the one trace of it in the log.
   */
  private cpuFromLog(): void {
    const lp = this.log.kernel.map((l) => E.fmtE820LastPfn.parse(l.text)).find((v) => v !== undefined);
    if (!lp || lp.maxArchPfn !== 2 ** 40) return;
    this.m.firmware.cpu = { ...this.m.firmware.cpu, la57: true };
    this.notes.push(`${this.file}: 5-level paging, as max_arch_pfn = 0x${lp.maxArchPfn.toString(16)} shows`);
  }

  /**
   * Boot-loader setup_data nodes cannot be predicted, but e820__reserve_setup_data() names each
   * one in an "e820: update [mem …] usable ==> usable" line (twice when kexec keeps it too).
   */
  private setupDataFromLog(): SetupData[] {
    const out: SetupData[] = [];
    let prev: string | undefined;
    for (const l of this.log.kernel) {
      if (M.memblockDumpHeaderLine.parse(l.text)) break;
      const u = E.fmtE820Update.parse(l.text);
      if (!u || u.oldType !== E820Type.RAM || u.newType !== E820Type.RAM) continue;
      if (l.text === prev) {
        out[out.length - 1]!.type = 0; // a kexec copy too: not EFI, IMA or RNG seed data
        prev = undefined;
        continue;
      }
      out.push({ addr: u.start, type: SetupDataType.RNG_SEED, len: u.end - u.start - SETUP_DATA_HEADER });
      prev = l.text;
    }
    if (out.length) this.notes.push(`${this.file}: ${out.length} boot-loader setup_data ranges taken from the log's e820 update lines`);
    return out;
  }

  private numaInput(text: string): boolean {
    const table = S.acpiTableReserve.parse(text);
    if (table?.sig === 'SLIT') this.slitBytes = table.end - table.start; // also a reservation: not consumed
    const mem = N.sratMemory.parse(text);
    if (mem) this.srat.memory.push(mem);
    const cpu = mem ? undefined : N.sratCpu.parse(text);
    if (cpu) this.srat.cpus.push({ apic: cpu.apic, pxm: cpu.pxm, nid: cpu.nid });
    return !!(mem ?? cpu);
  }

  ensureNuma(): void {
    if (this.numaDone) return;
    this.numaDone = true;
    const mbr = this.memblock;
    mbr.settle();
    mbr.raiseLimit();
    const mb = mbr.mb;
    this.m.firmware.srat = this.srat.memory.length ? this.srat : this.earlyRangesAsSrat();
    const srat = this.m.firmware.srat;
    if (srat && this.slitBytes) {
      const slit = slitFromLog(this.log, this.slitBytes, srat, this.m.params.numa.fake !== undefined);
      if (slit) srat.slit = slit.slit;
      if (slit?.guessed) {
        this.slitGuessed = true;
        this.notes.push(`${this.file}: the SLIT's distances are not in the log (only its size): 10 local, 20 remote assumed, and the node distances are not checked`);
      }
      if (!slit) this.notes.push(`${this.file}: a SLIT of ${this.slitBytes} bytes is no cnt × cnt table: ignored`);
    }
    if (!mb.memory.regions.some((r) => r.size > 0)) throw new ReplayError(`${this.file}: the log adds no memory (no BIOS-e820 map, MEMBLOCK dump or memblock_add lines): nothing to size`);
    if (!this.e820Done) this.m.maxPfn = Math.ceil(MB.memblockEndOfDram(mb) / PAGE_SIZE);
    mbr.runModelPhase(() => initmemInit(this.m, (nid, size) => {
      const addr = MB.memblockPhysAllocTryNid(mb, size, SMP_CACHE_BYTES, nid);
      mbr.untraced.push({ addr, size, nid });
      return addr;
    }));
    if (this.m.params.memblockDebug || mbr.dumps > 0) pushDump(this.m);
    this.flushPredictions();
  }

  /**
   * No SRAT lines: the log's "Early memory node ranges" give the node layout, when it has several
   * nodes — unless numa=fake made them (the model then fakes them the same way).
   */
  private earlyRangesAsSrat(): Firmware['srat'] {
    if (this.m.params.numa.fake !== undefined) return undefined;
    const ranges = this.log.kernel.map((l) => Z.earlyRange.parse(l.text)).filter((r): r is Z.EarlyRangeLine => !!r);
    if (new Set(ranges.map((r) => r.nid)).size < 2) return undefined;
    this.notes.push(`${this.file}: no SRAT lines: the node layout is taken from "Early memory node ranges"`);
    return {
      memory: ranges.map((r) => ({ nid: r.nid, pxm: r.nid, start: r.start, end: r.end, hotplug: false, nonVolatile: false })),
      cpus: [...new Set(ranges.map((r) => r.nid))].map((nid) => ({ apic: nid, pxm: nid, nid })),
    };
  }

  private runZones(): void {
    this.zonesDone = true;
    this.memblock.settle();
    this.ensureNuma();
    pagingInit(this.m, false);
    this.flushPredictions();
  }

  private runZonelists(): void {
    this.zonelistsDone = true;
    if (!this.zonesDone) this.runZones();
    buildAllZonelists(this.m);
    this.flushPredictions();
  }

  private finish(): void {
    this.memblock.settle();
    if (!this.m.memblock && !this.e820Done) throw new ReplayError(`${this.file}: no BIOS-e820, MEMBLOCK or memblock lines: nothing to replay (is this a kernel boot log?)`);
    if (!this.zonelistsDone) {
      const before = this.m.printk.lines.length;
      this.runZonelists();
      const extra = this.m.printk.lines.length - before;
      if (extra) this.notes.push(`${this.file}: the log ends before zone sizing: ${extra} predicted lines could not be checked`);
    }
    this.checkMemInitInfo();
    const late = lateFrees(this.m, this.log, this.notes);
    const spans = late && lateSpans(late);
    this.checkKpageflags(spans);
    this.managed = predictManaged(this.m, spans);
    const watermarks = predictWatermarks(this.m, late);
    const hr = !this.opts.bootOnly && this.needsHotplugMachine()
      ? hotplugReplayMachine(this, this.log, this.managed, this.opts.hotplugReserved, watermarks)
      : undefined;
    if (!hr && watermarks) this.m.watermarks = watermarks.state;
    // Without actions, the boot's memory blocks (and the DIMMs hot-added at boot) need no struct pages.
    const planned = !hr && !this.opts.bootOnly && this.log.captures.has(MEMORY_DIR) && !!this.m.zones && !!this.m.memblock && planBootMemoryBlocks(this.m, this.log);
    checkZoneinfoCapture(this, this.log, hr ? hr.managed() : this.managed);
    checkIomemCapture(this, this.log);
    checkRamBufferLines(this, this.log);
    checkMeminfoCapture(this, this.log, hr ? hr.managed() : this.managed);
    if (!this.slitGuessed) checkNodeDistanceCapture(this, this.log);
    if (!this.opts.bootOnly) this.checkMemoryBlocks(hr, planned);
    const hasZones = this.log.kernel.some((l) => Z.zoneRangesHeader.parse(l.text));
    for (const m of this.check.leftovers()) {
      if (!hasZones && (m.format.startsWith('zone.') || m.format.startsWith('numa.'))) continue;
      this.check.add(m);
    }
    if (!this.memblock.hasDump) this.demoteEstimates();
  }

  /** /proc/kpageflags at the end of boot: reserved and nopage pfn for pfn, against the capture when there is one. */
  private checkKpageflags(late: Span[] | undefined): void {
    this.kpageflags = predictKpageflags(this.m, late);
    const cap = this.log.captures.get('kpageflags');
    if (!this.kpageflags || !cap) return;
    const runs = cap.lines.map((l) => kpageflagsRun.parse(l)).filter((r): r is KpageflagsRun => !!r);
    const capEnd = runs.length ? runs[runs.length - 1]!.end : 0;
    const myEnd = this.kpageflags.length ? this.kpageflags[this.kpageflags.length - 1]!.end : 0;
    if (capEnd > myEnd) this.notes.push(`${this.file}:${cap.no}: kpageflags beyond pfn 0x${myEnd.toString(16)} (memory added after boot) are not predicted`);
    const hex = (sp: [number, number][]): string => sp.slice(0, 4).map(([a, b]) => `0x${a.toString(16)}-0x${(b - 1).toString(16)}`).join(' ') + (sp.length > 4 ? ` … (${sp.length} runs)` : '');
    for (const d of checkKpageflagsCapture(this.kpageflags, runs)) {
      if (!d.predictedOnly.length && !d.kernelOnly.length) {
        this.check.matched++;
        continue;
      }
      this.check.add({ line: cap.no, format: 'kpageflags', what: 'differs', kernel: `${d.flag} also at ${hex(d.kernelOnly) || '-'}`, predicted: `${d.flag} also at ${hex(d.predictedOnly) || '-'}` });
    }
  }

  /**
   * Memory hotplug that needs the struct pages: the log's actions, a --script, or DIMMs onlined
   * at boot (memhp_default_state=): the machine gets them before the end-of-boot captures are read.
   */
  private needsHotplugMachine(): boolean {
    if (!this.log.captures.has(MEMORY_DIR) || !this.m.zones || !this.m.memblock) return !!this.opts.script && !!this.m.zones;
    if (this.log.actions.length || this.opts.script) return true;
    const st = this.m.params.memhpDefaultState;
    const iomem = this.log.captures.get('/proc/iomem')?.lines;
    return !!st && st !== 'offline' && !!iomem && hotAddedRanges(this.m, iomem).length > 0;
  }

  /** The memory blocks at the end of boot (DIMMs hot-added by ACPI included) against the sysfs capture, then the actions. */
  private checkMemoryBlocks(hr: HotplugReplay | undefined, planned: boolean): void {
    const cap = this.log.captures.get(MEMORY_DIR);
    if (!cap || !this.m.zones || !this.m.memblock) return;
    if (hr) {
      checkMemoryBlocksCapture(this, this.log, MEMORY_DIR);
      this.checkRuntimeZonelists();
      replayActions(this, this.log, hr);
      return;
    }
    if (planned) checkMemoryBlocksCapture(this, this.log, MEMORY_DIR);
  }

  /**
   * build_all_zonelists() runs again when onlining populates an empty zone: the boot log shows
   * those rebuilds when DIMMs are onlined at boot. Each line must be the model's: node count,
   * grouping, and "Total pages", the managed pages above the high watermarks of then.
   */
  private checkRuntimeZonelists(): void {
    const want = this.m.hotplug?.zonelistLines ?? [];
    const got = this.runtimeZonelists.filter((l) => Z.builtZonelists.parse(l.text));
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      if (got[i]?.text === want[i]) this.check.matched++;
      else this.check.add({ what: 'differs', format: Z.builtZonelists.name, line: got[i]?.no ?? this.runtimeZonelists[0]?.no, kernel: got[i]?.text ?? `(no rebuild ${i + 1} after boot)`, predicted: want[i] ?? `(no rebuild ${i + 1})` });
    }
  }

  /** The "Memory: …K/…K available" line, its kernel-image sizes taken from the log itself. */
  private checkMemInitInfo(): void {
    const at = this.log.kernel.find((l) => memInitInfo.parse(l.text) !== undefined);
    if (!at || !this.m.zones) return;
    const kaslr = !this.m.params.nokaslr;
    const want = memInitInfo.emit(predictMemInitInfo(this.m, memInitInfo.parse(at.text)!, kaslr));
    this.m.printk.lines.push({ format: memInitInfo.name, text: want });
    if (want === at.text) this.check.matched++;
    else this.check.add({ line: at.no, format: memInitInfo.name, kernel: at.text, predicted: want, what: 'differs' });
  }

  /** Without a dump, lines that depend on where reservations are were estimated: say so, do not fail. */
  private demoteEstimates(): void {
    const est = new Set([N.nodeDataAllocated.name, N.nodeDataOnNode.name, 'memblock.alloc', 'memblock.dump', memInitInfo.name]);
    const keep = this.check.mismatches.filter((m) => !est.has(m.format));
    const n = this.check.mismatches.length - keep.length;
    if (n) this.notes.push(`${this.file}: ${n} estimated lines (NODE_DATA placement, allocations, the Memory: line) differ from the kernel's; boot with memblock=debug for exact replay`);
    this.check.mismatches.splice(0, this.check.mismatches.length, ...keep);
  }
}

export interface ReplayOptions {
  /** Make the machine ready for a hotplug script (struct pages, memory hotplug, boot DIMMs) even without actions in the log. */
  script?: boolean;
  /** Stop at the end of boot: no memory blocks, no hotplug actions (the machine as memblock_free_all() finds it). */
  bootOnly?: boolean;
  hotplugReserved?: 'keep' | 'drop';
  /** Called after each log line (the CLI's progress bar). */
  progress?: (done: number, total: number) => void;
}

export function replayBootLog(log: BootLog, opts: ReplayOptions = {}): ReplayResult {
  const r = new Replay(log, opts);
  r.run(opts.progress);
  return {
    file: log.file, kernelVersion: r.kernelVersion, machine: r.m, predicted: r.m.printk.lines,
    allocations: r.memblock.allocations, mismatches: r.check.mismatches, matchedLines: r.check.matched, notes: r.notes,
    managed: r.managed,
    kpageflags: r.kpageflags,
  };
}
