import { bootMachine } from '../../src/arch/x86/setup.js';
import { memInit } from '../../src/arch/x86/mem-init.js';
import { machineNew } from '../../src/kernel/machine.js';
import { loadMachineFile } from '../../src/machine/load-file.js';
import { forEachValidSection } from '../../src/mm/sparse.js';
import { createHash } from 'node:crypto';
for (const f of ['examples/machines/q35-6g-numa2.yaml', 'examples/machines/pc-1g.yaml']) {
  for (const strategy of ['legacy', 'maxorder', 'parallel'] as const) {
    const spec = loadMachineFile(f);
    const m = machineNew(spec.name, spec.firmware);
    bootMachine(m);
    const t = performance.now();
    const r = memInit(m, { strategy, maxThreads: 4, now: () => performance.now() });
    const ms = performance.now() - t;
    const h = createHash('sha1');
    for (const s of forEachValidSection(m.memmap!)) { h.update(new Uint8Array(s.memmap.buffer)); h.update(new Uint8Array(s.usage.buffer, s.usage.byteOffset, s.usage.byteLength)); }
    const managed = [...m.zones!.nodes.values()].map((pg) => pg.zones.map((z) => z.managedPages).join(','));
    console.log(f, strategy, ms.toFixed(0), h.digest('hex').slice(0, 12), managed.join(' | '), JSON.stringify(r), m.printk.lines.slice(-2).map((l) => l.text));
  }
}
import { memInitThreads } from '../../src/node/deferred-threads.js';
for (const f of ['examples/machines/q35-6g-numa2.yaml']) {
  for (const strategy of ['legacy', 'maxorder', 'parallel'] as const) for (const w of [1, 2, 4]) {
    const spec = loadMachineFile(f);
    const m = machineNew(spec.name, spec.firmware);
    bootMachine(m);
    const t = performance.now();
    const r = await memInitThreads(m, { strategy, maxThreads: w });
    const ms = performance.now() - t;
    const h = createHash('sha1');
    for (const s of forEachValidSection(m.memmap!)) { h.update(new Uint8Array(s.memmap.buffer)); h.update(new Uint8Array(s.usage.buffer, s.usage.byteOffset, s.usage.byteLength)); }
    const managed = [...m.zones!.nodes.values()].map((pg) => pg.zones.map((z) => z.managedPages).join(','));
    console.log('threads', strategy, w, ms.toFixed(0), h.digest('hex').slice(0, 12), managed.join(' | '), r.startMs.toFixed(0), r.initMs.toFixed(0), r.spliceMs.toFixed(0), m.printk.lines.slice(-2).map((l) => l.text));
  }
}
