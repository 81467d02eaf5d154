// The memblock side of a replay: start from the kernel's first MEMBLOCK dump (or from what the
// log says without one), apply every traced event, compute every allocation and check it against
// the reservation the kernel logged next — following the kernel when they differ, so one
// mismatch does not hide the next.
import { e820MemblockSetup } from '../arch/x86/e820-memblock.js';
import { ISA_END_ADDRESS } from '../arch/x86/e820-types.js';
import { initMemMappingDone, memblockNew } from '../arch/x86/setup.js';
import { NUMA_NO_NODE } from '../include/mmzone.js';
import { PAGE_SIZE } from '../include/pfn.js';
import * as MB from '../mm/memblock.js';
import { normaliseCaller } from './check.js';
import type { LogLine } from './dmesg.js';
import type { LineFormat } from './format.js';
import * as M from './formats/memblock.js';
import * as S from './formats/setup.js';
import type { ReplayContext } from './replay-context.js';

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

const ALLOC_LINES = [
  { fmt: M.memblockPhysAllocRangeLine, api: 'memblock_phys_alloc_range' },
  { fmt: M.memblockAllocTryNidLine, api: 'memblock_alloc_try_nid' },
  { fmt: M.memblockAllocTryNidRawLine, api: 'memblock_alloc_try_nid_raw' },
  { fmt: M.memblockAllocExactNidRawLine, api: 'memblock_alloc_exact_nid_raw' },
] as const;

const RANGE_OPS: [LineFormat<M.MemblockRangeLine>, (mb: MB.Memblock, b: number, s: number) => number][] = [
  [M.memblockPhysFreeLine, MB.memblockPhysFree], [M.memblockRemoveLine, MB.memblockRemove], [M.memblockAddLine, MB.memblockAdd],
];

/** Allocation sites that run before init_mem_mapping() raises the limit above 1 MiB. */
const EARLY_CALLERS = /^(reserve_real_mode|init_mem_mapping|alloc_low_pages|memory_map_(top_down|bottom_up)|e820__memblock_alloc_reserved_mpc_new)\b/;
const RANGE_NID_CALLER = /^memblock_alloc_range_nid\b/;
/** Allocation sites inside numa_init(): NUMA init has begun when the log shows one. */
const NUMA_INIT_CALLERS = /^(numa_alloc_distance|numa_emulation)\b/;

/**
 * A traced memblock call the model made itself while running a phase in one go (NUMA init): it is
 * already applied, so the log's trace line for it is checked against it, not applied again.
 */
type ModelCall =
  | { kind: 'alloc'; text: string; api: string; caller: string; addr: number }
  | { kind: 'free'; text: string; base: number; size: number };

const callerName = (caller: string): string => caller.replace(/\+.*$/, '');
const E820_SETUP_ADD = /^memblock_add: .* e820__memblock_setup\b/;

export class MemblockReplay {
  readonly allocations: AllocationRecord[] = [];
  /** NODE_DATA allocations NUMA init made, waiting for the log's untraced reservation lines. */
  readonly untraced: { addr: number; size: number; nid: number }[] = [];
  /** Traced calls the model made running NUMA init, waiting for the log's trace lines. */
  private readonly modelCalls: ModelCall[] = [];
  dumps = 0;
  private limitRaised = false;
  private pending: AllocationRecord | undefined;
  private trimAfterE820 = false;

  constructor(private readonly ctx: ReplayContext, readonly hasDump: boolean) {}

  /** Before the first dump of a log that has one, memblock events are shown by the dump itself. */
  private get beforeDump(): boolean {
    return this.hasDump && this.dumps === 0;
  }

  get mb(): MB.Memblock {
    if (!this.ctx.m.memblock) this.startWithoutDump();
    return this.ctx.m.memblock!;
  }

  private newMemblock(): MB.Memblock {
    const mb = memblockNew(this.ctx.m);
    // Array doubling is the one memblock=debug line the model prints on its own: check it.
    mb.debug = (line) => {
      if (M.memblockDoubledLine.parse(line)) this.ctx.m.printk.lines.push({ format: M.memblockDoubledLine.name, text: line });
    };
    return mb;
  }

  /** Array doublings logged before the first dump: the dump shows their result, these say where. */
  readonly preDumpDoublings: M.MemblockDoubledLine[] = [];

  /** Called before each line: e820__memblock_setup() ends with an untraced memblock_trim_memory(). */
  beforeLine(text: string): void {
    if (!this.trimAfterE820 || E820_SETUP_ADD.test(text)) return;
    this.trimAfterE820 = false;
    MB.memblockTrimMemory(this.mb, PAGE_SIZE);
  }

  /** A MEMBLOCK configuration block: the first is the replay's starting point, later ones are checked. */
  dump(lines: LogLine[], i: number): number {
    const d = M.parseMemblockDump(lines.slice(i, i + 4 + 2 * 1024).map((l) => l.text), 0);
    if (!d) {
      this.ctx.notes.push(`${this.ctx.file}:${lines[i]!.no}: truncated MEMBLOCK configuration block: ignored`);
      return i;
    }
    this.dumps++;
    if (this.dumps === 1 && !this.ctx.m.memblock) {
      this.firstDump(lines[i]!.no, d);
      return i + d.end - 1;
    }
    this.ctx.ensureNuma();
    this.dropModelCalls(lines[i]!.no);
    const predicted = MB.memblockDump(this.mb);
    for (let k = 0; k < d.end; k++) {
      const got = lines[i + k]!;
      if (predicted[k] === got.text) this.ctx.check.matched++;
      else this.ctx.check.add({ line: got.no, format: 'memblock.dump', kernel: got.text, predicted: predicted[k] ?? '(nothing)', what: 'differs' });
    }
    for (let k = d.end; k < predicted.length; k++) {
      this.ctx.check.add({ format: 'memblock.dump', predicted: predicted[k], what: 'missing', line: lines[i + d.end - 1]!.no });
    }
    return i + d.end - 1;
  }

  /** The first dump: check memory against e820, then take both arrays as the starting state. */
  private firstDump(no: number, d: M.MemblockDump): void {
    const { m, check } = this.ctx;
    if (this.ctx.e820Done) {
      const mine = memblockNew(m);
      e820MemblockSetup(mine, m.e820!.table);
      const text = (rs: { base: number; size: number }[]) => rs.filter((r) => r.size).map((r) => `[${r.base.toString(16)}-${(r.base + r.size).toString(16)})`).join(' ');
      const want = text(mine.memory.regions);
      const got = text(d.memory);
      if (want === got) check.matched++;
      else check.add({ line: no, format: 'memblock.memory', kernel: got, predicted: want, what: 'differs' });
    } else {
      this.ctx.notes.push(`${this.ctx.file}: no BIOS-e820 lines: memblock.memory is taken from the dump as is`);
    }
    // The arrays are taken as they are, without replaying adds that could resize them; their
    // capacity and place come from any "is doubled" line before the dump. memblock_trim_memory()
    // leaves total_size untrimmed, so the kernel's own totals are taken too.
    const mb = this.newMemblock();
    const load = (t: MB.MemblockType, regions: M.MemblockDumpRegion[], total: number): void => {
      t.regions = regions.map((r) => ({ base: r.base, size: r.size, flags: r.flags, nid: r.nid }));
      t.totalSize = total;
      const grown = this.preDumpDoublings.filter((x) => x.name === t.name).pop();
      if (grown) {
        t.max = grown.max;
        t.arrayPhys = grown.base;
      }
    };
    load(mb.memory, d.memory, d.memorySize);
    load(mb.reserved, d.reserved, d.reservedSize);
    MB.memblockSetCurrentLimit(mb, ISA_END_ADDRESS);
    MB.memblockAllowResize(mb);
    m.memblock = mb;
  }

  /** No dump in the log (no memblock=debug, or memblock lines only): build memblock from what is known. */
  private startWithoutDump(): void {
    const mb = this.newMemblock();
    this.ctx.m.memblock = mb;
    if (this.ctx.e820Done) {
      e820MemblockSetup(mb, this.ctx.m.e820!.table);
      // What every 6.1 x86 boot has reserved by then: the first 64 KiB, then the whole first MiB.
      MB.memblockReserve(mb, 0, 0x100000);
      this.ctx.notes.push(`${this.ctx.file}: no MEMBLOCK configuration dump (boot without memblock=debug?): early reservations are partly unknown, so allocation addresses (NODE_DATA) are estimates and are not counted as mismatches`);
    }
    MB.memblockSetCurrentLimit(mb, ISA_END_ADDRESS);
    MB.memblockAllowResize(mb);
  }

  /** A memblock=debug event line; false when the line is none. */
  event(no: number, text: string): boolean {
    if (this.beforeDump) {
      const dbl = M.memblockDoubledLine.parse(text);
      if (dbl) return this.preDumpDoublings.push(dbl), true;
    }
    for (const { fmt, api } of ALLOC_LINES) {
      const v = fmt.parse(text);
      if (!v) continue;
      this.settle();
      this.raiseLimitFor(v.caller);
      if (NUMA_INIT_CALLERS.test(v.caller)) this.ctx.ensureNuma();
      const nid = 'nid' in v ? (v as { nid: number }).nid : NUMA_NO_NODE;
      const rec: AllocationRecord = { line: no, api, size: v.size, align: v.align, nid, from: v.from, maxAddr: v.maxAddr, caller: v.caller, predicted: 0, kernel: undefined };
      const call = this.modelCall(no, text, api, v.caller);
      rec.predicted = call ? call.addr : this.allocate(rec);
      this.allocations.push(rec);
      this.pending = rec;
      return true;
    }
    const res = M.memblockReserveLine.parse(text);
    if (res) {
      if (this.beforeDump) return true;
      if (RANGE_NID_CALLER.test(res.caller)) return this.allocReserved(no, res.base, res.size), true;
      if (/^memblock_double_array\b/.test(res.caller)) return true; // the model doubled its array itself
      this.settle();
      MB.memblockReserve(this.mb, res.base, res.size);
      return true;
    }
    for (const [fmt, op] of RANGE_OPS) {
      const v = fmt.parse(text);
      if (!v) continue;
      if (this.beforeDump) return true;
      if (fmt === M.memblockPhysFreeLine && this.modelFree(no, text, v)) return true;
      this.settle();
      op(this.mb, v.base, v.size);
      if (fmt === M.memblockAddLine && /^e820__memblock_setup\b/.test(v.caller)) this.trimAfterE820 = true;
      return true;
    }
    const an = M.memblockAddNodeLine.parse(text);
    if (an) {
      if (this.beforeDump) return true;
      this.settle();
      MB.memblockAddNode(this.mb, an.base, an.size, an.nid, an.flags);
      return true;
    }
    return M.memblockFreeLateLine.parse(text) !== undefined; // after memblock is gone: pages go to the buddy allocator
  }

  /**
   * Run a model phase that makes traced memblock calls of its own (NUMA init: the distance
   * tables). They are applied as the model makes them, in the model's order; the log's trace
   * lines for them, which come later, are checked against them instead of being applied again.
   */
  runModelPhase(run: () => void): void {
    const mb = this.mb;
    const prev = mb.debug;
    const lines: string[] = [];
    mb.debug = (line) => {
      prev?.(line);
      lines.push(line);
    };
    try {
      run();
    } finally {
      mb.debug = prev;
    }
    for (let k = 0; k < lines.length; k++) {
      const text = lines[k]!;
      const alloc = ALLOC_LINES.find(({ fmt }) => fmt.parse(text));
      if (alloc) {
        // The reservation the allocation made is the next line; none when it found no room.
        const res = M.memblockReserveLine.parse(lines[k + 1] ?? '');
        const addr = res && RANGE_NID_CALLER.test(res.caller) ? (k++, res.base) : 0;
        this.modelCalls.push({ kind: 'alloc', text, api: alloc.api, caller: callerName(alloc.fmt.parse(text)!.caller), addr });
        continue;
      }
      const free = M.memblockPhysFreeLine.parse(text);
      if (free) this.modelCalls.push({ kind: 'free', text, base: free.base, size: free.size });
    }
  }

  /** The model's own allocation that this log line traces, if it is one; a differing request is a mismatch. */
  private modelCall(no: number, text: string, api: string, caller: string): { addr: number } | undefined {
    const c = this.modelCalls[0];
    if (c?.kind !== 'alloc' || c.api !== api || c.caller !== callerName(caller)) return undefined;
    this.modelCalls.shift();
    if (normaliseCaller(c.text) !== normaliseCaller(text)) this.ctx.check.add({ line: no, format: 'memblock.alloc', what: 'differs', kernel: text, predicted: c.text });
    return c;
  }

  /** The model's own free that this log line traces: checked, not applied again. False when the model made none. */
  private modelFree(no: number, text: string, v: M.MemblockRangeLine): boolean {
    const c = this.modelCalls[0];
    if (c?.kind !== 'free') return false;
    this.modelCalls.shift();
    if (normaliseCaller(c.text) === normaliseCaller(text)) {
      this.ctx.check.matched++;
      return true;
    }
    this.ctx.check.add({ line: no, format: 'memblock.free', what: 'differs', kernel: text, predicted: c.text });
    if (c.base !== v.base || c.size !== v.size) {
      MB.memblockReserve(this.mb, c.base, c.size);
      MB.memblockPhysFree(this.mb, v.base, v.size);
    }
    return true;
  }

  /** At the dump that ends NUMA init, model calls the log never showed are missing. */
  private dropModelCalls(no: number): void {
    for (const c of this.modelCalls.splice(0)) {
      this.ctx.check.add({ line: no, format: c.kind === 'alloc' ? 'memblock.alloc' : 'memblock.free', what: 'missing', predicted: c.text });
    }
  }

  /** Without memblock tracing, the initrd and ACPI table lines still say what setup_arch() reserved. */
  setupReservation(text: string): boolean {
    if (this.hasDump) return false;
    const r = S.ramdisk.parse(text) ?? S.acpiTableReserve.parse(text);
    if (!r) return false;
    MB.memblockReserve(this.mb, r.start, r.end - r.start);
    return true;
  }

  /** max_addr ACCESSIBLE means the current limit: 1 MiB until init_mem_mapping() ends, then all mapped RAM. */
  private raiseLimitFor(caller: string): void {
    if (!EARLY_CALLERS.test(caller)) this.raiseLimit();
  }

  raiseLimit(): void {
    if (this.limitRaised) return;
    this.limitRaised = true;
    const mb = this.mb;
    if (this.ctx.m.maxPfn) initMemMappingDone(this.ctx.m);
    else MB.memblockSetCurrentLimit(mb, MB.memblockEndOfDram(mb));
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
      else this.ctx.check.matched++;
      return;
    }
    // An allocation that printed no trace line of its own (memblock_phys_alloc_try_nid: NODE_DATA).
    this.ctx.ensureNuma();
    const u = this.untraced.shift();
    if (!u) {
      this.ctx.notes.push(`${this.ctx.file}:${no}: allocation without a trace line, not predicted: applied as a reservation`);
      MB.memblockReserve(this.mb, base, size);
      return;
    }
    if (u.addr !== base || u.size !== size) this.resync(no, `NODE_DATA(${u.nid}) memblock_phys_alloc_try_nid(${u.size} bytes)`, u.addr, u.size, base, size);
    else this.ctx.check.matched++;
  }

  private resync(no: number, what: string, mine: number, mySize: number, base: number, size: number): void {
    this.ctx.check.add({
      line: no, format: 'memblock.alloc', what: 'differs',
      kernel: `${what} at [0x${base.toString(16)}-0x${(base + size - 1).toString(16)}]`,
      predicted: mine ? `at [0x${mine.toString(16)}-0x${(mine + mySize - 1).toString(16)}]` : 'no room found',
    });
    if (mine) MB.memblockPhysFree(this.mb, mine, mySize);
    MB.memblockReserve(this.mb, base, size);
  }

  /** A traced allocation whose reservation line never came: the kernel found no room, or the log ended. */
  settle(): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p || p.kernel !== undefined || !p.predicted) return;
    this.ctx.notes.push(`${this.ctx.file}:${p.line}: ${p.api} has no memblock_reserve line after it; meminit's pick 0x${p.predicted.toString(16)} is kept`);
  }
}
