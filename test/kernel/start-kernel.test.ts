// start_kernel()'s memblock traffic between the percpu areas and memblock_free_all(), for every
// corpus boot with a machine file: the request lines (size, align, nid, from, max_addr,
// caller) and the lines printed among them must be the log's, in order. Reserve addresses are
// not compared: the allocations before these are not all modelled yet.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SETUP_PHASES } from '../../src/arch/x86/setup.js';
import { machineNew, type Machine } from '../../src/kernel/machine.js';
import { vfsCachesInit } from '../../src/fs/dcache.js';
import { loadMachineFile } from '../../src/machine/load-file.js';
import { lexBootLog } from '../../src/trace/dmesg.js';
import type { LineFormat } from '../../src/trace/format.js';
import { fmtKernelCommandLine } from '../../src/trace/formats/e820.js';
import { hashFormats, hashTableEntries } from '../../src/trace/formats/hash.js';
import { initFormats } from '../../src/trace/formats/init.js';
import { logBufFormats } from '../../src/trace/formats/log-buf.js';
import * as M from '../../src/trace/formats/memblock.js';
import { swiotlbFormats } from '../../src/trace/formats/swiotlb.js';
import { TracePrintk, stripOffset } from './printk-trace.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log') && existsSync(join(examples, f.replace(/\.log$/, '.yaml'))));

/** The callers whose memblock requests these functions make. */
const CALLERS = /^(alloc_bootmem_cpumask_var|start_kernel|setup_log_buf|alloc_large_system_hash|spp_getpage|swiotlb_init_remap)(\+0x|$)/;
const PRINTED: readonly LineFormat<unknown>[] = [fmtKernelCommandLine, ...initFormats, ...hashFormats, ...logBufFormats, ...swiotlbFormats] as LineFormat<unknown>[];


/**
 * A memblock request line with its caller's offset dropped; a free keeps only its size (its
 * address is where an earlier allocation landed). Printed lines as they are; other lines
 * undefined.
 */
function comparable(t: string): string | undefined {
  for (const f of [M.memblockAllocTryNidLine, M.memblockAllocTryNidRawLine, M.memblockPhysAllocRangeLine]) {
    const v = f.parse(t);
    if (v) return CALLERS.test(v.caller) ? f.emit({ ...v, caller: stripOffset(v.caller) }) : undefined;
  }
  const free = M.memblockPhysFreeLine.parse(t);
  if (free) return CALLERS.test(free.caller) ? `memblock_phys_free: ${free.size} bytes ${stripOffset(free.caller)}` : undefined;
  return PRINTED.some((f) => f.parse(t) !== undefined) ? t : undefined;
}

/** The log's lines from the percpu areas ("percpu: Embedded …") to the "Memory:" line. */
function logBlock(log: string): string[] {
  const lines = lexBootLog(readFileSync(join(corpus, log), 'utf8'), log).kernel.map((l) => l.text);
  const i = lines.findIndex((t) => t.startsWith('percpu: Embedded'));
  const j = lines.findIndex((t) => t.startsWith('Memory: '));
  assert.ok(i >= 0 && j > i, 'no percpu … Memory: block');
  return lines.slice(i, j).map(comparable).filter((t) => t !== undefined);
}


const booted = new Map<string, { m: Machine; lines: string[] }>();

/** Boot a machine file through the setup phases, 'mm_init' (startKernelMmInit()) last, tracing from 'percpu' (once per log). */
function modelBlock(log: string): { m: Machine; lines: string[] } {
  const done = booted.get(log);
  if (done) return done;
  const spec = loadMachineFile(join(examples, log.replace(/\.log$/, '.yaml')));
  const m = machineNew(spec.name, spec.firmware);
  const trace: string[] = [];
  for (const phase of SETUP_PHASES) {
    if (phase.name === 'percpu') {
      m.memblock!.debug = (t) => trace.push(t);
      m.printk = new TracePrintk(trace);
    }
    phase.run(m);
  }
  // From "percpu: Embedded", as logBlock() takes the log's: setup_command_line() came before.
  const from = trace.findIndex((t) => t.startsWith('percpu: Embedded'));
  const r = { m, lines: trace.slice(from).map(comparable).filter((t) => t !== undefined) };
  booted.set(log, r);
  return r;
}

/** deepEqual on the first 3 lines from where two traces part, so a failure stays readable. */
function assertSameTrace(mine: string[], kernel: string[]): void {
  let i = 0;
  while (i < mine.length && i < kernel.length && mine[i] === kernel[i]) i++;
  assert.deepEqual({ at: i, lines: mine.slice(i, i + 3) }, { at: i, lines: kernel.slice(i, i + 3) });
}

describe('start_kernel memblock requests against the corpus', () => {
  // Every log matches, pc-8g-numa-fake200 included: there the 64 MiB IO TLB does not fit below
  // 4 GiB because memblock never hands out a range across two memory regions, and the 200
  // emulated nodes cut low memory into ~40 MiB regions; the retry at 32 MiB fits.
  for (const log of logs) it(log, () => assertSameTrace(modelBlock(log).lines, logBlock(log)));
});

describe('hash tables deferred to vfs_caches_init() (hashdist) against the corpus', () => {
  const isVfsHash = (t: string): boolean => /^(Dentry cache|Inode-cache)$/.test(hashTableEntries.parse(t)?.table ?? '');
  for (const log of logs) {
    it(log, () => {
      const { m } = modelBlock(log);
      const mark = m.printk.mark();
      vfsCachesInit(m);
      const mine = m.printk.since(mark).map((l) => l.text);
      const all = lexBootLog(readFileSync(join(corpus, log), 'utf8'), log).kernel.map((l) => l.text);
      const late = all.slice(all.findIndex((t) => t.startsWith('Memory: '))).filter(isVfsHash);
      assert.deepEqual(mine, late);
    });
  }
});
