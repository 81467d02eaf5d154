// `boot` of each example machine that mirrors a corpus boot prints the kernel's own e820, NUMA
// and zone lines, NODE_DATA placements included (they sit below init_mem_mapping()'s page tables).
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bootMachine } from '../../../src/arch/x86/setup.js';
import { machineNew } from '../../../src/kernel/machine.js';
import { loadMachineFile } from '../../../src/machine/load-file.js';
import { loadPreset, listPresets } from '../../../src/machine/index.js';
import { lexBootLog } from '../../../src/trace/dmesg.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const examples = join(root, 'examples', 'machines');
const corpus = join(root, 'test', 'corpus');
const mirrored = readdirSync(examples).filter((f) => existsSync(join(corpus, f.replace(/\.yaml$/, '.log'))));

/** The memory-setup lines meminit predicts for a machine file. */
const PREDICTED = /^(e820: (update|remove) |last_pfn = |user-defined|user: |NUMA: Node |No NUMA|Faking a node|Zone ranges:|  (DMA|DMA32|Normal|Device) |Movable zone start|  Node \d+: |Early memory node ranges|  node +\d+: |Initializing node|Initmem setup|On node \d+, zone|Built \d+ zonelists|Policy zone| {0,4}NODE_DATA\()/;

/** Known gaps, by machine file: the kernel's line and the one meminit prints instead (none now). */
const KNOWN_GAPS: Record<string, [kernel: string, meminit: string][]> = {};

/**
 * The log up to the end of boot's build_all_zonelists() ("Policy zone:"). DIMMs onlined by the
 * ACPI driver later in boot (memhp_default_state=online…) rebuild the zonelists and print
 * "Built N zonelists" again; that is memory hotplug, not the setup bootMachine() runs (replay
 * checks those lines, Total pages included).
 */
function bootSetupLines(log: string[]): string[] {
  const end = log.findIndex((t) => t.startsWith('Policy zone: '));
  return end < 0 ? log : log.slice(0, end + 1);
}

describe('boot of example machines against the corpus', () => {
  for (const file of mirrored) {
    it(file, () => {
      const spec = loadMachineFile(join(examples, file));
      const m = bootMachine(machineNew(spec.name, spec.firmware));
      const mine = m.printk.lines.map((l) => l.text);
      const gaps = new Map(KNOWN_GAPS[file] ?? []);
      const log = bootSetupLines(lexBootLog(readFileSync(join(corpus, file.replace(/\.yaml$/, '.log')), 'utf8'), file).kernel.map((l) => l.text));
      for (const kernel of gaps.keys()) assert.ok(log.includes(kernel), `known gap no longer in the log: ${kernel}`);
      assert.deepEqual(mine.filter((t) => PREDICTED.test(t)), log.filter((t) => PREDICTED.test(t)).map((t) => gaps.get(t) ?? t));
    });
  }
});

describe('presets boot', () => {
  for (const p of listPresets()) {
    it(p.name, () => {
      const spec = loadPreset(p.name);
      const m = bootMachine(machineNew(spec.name, spec.firmware));
      assert.ok(m.zones && m.zones.nodes.size >= 1);
      assert.ok((m.totalPages ?? 0) > 0);
      // Every byte of usable e820 RAM went to memblock and is counted present in some zone.
      let present = 0;
      for (const pg of m.zones.nodes.values()) present += pg.nodePresentPages;
      const memPages = m.memblock!.memory.regions.reduce((s, r) => s + r.size / 4096, 0);
      assert.equal(present, memPages);
    });
  }
});
