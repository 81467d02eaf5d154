// `boot --memmap` of every corpus machine file against its real boot, to the end of boot: every
// memblock call from sparse_init() to memblock_free_all() with its address, the "Memory:" line, the late
// frees, /proc/zoneinfo's managed pages, watermarks and lowmem reserves of every zone, and the
// reserved and nopage pfns of /proc/kpageflags.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { memInit } from '../../../src/arch/x86/mem-init.js';
import { SETUP_PHASES } from '../../../src/arch/x86/setup.js';
import { acpiMemoryHotplugBoot } from '../../../src/drivers/acpi/acpi-memhotplug.js';
import { machineNew, type Machine } from '../../../src/kernel/machine.js';
import { loadMachineFile } from '../../../src/machine/load-file.js';
import { wmarkKey } from '../../../src/mm/watermark.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';
import { efiFreed, freeingMemory, memInitInfo } from '../../../src/trace/formats/free.js';
import { parseZoneinfo } from '../../../src/trace/formats/zoneinfo.js';
import { kpageflagsRun, type KpageflagsRun } from '../../../src/trace/formats/kpageflags.js';
import { kpageflagsFromMemmap } from '../../../src/fs/proc/kpageflags.js';
import { checkKpageflagsCapture } from '../../../src/trace/replay-kpageflags.js';
import { stripOffset } from '../../kernel/printk-trace.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const files = readdirSync(examples).filter((f) => f.endsWith('.yaml') && existsSync(join(corpus, f.replace(/\.yaml$/, '.log'))));

const isMemblockLine = (t: string): boolean => t.startsWith('memblock_') || t.startsWith('memblock:');
const isFreeLine = (t: string): boolean => memInitInfo.parse(t) !== undefined || freeingMemory.parse(t) !== undefined || efiFreed.parse(t) !== undefined;

describe('boot --memmap of the corpus machine files against their boots', () => {
  for (const file of files) {
    it(file, () => {
      const spec = loadMachineFile(join(examples, file));
      const m = machineNew(spec.name, spec.firmware);
      const trace: string[] = [];
      for (const phase of SETUP_PHASES) {
        if (phase.name === 'zones') m.memblock!.debug = (t) => trace.push(stripOffset(t));
        phase.run(m);
      }
      m.memblock!.debug = undefined;
      // The ACPI memory hotplug driver adds the DIMMs QEMU cold-plugged, in its subsys initcall.
      memInit(m, { subsysInitcall: (mm: Machine): void => void acpiMemoryHotplugBoot(mm, spec.dimms) });
      const log = lexBootLog(readFileSync(join(corpus, file.replace(/\.yaml$/, '.log')), 'utf8'), file);
      // Every memblock call from sparse_init() to memblock_free_all(), where the kernel put it.
      const kernel = log.kernel.map((l) => l.text);
      const from = kernel.findIndex((t) => /^memblock_alloc_try_nid: .* sparse_init\b/.test(t));
      const to = kernel.findIndex((t) => t.startsWith('Memory: '));
      assert.ok(from > 0 && to > from, 'the log traces sparse_init() … Memory:');
      assert.deepEqual(trace.filter(isMemblockLine), kernel.slice(from, to).filter(isMemblockLine).map(stripOffset));
      assert.deepEqual(m.printk.lines.map((l) => l.text).filter(isFreeLine), log.kernel.map((l) => l.text).filter(isFreeLine));
      const cap = log.captures.get('/proc/zoneinfo');
      assert.ok(cap, 'the log has a /proc/zoneinfo capture');
      const got: string[] = [];
      const want: string[] = [];
      for (const z of parseZoneinfo(cap.lines)) {
        const pg = m.zones!.nodes.get(z.nid);
        const zid = pg?.zones.findIndex((x) => x.name === z.zone) ?? -1;
        const w = m.watermarks?.zones.get(wmarkKey(z.nid, zid));
        const boost = z.counters.boost ?? 0;
        const at = `node ${z.nid} ${z.zone}`;
        want.push(`${at} managed ${z.counters.managed} min ${(z.counters.min ?? 0) - boost} low ${(z.counters.low ?? 0) - boost} high ${(z.counters.high ?? 0) - boost} protection ${z.protection?.join(',')}`);
        got.push(`${at} managed ${pg?.zones[zid]?.managedPages ?? 0} min ${w?.min ?? 0} low ${w?.low ?? 0} high ${w?.high ?? 0} protection ${(w?.lowmemReserve ?? []).join(',')}`);
      }
      assert.deepEqual(got, want);
      // /proc/kpageflags from the struct pages: reserved and nopage pfn for pfn, up to max_pfn
      // (the buddy flag depends on per-cpu lists and allocations after boot).
      const kcap = log.captures.get('kpageflags');
      assert.ok(kcap, 'the log has a kpageflags capture');
      const mine = kpageflagsFromMemmap(m, 0, m.maxPfn);
      const diffs = checkKpageflagsCapture(mine, kcap.lines.map((l) => kpageflagsRun.parse(l)).filter((r): r is KpageflagsRun => !!r));
      assert.deepEqual(diffs.filter((d) => d.predictedOnly.length || d.kernelOnly.length), []);
    });
  }
});
