// SPDX-License-Identifier: GPL-2.0-only
// Just enough of libnvdimm's and device-dax's sysfs (drivers/nvdimm, drivers/dax, 6.1) to drive
// legacy persistent memory (memmap=nn!ss, e820 type 12, nd_e820) into ZONE_DEVICE the way an
// administrator does without ndctl:
//   insmod libnvdimm nd_pmem nd_e820     one region and raw namespace per pmem range; nd_pmem's
//                                       probe (memremap_pages, memmap in RAM) runs asynchronously:
//                                       it has happened once /sys/bus/nd/devices/ndbus0/wait_probe is read
//   …/nd_pmem/unbind namespaceN.0       the raw mapping goes
//   …/pfnN.0/{namespace,mode,uuid,align} then …/nd_pmem/bind pfnN.0: a pfn device (fsdax; mode ram:
//                                       memmap in RAM, pmem: on the device through an altmap)
//   …/daxN.0/… then …/dax_pmem/bind daxN.0 (device_dax loaded): a devdax device dax N.0 on /sys/bus/dax
//   /sys/bus/dax/drivers/device_dax/unbind daxN.0, …/kmem/new_id daxN.0: the device's memory as
//                                       hot-plugged System RAM (kmem: add_memory_driver_managed())
// Namespaces, labels, BTT and everything else of libnvdimm are not modelled.
import { PAGE_SIZE } from '../../include/pfn.js';
import type { Machine } from '../../kernel/machine.js';
import { addMemory, EBUSY, EINVAL, hotplugOf } from '../../mm/memory-hotplug.js';
import { getDevPagemap, memunmapPages } from '../../mm/memremap.js';
import { memremapPmem, ndPfnLayout, pmemRanges, pmemTargetNode } from '../../mm/memremap-pmem.js';
import { ENOENT } from '../base/memory.js';

export const ENODEV = -19;

/** The modules meminit knows the effect of; other names are refused (ENOENT, as insmod of a missing file). */
export const ND_MODULES = ['libnvdimm', 'nd_btt', 'nd_pmem', 'nd_e820', 'dax_pmem', 'device_dax', 'kmem'] as const;

interface Seed { namespace: number | undefined; mode: string | undefined; uuid: string | undefined; align: number; bound: boolean }

/** The nd bus of one machine. */
export interface NdBus {
  modules: Set<string>;
  /** nd_pmem's probes queued by module loads, run when wait_probe is read. */
  probePending: boolean;
  /** Per region (pmem range, in address order): is its raw namespace bound to nd_pmem? claimed by a seed? */
  raw: boolean[];
  pfn: Seed[];
  dax: Seed[];
  /** dax devices on /sys/bus/dax: region → 'device_dax' | 'kmem' | undefined (unbound). */
  daxDriver: (string | undefined)[];
}

function bus(m: Machine): NdBus {
  const regions = pmemRanges(m).length;
  const seed = (): Seed => ({ namespace: undefined, mode: undefined, uuid: undefined, align: 2 * 1024 * 1024, bound: false });
  m.nd ??= {
    modules: new Set(), probePending: false, raw: new Array<boolean>(regions).fill(false),
    pfn: Array.from({ length: regions }, seed), dax: Array.from({ length: regions }, seed), daxDriver: new Array(regions).fill(undefined),
  };
  return m.nd;
}

/** insmod NAME: 0, or ENOENT for a module meminit does not know. Loading nd_e820 with nd_pmem queues the raw probes. */
export function insmod(m: Machine, name: string): number {
  if (!(ND_MODULES as readonly string[]).includes(name)) return ENOENT;
  const b = bus(m);
  b.modules.add(name);
  if (b.modules.has('nd_e820') && b.modules.has('nd_pmem') && b.modules.has('libnvdimm') && !b.raw.some((x) => x)) b.probePending = true;
  return 0;
}

/** The asynchronous probes finish: every raw namespace nd_pmem may bind is mapped (pmem_should_map_pages(): memmap in RAM). */
function waitProbe(m: Machine): void {
  const b = bus(m);
  if (!b.probePending) return;
  b.probePending = false;
  pmemRanges(m).forEach((r, i) => {
    if (b.raw[i] || b.pfn[i]!.bound || b.dax[i]!.bound) return;
    if (memremapPmem(m, { start: r.start, altmap: false }) === 0) b.raw[i] = true;
  });
}

function unmapAt(m: Machine, start: number): void {
  const p = getDevPagemap(m, Math.floor(start / PAGE_SIZE));
  if (p) memunmapPages(m, p);
}

const NS = /^namespace(\d+)\.0$/;
const SEED = /^(pfn|dax)(\d+)\.0$/;

/** A write under /sys/bus/nd or /sys/bus/dax: 0 or the errno; undefined when the path is not one of them. */
export function ndSysfsWrite(m: Machine, path: string, value: string): number | undefined {
  const v = value.replace(/\n$/, '');
  const b = bus(m);
  const ranges = pmemRanges(m);
  const drv = /^\/sys\/bus\/nd\/drivers\/(nd_pmem|dax_pmem)\/(bind|unbind)$/.exec(path);
  if (drv) {
    waitProbe(m);
    const ns = NS.exec(v);
    const sd = SEED.exec(v);
    const i = +(ns?.[1] ?? sd?.[2] ?? -1);
    if (i < 0 || i >= ranges.length) return ENODEV;
    if (drv[2] === 'unbind') {
      if (ns && drv[1] === 'nd_pmem' && b.raw[i]) b.raw[i] = false;
      else if (sd && sd[1] === 'pfn' && drv[1] === 'nd_pmem' && b.pfn[i]!.bound) b.pfn[i]!.bound = false;
      else if (sd && sd[1] === 'dax' && drv[1] === 'dax_pmem' && b.dax[i]!.bound) b.dax[i]!.bound = false;
      else return ENODEV;
      unmapAt(m, ranges[i]!.start);
      return 0;
    }
    const kind = sd?.[1];
    if (!kind || (kind === 'pfn') !== (drv[1] === 'nd_pmem') || !b.modules.has(drv[1]!)) return ENODEV;
    const s = (kind === 'pfn' ? b.pfn : b.dax)[i]!;
    if (s.bound) return EBUSY;
    if (s.namespace !== i || !s.uuid || !s.mode || b.raw[i]) return ENODEV;
    if (kind === 'dax' && !b.modules.has('device_dax')) return ENODEV;
    const ret = memremapPmem(m, { start: ranges[i]!.start, altmap: s.mode === 'pmem', align: s.align, ...(kind === 'dax' ? { mode: 'devdax' as const } : {}) });
    if (ret) return ret;
    s.bound = true;
    if (kind === 'dax') b.daxDriver[i] = 'device_dax';
    return 0;
  }
  const attr = /^\/sys\/bus\/nd\/devices\/(pfn|dax)(\d+)\.0\/(namespace|mode|uuid|align)$/.exec(path);
  if (attr) {
    const i = +attr[2]!;
    if (i >= ranges.length) return ENOENT;
    const s = (attr[1] === 'pfn' ? b.pfn : b.dax)[i]!;
    if (s.bound) return EBUSY;
    if (attr[3] === 'namespace') {
      const ns = NS.exec(v);
      if (!ns || +ns[1]! !== i) return ENODEV;
      s.namespace = i;
    } else if (attr[3] === 'mode') {
      // nd_pfn/nd_dax mode_store(): "ram" (memmap in RAM) or "pmem" (on the device).
      if (v !== 'ram' && v !== 'pmem') return EINVAL;
      s.mode = v;
    } else if (attr[3] === 'uuid') {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return EINVAL;
      s.uuid = v;
    } else {
      const a = Number(v);
      if (![4096, 2 ** 21, 2 ** 30].includes(a)) return EINVAL;
      s.align = a;
    }
    return 0;
  }
  const dax = /^\/sys\/bus\/dax\/drivers\/(device_dax|kmem)\/(unbind|new_id|bind)$/.exec(path);
  if (dax) {
    const dm = /^dax(\d+)\.0$/.exec(v);
    const i = dm ? +dm[1]! : -1;
    if (i < 0 || i >= ranges.length || !b.dax[i]!.bound) return ENODEV;
    if (dax[2] === 'unbind') {
      if (b.daxDriver[i] !== dax[1]) return ENODEV;
      if (dax[1] === 'device_dax') unmapAt(m, ranges[i]!.start);
      b.daxDriver[i] = undefined;
      return 0;
    }
    if (dax[1] !== 'kmem' || !b.modules.has('kmem')) return ENODEV;
    if (b.daxDriver[i] !== undefined) return 0;
    return kmemProbe(m, i);
  }
  return undefined;
}

/**
 * dev_dax_kmem_probe(): the device's data range, cut to whole memory blocks, hot-added as
 * driver-managed System RAM ("System RAM (kmem)") on the device's node, offline unless
 * auto_online_blocks says otherwise.
 */
function kmemProbe(m: Machine, i: number): number {
  const b = bus(m);
  const r = pmemRanges(m)[i]!;
  const lay = ndPfnLayout(r.start, r.size, b.dax[i]!.align);
  if (typeof lay === 'number') return lay;
  const bs = hotplugOf(m).blocks.blockSize;
  const data = b.dax[i]!.mode === 'pmem' ? r.start + lay.offset : r.start;
  const start = Math.ceil(data / bs) * bs;
  const end = Math.floor((r.start + r.size - lay.endTrunc) / bs) * bs;
  if (end <= start) return EINVAL;
  const ret = addMemory(m, pmemTargetNode(m, r.start), start, end - start, { resourceName: 'System RAM (kmem)' });
  if (ret) return ret;
  b.daxDriver[i] = 'kmem';
  return 0;
}

/** A read under /sys/bus/nd: wait_probe (0 once the probes are done); undefined for other paths. */
export function ndSysfsRead(m: Machine, path: string): string | undefined {
  if (path !== '/sys/bus/nd/devices/ndbus0/wait_probe') return undefined;
  if (!bus(m).modules.has('libnvdimm')) return undefined;
  waitProbe(m);
  return '0\n';
}
