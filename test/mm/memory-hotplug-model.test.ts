// Model-based hotplug test: random sequences of online (each type), offline, DIMM remove and
// re-add, and kernel/user allocations and frees on a 512M pc with two DIMMs (memory32-33 and
// memory34-37), run under both --hotplug-reserved settings. The model knows only which blocks
// exist and in which zone each online block is; from that it predicts 6.1's answer to every
// write (errno or success), the zone "online" picks, each hot-added zone's span (the hull of
// its online blocks: Normal and Movable are empty at boot here) and present/managed pages.
// After every step the real machine must agree and the invariant checker must find nothing.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MigrateType, ZoneType } from '../../src/include/mmzone.js';
import type { Machine } from '../../src/kernel/machine.js';
import { acpiMemoryDeviceAdd } from '../../src/drivers/acpi/acpi-memhotplug.js';
import { checkMachineReport } from '../../src/mm/check.js';
import { EBUSY, EEXIST, EINVAL, removeMemory } from '../../src/mm/memory-hotplug.js';
import { allocTracked, freeTracked } from '../../src/mm/page-alloc-tracked.js';
import { zoneEndPfn } from '../../src/mm/zone.js';
import { blockWrite, cat, hotplugMachine, MEM } from './hotplug-fixture.js';

const BLOCK = 32768;
const MACHINE = { machine: 'pc', memory: '512M', slots: 4, maxmem: '4G', dimms: [{ size: '256M' }, { size: '512M' }] };
const DIMMS = [{ start: 0x100000000, size: 0x10000000, ids: [32, 33] }, { start: 0x110000000, size: 0x20000000, ids: [34, 35, 36, 37] }];
const IDS = DIMMS.flatMap((d) => d.ids);
type Zone = 'Normal' | 'Movable';

interface Model {
  /** Hot-added blocks that exist: undefined while offline, else the zone they are online in. */
  blocks: Map<number, Zone | undefined>;
}
interface Real {
  m: Machine;
}

/** zone_intersects() of a hull [lo, hi) of block ids against one block. */
function hull(model: Model, z: Zone): [number, number] | undefined {
  const ids = [...model.blocks].filter(([, zz]) => zz === z).map(([id]) => id);
  return ids.length ? [Math.min(...ids), Math.max(...ids) + 1] : undefined;
}
const inside = (h: [number, number] | undefined, id: number): boolean => !!h && id >= h[0] && id < h[1];

/** The zone 6.1's default online (contig-zones, no movable_node) picks: the one whose span holds the block, else Normal. */
function defaultZone(model: Model, id: number): Zone {
  const n = inside(hull(model, 'Normal'), id);
  const mv = inside(hull(model, 'Movable'), id);
  return n !== mv ? (n ? 'Normal' : 'Movable') : 'Normal';
}

function agree(model: Model, r: Real): void {
  for (const id of IDS) {
    const want = model.blocks.has(id) ? (model.blocks.get(id) === undefined ? 'offline' : 'online') : 'absent';
    const got = r.m.hotplug!.blocks.get(id)?.state ?? 'absent';
    assert.equal(got, want, `memory${id}`);
    if (want === 'online') assert.equal(cat(r.m, `${MEM}/memory${id}/valid_zones`), model.blocks.get(id));
  }
  for (const [z, zid] of [['Normal', ZoneType.NORMAL], ['Movable', ZoneType.MOVABLE]] as const) {
    const zone = r.m.zones!.nodes.get(0)!.zones[zid]!;
    const h = hull(model, z);
    const online = [...model.blocks.values()].filter((x) => x === z).length;
    assert.deepEqual([zone.zoneStartPfn, zoneEndPfn(zone)], h ? [h[0] * BLOCK, h[1] * BLOCK] : [0, 0], `${z} span`);
    assert.equal(zone.presentPages, online * BLOCK, `${z} present`);
    assert.equal(zone.managedPages, online * BLOCK, `${z} managed`);
  }
  const c = checkMachineReport(r.m, 3);
  assert.equal(c.total, 0, c.violations.map((v) => v.detail).join('\n'));
}

class Online implements fc.Command<Model, Real> {
  constructor(readonly id: number, readonly how: 'online' | 'online_kernel' | 'online_movable') {}
  check = (): boolean => true;
  run(model: Model, r: Real): void {
    const ret = blockWrite(r.m, this.id, 'state', this.how);
    if (!model.blocks.has(this.id)) assert.equal(ret, -2);
    else if (model.blocks.get(this.id) !== undefined) assert.equal(ret, EINVAL);
    else {
      assert.equal(ret, 0);
      model.blocks.set(this.id, this.how === 'online_kernel' ? 'Normal' : this.how === 'online_movable' ? 'Movable' : defaultZone(model, this.id));
    }
    agree(model, r);
  }
  toString = (): string => `echo ${this.how} > memory${this.id}/state`;
}

class Offline implements fc.Command<Model, Real> {
  constructor(readonly id: number) {}
  check = (): boolean => true;
  run(model: Model, r: Real): void {
    const start = this.id * BLOCK;
    const pinned = [...r.m.hotplug!.allocations.values()].some((a) => a.migratetype !== MigrateType.MOVABLE
      && a.blocks.some((b) => b.pfn >= start && b.pfn < start + BLOCK));
    const ret = blockWrite(r.m, this.id, 'state', 'offline');
    if (!model.blocks.has(this.id)) assert.equal(ret, -2);
    else if (model.blocks.get(this.id) === undefined) assert.equal(ret, EINVAL);
    else if (pinned) assert.equal(ret, EBUSY);
    else {
      assert.equal(ret, 0);
      model.blocks.set(this.id, undefined);
    }
    agree(model, r);
  }
  toString = (): string => `echo offline > memory${this.id}/state`;
}

class Remove implements fc.Command<Model, Real> {
  constructor(readonly d: number) {}
  check = (): boolean => true;
  run(model: Model, r: Real): void {
    const dimm = DIMMS[this.d]!;
    const ret = removeMemory(r.m, dimm.start, dimm.size);
    if (!dimm.ids.every((id) => model.blocks.has(id))) assert.equal(ret, EINVAL);
    else if (dimm.ids.some((id) => model.blocks.get(id) !== undefined)) assert.equal(ret, EBUSY);
    else {
      assert.equal(ret, 0);
      for (const id of dimm.ids) model.blocks.delete(id);
    }
    agree(model, r);
  }
  toString = (): string => `remove dimm${this.d}`;
}

class Add implements fc.Command<Model, Real> {
  constructor(readonly d: number) {}
  check = (): boolean => true;
  run(model: Model, r: Real): void {
    const dimm = DIMMS[this.d]!;
    const ret = acpiMemoryDeviceAdd(r.m, 0, dimm.start, dimm.size);
    if (dimm.ids.some((id) => model.blocks.has(id))) assert.equal(ret, EEXIST);
    else {
      assert.equal(ret, 0);
      for (const id of dimm.ids) model.blocks.set(id, undefined);
    }
    agree(model, r);
  }
  toString = (): string => `dimm add dimm${this.d}`;
}

class Alloc implements fc.Command<Model, Real> {
  constructor(readonly pages: number, readonly movable: boolean) {}
  check = (): boolean => true;
  run(model: Model, r: Real): void {
    const mt = this.movable ? MigrateType.MOVABLE : MigrateType.UNMOVABLE;
    const a = allocTracked(r.m, { pages: this.pages, order: 0, migratetype: mt, nid: 0, highestZone: this.movable ? ZoneType.MOVABLE : ZoneType.NORMAL });
    assert.ok(a, 'a small allocation always fits');
    agree(model, r);
  }
  toString = (): string => `alloc ${this.pages} type=${this.movable ? 'movable' : 'unmovable'}`;
}

class Free implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (): boolean => true;
  run(model: Model, r: Real): void {
    const ids = [...r.m.hotplug!.allocations.keys()];
    if (ids.length) assert.ok(freeTracked(r.m, ids[this.pick % ids.length]!));
    agree(model, r);
  }
  toString = (): string => `free #${this.pick}`;
}

const commands = [
  fc.tuple(fc.constantFrom(...IDS), fc.constantFrom('online', 'online_kernel', 'online_movable') as fc.Arbitrary<'online' | 'online_kernel' | 'online_movable'>)
    .map(([id, how]) => new Online(id, how)),
  fc.constantFrom(...IDS).map((id) => new Offline(id)),
  fc.integer({ min: 0, max: 1 }).map((d) => new Remove(d)),
  fc.integer({ min: 0, max: 1 }).map((d) => new Add(d)),
  fc.tuple(fc.integer({ min: 1, max: 600 }), fc.boolean()).map(([n, mv]) => new Alloc(n, mv)),
  fc.nat(20).map((p) => new Free(p)),
];

describe('memory hotplug against a model', () => {
  for (const reserved of ['keep', 'drop'] as const) {
    it(`random online/offline/remove/add/alloc/free sequences (--hotplug-reserved=${reserved})`, () => {
      fc.assert(
        fc.property(fc.commands(commands, { maxCommands: 14 }), (cmds) => {
          const m = hotplugMachine(MACHINE, reserved);
          const model: Model = { blocks: new Map(IDS.map((id) => [id, undefined])) };
          fc.modelRun(() => ({ model, real: { m } }), cmds);
        }),
        { numRuns: 12, seed: reserved === 'keep' ? 4242 : 2424 },
      );
    });
  }
});
