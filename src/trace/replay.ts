// Replay of a real boot log: rebuild the machine the log describes, apply every memblock event
// in order, compute every memblock allocation and check it against the kernel's reservation,
// and predict the e820, NUMA and zone lines at the points where the kernel printed them.
import type { Firmware, SratCpu, SratMemory } from '../arch/x86/firmware.js';
import { buildAllZonelists, initMemMappingDone, initmemInit, memblockNew, pagingInit, pushDump, setupArchE820 } from '../arch/x86/setup.js';
import { e820MemblockSetup } from '../arch/x86/e820-memblock.js';
import { E820Type, ISA_END_ADDRESS } from '../arch/x86/e820-types.js';
import { SETUP_DATA_HEADER, SetupDataType, type SetupData } from '../arch/x86/e820-boot.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../include/mmzone.js';
import { PAGE_SIZE } from '../include/pfn.js';
import { SMP_CACHE_BYTES } from '../include/memblock.js';
import { machineNew, type Machine } from '../kernel/machine.js';
import { parseKernelParams } from '../kernel/params.js';
import { MAX_PHYS_ADDR } from '../include/pfn.js';
import type { PrintkLine } from '../kernel/printk.js';
import * as MB from '../mm/memblock.js';
import { Checker, type Mismatch } from './check.js';
import type { BootLog, LogLine } from './dmesg.js';
import * as E from './formats/e820.js';
import * as M from './formats/memblock.js';
import * as N from './formats/numa.js';
import * as S from './formats/setup.js';
import * as Z from './formats/zone.js';
import { parseZoneinfo } from './formats/zoneinfo.js';
import type { LineFormat } from './format.js';

export interface AllocationRecord {
  line: number;
  api: string;
  size: number;
  align: number;
  nid: number;
  from: number;
  maxAddr: number;
  caller: string;
  /** Where meminit's memblock put it (0: it found no room). */
  predicted: number;
  /** Where the kernel put it, from the memblock_reserve line that followed; undefined if none. */
  kernel: number | undefined;
}

export interface ReplayResult {
  file: string;
  kernelVersion: string | undefined;
  machine: Machine;
  /** The memory-setup lines meminit predicts, in kernel order. */
  predicted: PrintkLine[];
  allocations: AllocationRecord[];
  mismatches: Mismatch[];
  matchedLines: number;
  /** What could not be predicted or checked, said rather than guessed. */
  notes: string[];
}

/** Lines whose text meminit predicts and --check compares. */
const CHECKED: readonly LineFormat<unknown>[] = [
  E.fmtE820Update, E.fmtE820Remove, E.fmtE820LastPfn, E.fmtIgnoreLoglevel,
  N.numaMerge, N.nodeDataAllocated, N.nodeDataOnNode, N.numaDummy, N.numaFakeNode, N.numaNotCovered, N.numaOverlap,
  Z.zoneRangesHeader, Z.zoneRange, Z.movableStartHeader, Z.movableStart, Z.earlyRangesHeader, Z.earlyRange,
  Z.initializingMemoryless, Z.initmemSetup, Z.unavailableRanges, Z.builtZonelists, Z.policyZone, M.memblockDoubledLine,
] as LineFormat<unknown>[];

/** Lines that belong to formats the replay reads: when one cannot be read, the replay says so. */
const LOOKS_LIKE = /^(BIOS-e820:|memblock_[a-z_]+:|ACPI: SRAT: |NODE_DATA\(|NUMA: Node|Zone ranges|  node +\d+:|Initmem setup|On node \d+, zone|Built \d+ zonelists|e820: (update|remove))/;

/** Predicted lines that only echo the log's own input, or that are compared as a block (dumps). */
const ECHOES = new Set([E.fmtE820MapHeader.name, E.fmtE820Entry.name, E.fmtCommandLine.name, 'memblock.dump']);

const ALLOC_LINES = [
  { fmt: M.memblockPhysAllocRangeLine, api: 'memblock_phys_alloc_range' },
  { fmt: M.memblockAllocTryNidLine, api: 'memblock_alloc_try_nid' },
  { fmt: M.memblockAllocTryNidRawLine, api: 'memblock_alloc_try_nid_raw' },
  { fmt: M.memblockAllocExactNidRawLine, api: 'memblock_alloc_exact_nid_raw' },
] as const;

/** Allocation sites that run before init_mem_mapping() raises the limit above 1 MiB. */
const EARLY_CALLERS = /^(reserve_real_mode|init_mem_mapping|alloc_low_pages|memory_map_(top_down|bottom_up)|e820__memblock_alloc_reserved_mpc_new)\b/;
const RANGE_NID_CALLER = /^memblock_alloc_range_nid\b/;

class Replay {
  readonly check = new Checker();
  readonly notes: string[] = [];
  readonly allocations: AllocationRecord[] = [];
  readonly m: Machine;
  kernelVersion: string | undefined;
  private bios: Firmware['e820'] = [];
  private srat: { memory: SratMemory[]; cpus: SratCpu[] } = { memory: [], cpus: [] };
  private e820Done = false;
  private dumps = 0;
  private limitRaised = false;
  private numaDone = false;
  private zonesDone = false;
  private zonelistsDone = false;
  private pending: AllocationRecord | undefined;
  /** NODE_DATA allocations NUMA init made, waiting for the log's untraced reservation lines. */
  private untraced: { addr: number; size: number; nid: number }[] = [];
  private emitted = 0;
  private trimAfterE820 = false;
  /** The log has a MEMBLOCK dump: memblock events before it are already in it. */
  private readonly hasDump: boolean;

  constructor(private readonly log: BootLog) {
    this.m = machineNew(log.file, { e820: [], srat: undefined, cmdline: '', nrCpus: 0, earlyReserved: [] });
    this.hasDump = log.kernel.some((l) => M.memblockDumpHeaderLine.parse(l.text) !== undefined);
  }

  /** Before the first dump of a log that has one, memblock events are shown by the dump itself. */
  private get beforeDump(): boolean {
    return this.hasDump && this.dumps === 0;
  }

  /** Queue what the model printed since the last call, except what echoes the log's own input. */
  private flushPredictions(): void {
    const lines = this.m.printk.lines.slice(this.emitted);
    this.emitted = this.m.printk.lines.length;
    this.check.expect(lines.filter((l) => !ECHOES.has(l.format)));
  }

  private get mb(): MB.Memblock {
    if (!this.m.memblock) this.startMemblockWithoutDump();
    return this.m.memblock!;
  }

  run(): void {
    const lines = this.log.kernel;
    for (let i = 0; i < lines.length; i++) i = this.line(lines, i);
    this.finish();
  }

  /** Handle lines[i]; returns the index of the last line consumed. */
  private line(lines: LogLine[], i: number): number {
    const { no, text } = lines[i]!;
    if (this.trimAfterE820 && !/^memblock_add: .* e820__memblock_setup\b/.test(text)) {
      this.trimAfterE820 = false;
      MB.memblockTrimMemory(this.mb, PAGE_SIZE);
    }
    if (text.startsWith('Linux version ')) {
      this.kernelVersion = text.slice(14).split(' ')[0];
      if (!/^6\.1\./.test(this.kernelVersion ?? '')) this.notes.push(`${this.log.file}:${no}: kernel ${this.kernelVersion} is not 6.1: predictions follow 6.1 and are best effort`);
      return i;
    }
    const cmd = E.fmtCommandLine.parse(text);
    if (cmd !== undefined && !this.e820Done && !this.m.firmware.cmdline) {
      this.m.firmware.cmdline = cmd;
      this.m.params = parseKernelParams(cmd);
      return i;
    }
    const ent = E.fmtE820Entry.parse(text);
    if (ent && ent.who === 'BIOS-e820' && !this.e820Done) {
      if (ent.addr + ent.size > MAX_PHYS_ADDR) {
        this.notes.push(`${this.log.file}:${no}: e820 entry reaches beyond 2^52, past any x86_64 physical address: ignored`);
      } else {
        this.bios.push({ addr: ent.addr, size: ent.size, type: ent.type });
      }
      return i;
    }
    if (E.fmtE820MapHeader.parse(text) === 'BIOS-provided') return i;
    if (this.bios.length && !this.e820Done) this.runE820();
    if (M.memblockDumpHeaderLine.parse(text)) return this.dump(lines, i);
    if (this.memblockEvent(no, text)) return i;
    if (this.numaInput(no, text) || this.setupReservation(text)) return i;
    if (!this.numaDone && this.isNumaOutput(text)) this.runNuma();
    if (Z.zoneRangesHeader.parse(text) && !this.zonesDone) this.runZones();
    if (Z.builtZonelists.parse(text) && !this.zonelistsDone) this.runZonelists();
    if (!this.compare(no, text) && LOOKS_LIKE.test(text) && !this.readable(text)) {
      this.notes.push(`${this.log.file}:${no}: not readable as Linux 6.1 prints this line, ignored: ${text.slice(0, 120)}`);
    }
    return i;
  }

  /** Compare a line of a predicted format with the prediction; false when it is of no such format. */
  private compare(no: number, text: string): boolean {
    for (const f of CHECKED) {
      if (f.parse(text) === undefined) continue;
      if (f === E.fmtE820Update || f === E.fmtE820Remove || f === E.fmtE820LastPfn || f === E.fmtIgnoreLoglevel) {
        if (!this.e820Done) return true;
      }
      this.check.see(no, f.name, text);
      return true;
    }
    return false;
  }

  /** Lines the replay reads elsewhere (input lines, dumps), so they are not reported as unreadable. */
  private readable(text: string): boolean {
    return [E.fmtE820Entry, E.fmtE820MapHeader, N.sratMemory, N.sratCpu, M.memblockFreeLateLine].some((f) => f.parse(text) !== undefined);
  }

  private runE820(): void {
    this.e820Done = true;
    this.m.firmware.e820 = this.bios;
    setupArchE820(this.m, this.setupDataFromLog());
    this.flushPredictions();
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
    if (out.length) this.notes.push(`${this.log.file}: ${out.length} boot-loader setup_data ranges taken from the log's e820 update lines`);
    return out;
  }

  /** A MEMBLOCK configuration block: the first is the replay's starting point, later ones are checked. */
  private dump(lines: LogLine[], i: number): number {
    const texts = lines.slice(i, i + 4 + 2 * 1024).map((l) => l.text);
    const d = M.parseMemblockDump(texts, 0);
    if (!d) {
      this.notes.push(`${this.log.file}:${lines[i]!.no}: truncated MEMBLOCK configuration block: ignored`);
      return i;
    }
    const n = d.end;
    this.dumps++;
    if (this.dumps === 1 && !this.m.memblock) {
      this.firstDump(lines[i]!.no, d);
    } else {
      if (!this.numaDone) this.runNuma();
      const predicted = MB.memblockDump(this.mb);
      for (let k = 0; k < n; k++) {
        const got = lines[i + k]!;
        const want = predicted[k];
        if (want === got.text) this.check.matched++;
        else this.check.add({ line: got.no, format: 'memblock.dump', kernel: got.text, predicted: want ?? '(nothing)', what: 'differs' });
      }
      for (let k = n; k < predicted.length; k++) this.check.add({ format: 'memblock.dump', predicted: predicted[k], what: 'missing', line: lines[i + n - 1]!.no });
    }
    return i + n - 1;
  }

  /** The first dump: check memory against e820, then take both arrays as the starting state. */
  private firstDump(no: number, d: M.MemblockDump): void {
    const mb = memblockNew(this.m);
    if (this.e820Done) {
      const mine = memblockNew(this.m);
      e820MemblockSetup(mine, this.m.e820!.table);
      const want = mine.memory.regions.map((r) => `[${r.base.toString(16)}-${(r.base + r.size).toString(16)})`).join(' ');
      const got = d.memory.map((r) => `[${r.base.toString(16)}-${(r.base + r.size).toString(16)})`).join(' ');
      if (want === got) this.check.matched++;
      else this.check.add({ line: no, format: 'memblock.memory', kernel: got, predicted: want, what: 'differs' });
    } else {
      this.notes.push(`${this.log.file}: no BIOS-e820 lines: memblock.memory is taken from the dump as is`);
    }
    for (const r of d.memory) MB.memblockAddNode(mb, r.base, r.size, r.nid === MAX_NUMNODES ? MAX_NUMNODES : r.nid, r.flags);
    for (const r of d.reserved) MB.memblockReserve(mb, r.base, r.size);
    // memblock_trim_memory() leaves total_size untrimmed; take the kernel's own totals.
    mb.memory.totalSize = d.memorySize;
    mb.reserved.totalSize = d.reservedSize;
    MB.memblockSetCurrentLimit(mb, ISA_END_ADDRESS);
    MB.memblockAllowResize(mb);
    this.m.memblock = mb;
  }

  /** No dump in the log (no memblock=debug, or memblock lines only): build memblock from what is known. */
  private startMemblockWithoutDump(): void {
    const mb = memblockNew(this.m);
    this.m.memblock = mb;
    if (this.e820Done) {
      e820MemblockSetup(mb, this.m.e820!.table);
      // What every 6.1 x86 boot has reserved by then: the first 64 KiB, then the whole first MiB.
      MB.memblockReserve(mb, 0, 0x100000);
      this.notes.push(`${this.log.file}: no MEMBLOCK configuration dump (boot without memblock=debug?): early reservations are partly unknown, so allocation addresses (NODE_DATA) are estimates and are not counted as mismatches`);
    }
    MB.memblockSetCurrentLimit(mb, ISA_END_ADDRESS);
    MB.memblockAllowResize(mb);
  }

  private memblockEvent(no: number, text: string): boolean {
    for (const { fmt, api } of ALLOC_LINES) {
      const v = fmt.parse(text);
      if (!v) continue;
      this.settlePending();
      this.raiseLimitFor(v.caller);
      const nid = 'nid' in v ? (v as { nid: number }).nid : NUMA_NO_NODE;
      const rec: AllocationRecord = { line: no, api, size: v.size, align: v.align, nid, from: v.from, maxAddr: v.maxAddr, caller: v.caller, predicted: 0, kernel: undefined };
      rec.predicted = this.allocate(rec);
      this.allocations.push(rec);
      this.pending = rec;
      this.flushDoubling();
      return true;
    }
    const res = M.memblockReserveLine.parse(text);
    if (res) {
      if (this.beforeDump) return true;
      if (RANGE_NID_CALLER.test(res.caller)) return this.allocReserved(no, res.base, res.size), true;
      if (/^memblock_double_array\b/.test(res.caller)) return true; // the model doubled its array itself
      this.settlePending();
      MB.memblockReserve(this.mb, res.base, res.size);
      return true;
    }
    const ops: [LineFormat<M.MemblockRangeLine>, (mb: MB.Memblock, b: number, s: number) => number][] = [
      [M.memblockPhysFreeLine, MB.memblockPhysFree], [M.memblockRemoveLine, MB.memblockRemove], [M.memblockAddLine, MB.memblockAdd],
    ];
    for (const [fmt, op] of ops) {
      const v = fmt.parse(text);
      if (!v) continue;
      if (this.beforeDump) return true;
      this.settlePending();
      op(this.mb, v.base, v.size);
      // e820__memblock_setup() ends with an untraced memblock_trim_memory(PAGE_SIZE).
      if (fmt === M.memblockAddLine && /^e820__memblock_setup\b/.test(v.caller)) this.trimAfterE820 = true;
      return true;
    }
    const an = M.memblockAddNodeLine.parse(text);
    if (an) {
      if (this.beforeDump) return true;
      this.settlePending();
      MB.memblockAddNode(this.mb, an.base, an.size, an.nid, an.flags);
      return true;
    }
    if (M.memblockFreeLateLine.parse(text)) return true; // after memblock is gone: pages go to the buddy allocator
    return false;
  }

  /** max_addr ACCESSIBLE means the current limit: 1 MiB until init_mem_mapping() ends, then all mapped RAM. */
  private raiseLimitFor(caller: string): void {
    if (this.limitRaised || EARLY_CALLERS.test(caller)) return;
    this.raiseLimit();
  }

  private raiseLimit(): void {
    if (this.limitRaised) return;
    this.limitRaised = true;
    void this.mb;
    if (this.m.maxPfn) initMemMappingDone(this.m);
    else MB.memblockSetCurrentLimit(this.mb, MB.memblockEndOfDram(this.mb));
  }

  private allocate(r: AllocationRecord): number {
    const mb = this.mb;
    switch (r.api) {
      case 'memblock_phys_alloc_range':
        return MB.memblockPhysAllocRange(mb, r.size, r.align, r.from, r.maxAddr);
      case 'memblock_alloc_try_nid':
        return MB.memblockAllocTryNid(mb, r.size, r.align, r.from, r.maxAddr, r.nid);
      case 'memblock_alloc_try_nid_raw':
        return MB.memblockAllocTryNidRaw(mb, r.size, r.align, r.from, r.maxAddr, r.nid);
      default:
        return MB.memblockAllocExactNidRaw(mb, r.size, r.align, r.from, r.maxAddr, r.nid);
    }
  }

  /** The reservation an allocation made: compare with the model's pick, and follow the kernel if they differ. */
  private allocReserved(no: number, base: number, size: number): void {
    const p = this.pending;
    if (p && p.kernel === undefined) {
      p.kernel = base;
      this.pending = undefined;
      if (p.predicted !== base || size < p.size) this.resync(no, `${p.api}(${p.size} bytes, align 0x${p.align.toString(16)}, nid ${p.nid}) from ${p.caller}`, p.predicted, p.size, base, size);
      else this.check.matched++;
      return;
    }
    // An allocation that printed no trace line of its own (memblock_phys_alloc_try_nid: NODE_DATA).
    if (!this.numaDone) this.runNuma();
    const u = this.untraced.shift();
    if (!u) {
      this.notes.push(`${this.log.file}:${no}: allocation without a trace line, not predicted: applied as a reservation`);
      MB.memblockReserve(this.mb, base, size);
      return;
    }
    if (u.addr !== base || u.size !== size) this.resync(no, `NODE_DATA(${u.nid}) memblock_phys_alloc_try_nid(${u.size} bytes)`, u.addr, u.size, base, size);
    else this.check.matched++;
  }

  private resync(no: number, what: string, mine: number, mySize: number, base: number, size: number): void {
    this.check.add({
      line: no, format: 'memblock.alloc', what: 'differs',
      kernel: `${what} at [0x${base.toString(16)}-0x${(base + size - 1).toString(16)}]`,
      predicted: mine ? `at [0x${mine.toString(16)}-0x${(mine + mySize - 1).toString(16)}]` : 'no room found',
    });
    if (mine) MB.memblockPhysFree(this.mb, mine, mySize);
    MB.memblockReserve(this.mb, base, size);
  }

  /** A traced allocation whose reservation line never came: the kernel found no room, or the log ended. */
  private settlePending(): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p || p.kernel !== undefined) return;
    if (p.predicted) this.notes.push(`${this.log.file}:${p.line}: ${p.api} has no memblock_reserve line after it; meminit's pick 0x${p.predicted.toString(16)} is kept`);
  }

  private flushDoubling(): void {
    const lines = this.m.printk.lines.slice(this.emitted).filter((l) => l.format === M.memblockDoubledLine.name);
    this.check.expect(lines);
    this.emitted = this.m.printk.lines.length;
  }

  /** Without memblock tracing, the initrd and ACPI table lines still say what setup_arch() reserved. */
  private setupReservation(text: string): boolean {
    if (this.hasDump) return false;
    const r = S.ramdisk.parse(text) ?? S.acpiTableReserve.parse(text);
    if (!r) return false;
    MB.memblockReserve(this.mb, r.start, r.end - r.start);
    return true;
  }

  private numaInput(_no: number, text: string): boolean {
    const mem = N.sratMemory.parse(text);
    if (mem) {
      this.srat.memory.push(mem);
      return true;
    }
    const cpu = N.sratCpu.parse(text);
    if (cpu) {
      this.srat.cpus.push({ apic: cpu.apic, pxm: cpu.pxm, nid: cpu.nid });
      return true;
    }
    return false;
  }

  private isNumaOutput(text: string): boolean {
    return [N.numaMerge, N.numaDummy, N.numaFakeNode, N.nodeDataAllocated, N.numaNotCovered, N.numaOverlap, Z.zoneRangesHeader]
      .some((f) => f.parse(text) !== undefined);
  }

  private runNuma(): void {
    if (this.numaDone) return;
    this.numaDone = true;
    this.settlePending();
    this.raiseLimit();
    this.m.firmware.srat = this.srat.memory.length ? this.srat : this.earlyRangesAsSrat();
    if (!this.mb.memory.regions.some((r) => r.size > 0)) throw new ReplayError(`${this.log.file}: the log adds no memory (no BIOS-e820 map, MEMBLOCK dump or memblock_add lines): nothing to size`);
    if (!this.e820Done) this.m.maxPfn = Math.ceil(MB.memblockEndOfDram(this.mb) / PAGE_SIZE);
    initmemInit(this.m, (nid, size) => {
      const addr = MB.memblockPhysAllocTryNid(this.mb, size, SMP_CACHE_BYTES, nid);
      this.untraced.push({ addr, size, nid });
      return addr;
    });
    if (this.m.params.memblockDebug || this.dumps > 0) pushDump(this.m);
    this.flushPredictions();
  }

  /** No SRAT lines: the log's "Early memory node ranges" give the node layout, when it has several nodes. */
  private earlyRangesAsSrat(): Firmware['srat'] {
    const ranges = this.log.kernel.map((l) => Z.earlyRange.parse(l.text)).filter((r): r is Z.EarlyRangeLine => !!r);
    if (new Set(ranges.map((r) => r.nid)).size < 2) return undefined;
    this.notes.push(`${this.log.file}: no SRAT lines: the node layout is taken from "Early memory node ranges"`);
    return {
      memory: ranges.map((r) => ({ nid: r.nid, pxm: r.nid, start: r.start, end: r.end, hotplug: false, nonVolatile: false })),
      cpus: [...new Set(ranges.map((r) => r.nid))].map((nid) => ({ apic: nid, pxm: nid, nid })),
    };
  }

  private runZones(): void {
    this.zonesDone = true;
    this.settlePending();
    this.runNuma();
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
    this.settlePending();
    if (!this.m.memblock && !this.e820Done) throw new ReplayError(`${this.log.file}: no BIOS-e820, MEMBLOCK or memblock lines: nothing to replay (is this a kernel boot log?)`);
    if (!this.zonelistsDone) {
      const before = this.m.printk.lines.length;
      this.runZonelists();
      const extra = this.m.printk.lines.length - before;
      if (extra) this.notes.push(`${this.log.file}: the log ends before zone sizing: ${extra} predicted lines could not be checked`);
    }
    this.checkZoneinfo();
    const hasZones = this.log.kernel.some((l) => Z.zoneRangesHeader.parse(l.text));
    for (const m of this.check.leftovers()) {
      if (!hasZones && (m.format.startsWith('zone.') || m.format.startsWith('numa.'))) continue;
      this.check.add(m);
    }
    if (!this.hasDump) this.demoteEstimates();
  }

  /** Without a dump, lines that depend on where reservations are were estimated: say so, do not fail. */
  private demoteEstimates(): void {
    const est = new Set([N.nodeDataAllocated.name, N.nodeDataOnNode.name, 'memblock.alloc', 'memblock.dump']);
    const keep = this.check.mismatches.filter((m) => !est.has(m.format));
    const n = this.check.mismatches.length - keep.length;
    if (n) this.notes.push(`${this.log.file}: ${n} estimated lines (NODE_DATA placement, allocations) differ from the kernel's; boot with memblock=debug for exact replay`);
    this.check.mismatches.splice(0, this.check.mismatches.length, ...keep);
  }

  /** The captured /proc/zoneinfo: spanned, present and start_pfn of every zone must match. */
  private checkZoneinfo(): void {
    const cap = this.log.captures.get('/proc/zoneinfo');
    if (!cap || !this.m.zones) return;
    for (const z of parseZoneinfo(cap.lines)) {
      const pg = this.m.zones.nodes.get(z.nid);
      const mine = pg?.zones.find((x) => x.name === z.zone);
      const pairs: [string, number | undefined, number | undefined][] = [
        ['spanned', z.counters.spanned, mine?.spannedPages],
        ['present', z.counters.present, mine?.presentPages],
        ['start_pfn', z.startPfn, mine && mine.presentPages ? mine.zoneStartPfn : undefined],
      ];
      for (const [field, got, want] of pairs) {
        if (got === undefined && want === undefined) continue;
        if (got === want) this.check.matched++;
        else this.check.add({ line: cap.no, format: 'zoneinfo', what: 'differs', kernel: `Node ${z.nid}, zone ${z.zone}: ${field} ${got}`, predicted: `${field} ${want}` });
      }
    }
  }
}

export class ReplayError extends Error {}

export function replayBootLog(log: BootLog): ReplayResult {
  const r = new Replay(log);
  r.run();
  return {
    file: log.file, kernelVersion: r.kernelVersion, machine: r.m, predicted: r.m.printk.lines,
    allocations: r.allocations, mismatches: r.check.mismatches, matchedLines: r.check.matched, notes: r.notes,
  };
}
