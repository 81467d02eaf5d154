// The capture sections of a corpus boot (what its initramfs printed): checked against the model.
import { nodeDistance } from '../arch/x86/numa-distance.js';
import type { BootLog } from './dmesg.js';
import { parseZoneinfo } from './formats/zoneinfo.js';
import { wmarkKey } from '../mm/watermark.js';
import { emitIomem, iomemLine, parseIomem, ramBufferLine, type IomemLine } from './formats/iomem.js';
import { meminfoLine } from './formats/meminfo.js';
import { memInitInfo } from './formats/free.js';
import { gbpagesDirectMapping } from './formats/mapping.js';
import { iomemLines, iomemPredictable, iomemTree, KERNEL_SECTION_NAMES, ramBuffers, type KernelSections } from '../fs/proc/iomem.js';
import { directMap, meminfoLines } from '../fs/proc/meminfo.js';
import { roundUp, SZ_1M } from '../include/pfn.js';
import { kernelImageFromLog } from './replay-late-frees.js';
import type { ReplayContext } from './replay-context.js';
import { hotAddedRanges } from './replay-hotplug.js';
import type { ZoneCounts } from './replay-managed.js';
import { pgtableL5Enabled } from '../arch/x86/pgtable.js';

/**
 * /proc/zoneinfo: spanned, present, start_pfn (and managed, when predicted) of every zone of every
 * online node must match; so must min/low/high (less the boost the kernel adds to each) and
 * protection, when the machine's watermarks are predicted.
 */
export function checkZoneinfoCapture(ctx: ReplayContext, log: BootLog, managed: ZoneCounts | undefined, name = '/proc/zoneinfo'): void {
  const cap = log.captures.get(name);
  const zones = ctx.m.zones;
  if (!cap || !zones) return;
  for (const z of parseZoneinfo(cap.lines)) {
    const zid = zones.nodes.get(z.nid)?.zones.findIndex((x) => x.name === z.zone) ?? -1;
    const mine = zid >= 0 ? zones.nodes.get(z.nid)!.zones[zid] : undefined;
    const pairs: [string, number | string | undefined, number | string | undefined][] = [
      ['spanned', z.counters.spanned, mine?.spannedPages],
      ['present', z.counters.present, mine?.presentPages],
      ['start_pfn', z.startPfn, mine && mine.presentPages ? mine.zoneStartPfn : undefined],
    ];
    if (managed) pairs.push(['managed', z.counters.managed, managed.get(`${z.nid}:${z.zone}`) ?? 0]);
    const w = ctx.m.watermarks?.zones.get(wmarkKey(z.nid, zid));
    if (ctx.m.watermarks) {
      const boost = z.counters.boost ?? 0;
      const less = (v: number | undefined): number | undefined => (v === undefined ? undefined : v - boost);
      pairs.push(['min', less(z.counters.min), w?.min ?? 0], ['low', less(z.counters.low), w?.low ?? 0], ['high', less(z.counters.high), w?.high ?? 0]);
      pairs.push(['protection', z.protection && `(${z.protection.join(', ')})`, `(${(w?.lowmemReserve ?? z.protection?.map(() => 0) ?? []).join(', ')})`]);
    }
    for (const [field, got, want] of pairs) {
      if (got === undefined && want === undefined) continue;
      if (got === want) ctx.check.matched++;
      else ctx.check.add({ line: cap.no, format: 'zoneinfo', what: 'differs', kernel: `${name === '/proc/zoneinfo' ? '' : `${name}: `}Node ${z.nid}, zone ${z.zone}: ${field} ${got}`, predicted: `${field} ${want}` });
    }
  }
}

/** /sys/devices/system/node: each online node's distance row must be node_distance() of the model's table. */
export function checkNodeDistanceCapture(ctx: ReplayContext, log: BootLog): void {
  const cap = log.captures.get('/sys/devices/system/node');
  const numa = ctx.m.numa;
  if (!cap || !numa) return;
  const rows = cap.lines.map((l) => /^node(\d+) .*distance=([\d,]+)$/.exec(l)).filter((m) => m !== null);
  const nids = rows.map((m) => +m[1]!);
  for (const m of rows) {
    const from = +m[1]!;
    const want = nids.map((to) => nodeDistance(numa.distance, from, to)).join(',');
    if (want === m[2]) ctx.check.matched++;
    else ctx.check.add({ line: cap.no, format: 'node.distance', what: 'differs', kernel: `node${from} distance=${m[2]}`, predicted: `distance=${want}` });
  }
}

/**
 * The kernel image's sections as the log tells them: _text and brk (= __bss_stop) from the
 * reservations, the sizes from the "Memory:" line. rodata and data start on the next 2 MiB
 * boundary; code and data sizes are printed in KiB, so their last byte is known to the KiB
 * (`slack`), rodata and bss to the byte.
 */
function kernelSectionsFromLog(ctx: ReplayContext, log: BootLog): { sections: KernelSections; slack: Record<keyof KernelSections, number> } | undefined {
  const img = kernelImageFromLog(ctx.m, log);
  const info = log.kernel.map((l) => memInitInfo.parse(l.text)).find((v) => v !== undefined);
  if (!img || !info) return undefined;
  const K = 1024;
  const rodata = roundUp(img.text + info.codeK * K, 2 * SZ_1M);
  const data = roundUp(rodata + info.rodataK * K, 2 * SZ_1M);
  return {
    sections: {
      code: [img.text, img.text + info.codeK * K - 1],
      rodata: [rodata, rodata + info.rodataK * K - 1],
      data: [data, data + info.rwdataK * K - 1],
      bss: [img.brk - info.bssK * K, img.brk - 1],
    },
    slack: { code: K - 1, rodata: 0, data: K - 1, bss: 0 },
  };
}

/**
 * /proc/iomem: the e820 entries, RAM buffers and kernel sections must be the capture's lines
 * once its device lines are taken out (see iomemPredictable()).
 */
export function checkIomemCapture(ctx: ReplayContext, log: BootLog): void {
  const cap = log.captures.get('/proc/iomem');
  const table = ctx.m.e820?.table;
  if (!cap || !table) return;
  let kernel: IomemLine[];
  try {
    kernel = iomemPredictable(parseIomem(cap.lines));
  } catch (e) {
    ctx.notes.push(`${ctx.file}:${cap.no}: ${(e as Error).message}: /proc/iomem not checked`);
    return;
  }
  const ks = kernelSectionsFromLog(ctx, log);
  if (ks) {
    // Take the capture's last byte of code and data when it lies within the KiB the log allows.
    for (const k of ['code', 'data'] as const) {
      const got = kernel.find((l) => l.name === KERNEL_SECTION_NAMES[k] && l.start === ks.sections[k][0]);
      const end = ks.sections[k][1];
      if (got && got.end >= end && got.end <= end + ks.slack[k]) ks.sections[k][1] = got.end;
    }
  } else {
    ctx.notes.push(`${ctx.file}: no reserve_brk() trace or no "Memory:" line: the kernel's sections in /proc/iomem are not predicted`);
    kernel = kernel.filter((l) => !l.name.startsWith('Kernel '));
  }
  // RAM a driver added after boot (an ACPI memory device's DIMM) is in no e820 RAM entry: the
  // replay's memory hotplug has it, when it ran.
  const hotAdded = ctx.m.hotplug?.resources ?? [];
  const added = hotAddedRanges(ctx.m, cap.lines);
  const hot = kernel.filter((l) => l.depth === 0 && added.some((r) => r.start === l.start) && !hotAdded.some((r) => r.start === l.start));
  if (hot.length) {
    ctx.notes.push(`${ctx.file}:${cap.no}: System RAM added after boot (hotplug) is not predicted: ${hot.map((l) => iomemLine.emit({ ...l, depth: 0 })).join(', ')}`);
    kernel = kernel.filter((l) => !hot.includes(l));
  }
  const want = emitIomem(iomemLines(iomemTree(table, ks?.sections, hotAdded)));
  const got = emitIomem(kernel);
  const wantSet = new Set(want);
  const gotSet = new Set(got);
  for (const l of want) {
    if (gotSet.has(l)) ctx.check.matched++;
    else ctx.check.add({ line: cap.no, format: 'iomem', what: 'missing', predicted: l });
  }
  for (const l of got) if (!wantSet.has(l)) ctx.check.add({ line: cap.no, format: 'iomem', what: 'unpredicted', kernel: l });
}

/**
 * /proc/meminfo: MemTotal (the zones' managed pages), VmallocTotal, the hugepage lines, and the
 * direct map's total (DirectMap4k + 2M + 1G: the running kernel has split some large pages).
 */
export function checkMeminfoCapture(ctx: ReplayContext, log: BootLog, managed: ZoneCounts | undefined): void {
  const cap = log.captures.get('/proc/meminfo');
  if (!cap) return;
  const fields = new Map(cap.lines.map((l) => meminfoLine.parse(l)).filter((v) => v !== undefined).map((v) => [v.field, v.value]));
  const m = ctx.m;
  const total = managed ? [...managed.values()].reduce((a, b) => a + b, 0) : undefined;
  if (total === undefined) ctx.notes.push(`${ctx.file}:${cap.no}: managed pages not predicted: MemTotal not checked`);
  const gbpages = log.kernel.some((l) => gbpagesDirectMapping.parse(l.text));
  let dm = m.memblock && m.maxPfn ? directMap(m.memblock, m.maxPfn, gbpages) : undefined;
  // init_mem_mapping() maps in steps; a large page a later step maps over again counts again
  // (phys_pud_init()/phys_pmd_init() do pages++ for an existing leaf). With 1G pages, or mapping
  // bottom-up from the kernel's end (movable_node), steps share large pages: the kernel's sum then
  // runs above the bytes mapped, and meminit, which counts each page once, does not follow it.
  const why = gbpages ? '1G pages' : m.params.movableNode ? 'movable_node maps bottom-up' : undefined;
  // arch_add_memory() → init_memory_mapping(): memory hotplug maps what it adds (DirectMap2M here).
  const hotBytes = (m.hotplug?.resources ?? []).reduce((n, r) => n + r.end - r.start, 0);
  if (dm && hotBytes) dm = { ...dm, m2: dm.m2 + hotBytes };
  if (dm && why) {
    ctx.notes.push(`${ctx.file}:${cap.no}: DirectMap totals not checked (${why}): meminit counts each mapped page once, the kernel counts large pages again when a later init_mem_mapping() step maps over them`);
    dm = undefined;
  }
  const predicted = meminfoLines({
    totalramPages: total ?? 0,
    hugepagesParam: m.params.args.some((a) => a.param.startsWith('hugepage')),
    l5: pgtableL5Enabled(m),
    cpuGbpages: fields.has('DirectMap1G'),
    ...(dm ? { directMap: dm } : {}),
  }).filter((l) => total !== undefined || l.field !== 'MemTotal');
  const sum = (f: Map<string, number>): number => (f.get('DirectMap4k') ?? 0) + (f.get('DirectMap2M') ?? 0) + (f.get('DirectMap1G') ?? 0);
  const mine = new Map(predicted.map((l) => [l.field, l.value]));
  const pairs: [string, number | undefined, number | undefined][] = predicted
    .filter((l) => !l.field.startsWith('DirectMap'))
    .map((l) => [l.field, fields.get(l.field), l.value]);
  if (dm) pairs.push(['DirectMap4k+2M+1G', fields.has('DirectMap4k') ? sum(fields) : undefined, sum(mine)]);
  for (const [field, got, want] of pairs) {
    if (got === want) ctx.check.matched++;
    else ctx.check.add({ line: cap.no, format: 'meminfo', what: 'differs', kernel: `${field}: ${got ?? '(absent)'} kB`, predicted: `${field}: ${want} kB` });
  }
}

/**
 * The "e820: reserve RAM buffer" lines (printed at KERN_DEBUG, so with ignore_loglevel or a debug
 * console level): one per RAM entry that does not end on its alignment, in e820 order.
 */
export function checkRamBufferLines(ctx: ReplayContext, log: BootLog): void {
  const table = ctx.m.e820?.table;
  const got = log.kernel.filter((l) => ramBufferLine.parse(l.text) !== undefined);
  if (!table || !got.length) return;
  const want = ramBuffers(table).map(([start, end]) => ramBufferLine.emit({ start, end }));
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const k = got[i];
    const p = want[i];
    if (k && p && k.text === p) ctx.check.matched++;
    else if (k && p) ctx.check.add({ line: k.no, format: ramBufferLine.name, what: 'differs', kernel: k.text, predicted: p });
    else if (k) ctx.check.add({ line: k.no, format: ramBufferLine.name, what: 'unpredicted', kernel: k.text });
    else ctx.check.add({ format: ramBufferLine.name, what: 'missing', predicted: p! });
  }
}
