// Memory hotplug throughput (never run by npm test):
//   npm run -s build && node dist/bench/hotplug.js [--size 16G] [--rounds 3] [--json]
// A pc with 2G of boot memory and one DIMM of SIZE, hot-added at boot as the ACPI driver does
// (offline blocks, struct pages poisoned: that add — section memmaps allocated and first touched —
// is timed apart). Then each round onlines every block of the DIMM through its sysfs state file
// (online_movable: move_pfn_range_to_zone() → memmap init in hotplug context, __free_pages_core()
// of MAX_ORDER-1 chunks, undo isolation) and offlines them again (isolation, removal from the free
// lists, the struct pages poisoned again), under --hotplug-reserved keep (6.1) and drop. Reports
// pages per second for online and offline.
import { memInit } from '../src/arch/x86/mem-init.js';
import { bootMachine } from '../src/arch/x86/setup.js';
import { acpiScanMemoryDevices } from '../src/drivers/acpi/acpi-memhotplug.js';
import { sysfsWrite } from '../src/fs/sysfs.js';
import { machineNew, type Machine } from '../src/kernel/machine.js';
import { buildMachine } from '../src/machine/index.js';
import { parseBytes } from '../src/machine/units.js';
import { memoryHotplugInit } from '../src/mm/memory-hotplug.js';

const GiB = 2 ** 30;

interface Run { reserved: 'keep' | 'drop'; pages: number; addMs: number; onlineMs: number; offlineMs: number; onlineMpagesPerSec: number; offlineMpagesPerSec: number }

function args(): { size: number; rounds: number; json: boolean } {
  const a = process.argv.slice(2);
  const val = (k: string, d: string): string => {
    const i = a.indexOf(k);
    return i >= 0 && a[i + 1] ? a[i + 1]! : d;
  };
  for (const x of a) if (x.startsWith('--') && !['--size', '--rounds', '--json'].includes(x)) fail(`unknown option ${x} (expected --size, --rounds, --json)`);
  const size = parseBytes(val('--size', '16G'));
  if (size === undefined || size < GiB || size % (128 * 2 ** 20)) fail(`--size ${val('--size', '')}: give a multiple of 128M of at least 1G, e.g. 16G`);
  const rounds = Number(val('--rounds', '3'));
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) fail('--rounds: a whole number from 1 to 20');
  return { size: size!, rounds, json: a.includes('--json') };
}

function fail(msg: string): never {
  process.stderr.write(`bench/hotplug: ${msg}\n`);
  process.exit(2);
}

function machine(size: number, reserved: 'keep' | 'drop'): { m: Machine; addMs: number } {
  const spec = buildMachine({ machine: 'pc', memory: '2G', slots: 1, maxmem: `${2 + Math.ceil(size / GiB) + 1}G`, dimms: [{ size }] }, 'bench', 'bench-hotplug');
  const m = machineNew(spec.name, spec.firmware);
  bootMachine(m);
  memInit(m, { strategy: 'parallel' });
  memoryHotplugInit(m, { reserved });
  const t = performance.now();
  const bad = acpiScanMemoryDevices(m, spec.dimms);
  if (bad) fail(`the DIMM could not be added (errno ${bad.errno})`);
  return { m, addMs: performance.now() - t };
}

function cycle(m: Machine): { onlineMs: number; offlineMs: number; pages: number } {
  const blocks = m.hotplug!.blocks.all().filter((b) => b.state === 'offline');
  const write = (id: number, v: string): void => {
    const ret = sysfsWrite(m, `/sys/devices/system/memory/memory${id}/state`, `${v}\n`);
    if (ret) fail(`memory${id}: ${v} failed with errno ${ret}`);
  };
  let t = performance.now();
  for (const b of blocks) write(b.id, 'online_movable');
  const onlineMs = performance.now() - t;
  t = performance.now();
  for (const b of blocks) write(b.id, 'offline');
  return { onlineMs, offlineMs: performance.now() - t, pages: blocks.length * m.hotplug!.blocks.blockPages };
}

function main(): void {
  const o = args();
  const runs: Run[] = [];
  for (const reserved of ['keep', 'drop'] as const) {
    const { m, addMs } = machine(o.size, reserved);
    cycle(m); // untimed: JIT warm-up and first touch of the free-list paths
    let best = { onlineMs: Infinity, offlineMs: Infinity, pages: 0 };
    for (let r = 0; r < o.rounds; r++) {
      const c = cycle(m);
      best = { onlineMs: Math.min(best.onlineMs, c.onlineMs), offlineMs: Math.min(best.offlineMs, c.offlineMs), pages: c.pages };
    }
    const rate = (ms: number): number => +(best.pages / 1e6 / (ms / 1000)).toFixed(1);
    runs.push({
      reserved, pages: best.pages, addMs: +addMs.toFixed(1), onlineMs: +best.onlineMs.toFixed(1), offlineMs: +best.offlineMs.toFixed(1),
      onlineMpagesPerSec: rate(best.onlineMs), offlineMpagesPerSec: rate(best.offlineMs),
    });
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ sizeBytes: o.size, rounds: o.rounds, runs }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`memory hotplug: one DIMM of ${o.size / GiB} GiB (${runs[0]!.pages} pages, ${runs[0]!.pages / 32768} blocks), best of ${o.rounds}\n`);
  process.stdout.write('reserved  add+touch ms  online ms  Mpages/s  offline ms  Mpages/s\n');
  for (const r of runs) {
    process.stdout.write(`${r.reserved.padEnd(8)}  ${String(r.addMs).padStart(12)}  ${String(r.onlineMs).padStart(9)}  ${String(r.onlineMpagesPerSec).padStart(8)}  ${String(r.offlineMs).padStart(10)}  ${String(r.offlineMpagesPerSec).padStart(8)}\n`);
  }
}

main();
