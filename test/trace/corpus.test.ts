// Conformance: every real 6.1 boot in test/corpus replays with no mismatch, every memblock
// allocation lands where the kernel put it, and the captured /proc/zoneinfo agrees (spanned,
// present, start_pfn and managed of every zone).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ZONE_NAMES } from '../../src/include/mmzone.js';
import { wmarkKey } from '../../src/mm/watermark.js';
import { lexBootLog } from '../../src/trace/dmesg.js';
import { replayBootLog } from '../../src/trace/replay.js';
import { parseZoneinfo } from '../../src/trace/formats/zoneinfo.js';
import { formatMismatch } from '../../src/trace/check.js';
import { kpageflagsRun, type KpageflagsRun } from '../../src/trace/formats/kpageflags.js';
import { checkKpageflagsCapture } from '../../src/trace/replay-kpageflags.js';

const corpus = fileURLToPath(new URL('../../../test/corpus/', import.meta.url));
const logs = readdirSync(corpus).filter((f) => f.endsWith('.log')).sort();

describe('real-kernel corpus', () => {
  it('has at least 10 boots of Linux 6.1', () => {
    assert.ok(logs.length >= 10, `only ${logs.length} logs`);
  });

  for (const name of logs) {
    it(`${name} replays exactly`, () => {
      const text = readFileSync(join(corpus, name), 'utf8');
      const r = replayBootLog(lexBootLog(text, name));
      assert.match(r.kernelVersion ?? '', /^6\.1\./);
      assert.deepEqual(r.mismatches.map((m) => formatMismatch(name, m)), []);
      // Every hotplug action of the log was replayed (none stopped the replay).
      assert.deepEqual(r.notes.filter((n) => n.includes('the replay of actions stops here')), []);
      // Every allocation traced by memblock=debug was checked against the kernel's reservation.
      const traced = r.allocations.filter((a) => a.kernel !== undefined);
      assert.ok(traced.length >= 40, `${traced.length} allocations checked`);
      for (const a of traced) assert.equal(a.predicted, a.kernel, `line ${a.line}: ${a.api} from ${a.caller}`);

      // The zone geometry of every zone of every online node equals the captured /proc/zoneinfo.
      // (Boots with memory hotplug end in the state of their last action: the replay compared
      // the boot's capture and each action's itself, and found no mismatch above.)
      const log = lexBootLog(text, name);
      const hotplugged = !!r.machine.memmap;
      if (hotplugged) assert.ok(log.actions.length > 0 || log.captures.has('/sys/devices/system/memory'));
      const cap = log.captures.get('/proc/zoneinfo');
      assert.ok(cap, 'the boot captured /proc/zoneinfo');
      const zones = parseZoneinfo(cap.lines);
      assert.ok(zones.length >= 5);
      for (const z of hotplugged ? [] : zones) {
        const mine = r.machine.zones!.nodes.get(z.nid)!.zones.find((x) => x.name === z.zone)!;
        assert.equal(mine.spannedPages, z.counters.spanned, `node ${z.nid} ${z.zone} spanned`);
        assert.equal(mine.presentPages, z.counters.present, `node ${z.nid} ${z.zone} present`);
        if (z.startPfn !== undefined) assert.equal(mine.zoneStartPfn, z.startPfn, `node ${z.nid} ${z.zone} start_pfn`);
        // managed: memory memblock_free_all() handed over plus what the log says was freed later.
        assert.equal(r.managed?.get(`${z.nid}:${z.zone}`) ?? 0, z.counters.managed, `node ${z.nid} ${z.zone} managed`);
        // The watermarks of hugepage_init() over those managed pages (the kernel adds any boost to each) and the lowmem reserves.
        const w = r.machine.watermarks!.zones.get(wmarkKey(z.nid, (ZONE_NAMES as readonly string[]).indexOf(z.zone)))!;
        const boost = z.counters.boost ?? 0;
        assert.deepEqual([w.min, w.low, w.high], [z.counters.min! - boost, z.counters.low! - boost, z.counters.high! - boost], `node ${z.nid} ${z.zone} min/low/high`);
        assert.deepEqual(w.lowmemReserve, z.protection, `node ${z.nid} ${z.zone} protection`);
      }
      // /proc/kpageflags at the end of boot: reserved and nopage, pfn for pfn (within the boot's max_pfn).
      const kpf = lexBootLog(text, name).captures.get('kpageflags');
      assert.ok(kpf && r.kpageflags, 'kpageflags captured and predicted');
      const capRuns = kpf.lines.map((l) => kpageflagsRun.parse(l)).filter((x): x is KpageflagsRun => !!x);
      for (const d of checkKpageflagsCapture(r.kpageflags, capRuns)) {
        assert.deepEqual([d.predictedOnly, d.kernelOnly], [[], []], `${d.flag} runs`);
      }
      // mem_init()'s "Memory: …K/…K available (… reserved …)" line, predicted in full.
      const memLine = lexBootLog(text, name).kernel.find((l) => l.text.startsWith('Memory: '))!.text;
      assert.equal(r.predicted.find((l) => l.format === 'free.mem-init-info')?.text, memLine);
      // The zone lines themselves were predicted and met in the log.
      for (const head of ['Zone ranges:', 'Early memory node ranges']) {
        assert.ok(r.predicted.some((l) => l.text === head), head);
      }
      assert.ok(r.matchedLines > 50);
    });
  }
});
