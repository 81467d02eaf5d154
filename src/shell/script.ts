// SPDX-License-Identifier: GPL-2.0-only
// Hotplug scripts: a few shell-like lines run against a booted machine (`meminit run`, `--script`).
//   # comment
//   echo TEXT                    prints TEXT
//   echo VALUE > PATH            a sysfs write (errors print the kernel's errno text; the script goes on)
//   cat PATH...                  a sysfs or /proc file
//   ls PATH                      a directory's entries
// and meminit verbs for what sysfs cannot express:
//   dimm add START SIZE [node=N]       an ACPI memory device hot-add (one add_memory for the whole DIMM)
//   remove START SIZE                  remove_memory() of offline blocks (what an ACPI eject ends with)
//   alloc PAGES [type=T] [order=K] [node=N] [zone=Z]   kernel (unmovable, reclaimable) or user (movable) pages, id aN
//   free ID                            free an allocation
//   pmem map START|all [SIZE] [memmap=ram|dev] [mode=fsdax|devdax] [node=N]
//                                      a persistent-memory range into ZONE_DEVICE (memremap_pages()):
//                                      memmap=ram as a raw namespace, memmap=dev as a pfn device (altmap)
//   pmem unmap START                   memunmap_pages() of the mapping that starts there
//   insmod NAME                        load a module meminit models (libnvdimm, nd_pmem, nd_e820, nd_btt,
//                                      dax_pmem, device_dax, kmem: see drivers/nvdimm/nd-bus.ts)
//   check                              the invariant checker, one line per violation
// A script is parsed whole before anything runs: a malformed line refuses the script (file:line).
import { MigrateType, ZONE_NAMES } from '../include/mmzone.js';
import type { Machine } from '../kernel/machine.js';
import { errnoText } from '../drivers/base/memory.js';
import { acpiMemoryDeviceAdd } from '../drivers/acpi/acpi-memhotplug.js';
import { sysfsList, sysfsRead, sysfsWrite } from '../fs/sysfs.js';
import { parseBytes } from '../machine/units.js';
import { checkMachineReport } from '../mm/check.js';
import { removeMemory } from '../mm/memory-hotplug.js';
import { allocTracked, defaultHighestZone, freeTracked } from '../mm/page-alloc-tracked.js';
import { MemremapInputError } from '../mm/memremap.js';
import { insmod } from '../drivers/nvdimm/nd-bus.js';
import { memremapAllPmem, memremapPmem, memunmapPmem } from '../mm/memremap-pmem.js';

export type Command =
  | { kind: 'echo'; text: string }
  | { kind: 'write'; value: string; path: string }
  | { kind: 'cat'; paths: string[] }
  | { kind: 'ls'; path: string }
  | { kind: 'dimm-add'; start: number; size: number; nid: number | undefined }
  | { kind: 'remove'; start: number; size: number }
  | { kind: 'alloc'; pages: number; migratetype: number; order: number; nid: number | undefined; zone: number | undefined }
  | { kind: 'free'; id: string }
  | { kind: 'pmem-map'; start: number | 'all'; size: number | undefined; altmap: boolean; mode: 'fsdax' | 'devdax'; nid: number | undefined }
  | { kind: 'pmem-unmap'; start: number }
  | { kind: 'insmod'; name: string }
  | { kind: 'check' };

export interface ScriptLine {
  /** 1-based line number in the script. */
  no: number;
  text: string;
  cmd: Command;
}

export class ScriptError extends Error {}

/** What one line did: its output lines, and the error it printed (the kernel's text), if any. */
export interface LineResult {
  line: ScriptLine;
  out: string[];
  /** The negative errno of a failed write or verb. */
  errno?: number;
  error?: string;
}

export { errnoText };

/** Split a line into words: whitespace-separated, '…' and "…" quoting, `>`/`>>` as their own words. */
function words(line: string, where: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const j = line.indexOf(c, i + 1);
      if (j < 0) throw new ScriptError(`${where}: unterminated ${c} quote`);
      cur += line.slice(i + 1, j);
      has = true;
      i = j;
    } else if (c === '>') {
      if (has) out.push(cur);
      cur = '';
      has = false;
      out.push(line[i + 1] === '>' ? (i++, '>>') : '>');
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

function bytes(v: string | undefined, what: string, where: string): number {
  const n = v === undefined ? undefined : parseBytes(v);
  if (n === undefined) throw new ScriptError(`${where}: ${what} ${v === undefined ? 'is missing' : `"${v}" is not a size or address`} (e.g. 0x140000000, 128M)`);
  return n;
}

function int(v: string, what: string, where: string): number {
  if (!/^\d+$/.test(v)) throw new ScriptError(`${where}: ${what} "${v}" is not a non-negative integer`);
  return +v;
}

/** key=value options after a verb's positional words. */
function options(ws: string[], allowed: readonly string[], where: string): Map<string, string> {
  const o = new Map<string, string>();
  for (const w of ws) {
    const m = /^([a-z]+)=(.+)$/.exec(w);
    if (!m || !allowed.includes(m[1]!)) throw new ScriptError(`${where}: unexpected "${w}" (expected ${allowed.map((a) => `${a}=…`).join(', ')})`);
    o.set(m[1]!, m[2]!);
  }
  return o;
}

const MIGRATETYPES: Readonly<Record<string, number>> = { movable: MigrateType.MOVABLE, unmovable: MigrateType.UNMOVABLE, reclaimable: MigrateType.RECLAIMABLE };

function parseCommand(ws: string[], where: string): Command {
  const [verb, ...rest] = ws;
  switch (verb) {
    case 'echo': {
      const r = rest.indexOf('>') >= 0 ? rest.indexOf('>') : rest.indexOf('>>');
      if (r < 0) return { kind: 'echo', text: rest.join(' ') };
      if (r !== rest.length - 2) throw new ScriptError(`${where}: expected "echo VALUE > PATH"`);
      return { kind: 'write', value: rest.slice(0, r).join(' '), path: rest[r + 1]! };
    }
    case 'cat':
      if (!rest.length || rest.includes('>') || rest.includes('>>')) throw new ScriptError(`${where}: expected "cat PATH..."`);
      return { kind: 'cat', paths: rest };
    case 'ls':
      if (rest.length !== 1) throw new ScriptError(`${where}: expected "ls PATH"`);
      return { kind: 'ls', path: rest[0]! };
    case 'dimm': {
      if (rest[0] !== 'add') throw new ScriptError(`${where}: expected "dimm add START SIZE [node=N]"`);
      const o = options(rest.slice(3), ['node'], where);
      const node = o.get('node');
      return { kind: 'dimm-add', start: bytes(rest[1], 'START', where), size: bytes(rest[2], 'SIZE', where), nid: node === undefined ? undefined : int(node, 'node', where) };
    }
    case 'remove':
      if (rest.length !== 2) throw new ScriptError(`${where}: expected "remove START SIZE"`);
      return { kind: 'remove', start: bytes(rest[0], 'START', where), size: bytes(rest[1], 'SIZE', where) };
    case 'alloc': {
      if (!rest.length) throw new ScriptError(`${where}: expected "alloc PAGES [type=movable|unmovable|reclaimable] [order=K] [node=N] [zone=Z]"`);
      const pages = int(rest[0]!, 'PAGES', where);
      if (pages === 0) throw new ScriptError(`${where}: PAGES must be at least 1`);
      const o = options(rest.slice(1), ['type', 'order', 'node', 'zone'], where);
      const type = o.get('type') ?? 'unmovable';
      const mt = MIGRATETYPES[type];
      if (mt === undefined) throw new ScriptError(`${where}: type "${type}" is not one of ${Object.keys(MIGRATETYPES).join(', ')}`);
      const order = int(o.get('order') ?? '0', 'order', where);
      if (order > 10) throw new ScriptError(`${where}: order ${order} is above MAX_ORDER - 1 (10)`);
      const z = o.get('zone');
      const zone = z === undefined ? undefined : (ZONE_NAMES as readonly string[]).indexOf(z);
      if (zone === -1 || zone === 4) throw new ScriptError(`${where}: zone "${z}" is not one of DMA, DMA32, Normal, Movable`);
      const node = o.get('node');
      return { kind: 'alloc', pages, migratetype: mt, order, nid: node === undefined ? undefined : int(node, 'node', where), zone };
    }
    case 'free':
      if (rest.length !== 1 || !/^a\d+$/.test(rest[0]!)) throw new ScriptError(`${where}: expected "free ID" (an id alloc printed, e.g. a1)`);
      return { kind: 'free', id: rest[0]! };
    case 'pmem': {
      const usage = `${where}: expected "pmem map START|all [SIZE] [memmap=ram|dev] [mode=fsdax|devdax] [node=N]" or "pmem unmap START"`;
      if (rest[0] === 'unmap') {
        if (rest.length !== 2) throw new ScriptError(usage);
        return { kind: 'pmem-unmap', start: bytes(rest[1], 'START', where) };
      }
      if (rest[0] !== 'map' || rest.length < 2) throw new ScriptError(usage);
      const start = rest[1] === 'all' ? 'all' : bytes(rest[1], 'START', where);
      const hasSize = rest[2] !== undefined && !rest[2].includes('=');
      if (hasSize && start === 'all') throw new ScriptError(`${where}: "pmem map all" takes no SIZE`);
      const o = options(rest.slice(hasSize ? 3 : 2), ['memmap', 'mode', 'node'], where);
      const memmap = o.get('memmap') ?? 'ram';
      if (memmap !== 'ram' && memmap !== 'dev') throw new ScriptError(`${where}: memmap "${memmap}" is not ram or dev`);
      const mode = o.get('mode') ?? 'fsdax';
      if (mode !== 'fsdax' && mode !== 'devdax') throw new ScriptError(`${where}: mode "${mode}" is not fsdax or devdax`);
      const node = o.get('node');
      return {
        kind: 'pmem-map', start, size: hasSize ? bytes(rest[2], 'SIZE', where) : undefined, altmap: memmap === 'dev', mode,
        nid: node === undefined ? undefined : int(node, 'node', where),
      };
    }
    case 'insmod':
      if (rest.length !== 1) throw new ScriptError(`${where}: expected "insmod NAME"`);
      return { kind: 'insmod', name: rest[0]! };
    case 'check':
      if (rest.length) throw new ScriptError(`${where}: "check" takes no arguments`);
      return { kind: 'check' };
    default:
      throw new ScriptError(`${where}: unknown command "${verb}" (expected echo, cat, ls, dimm add, remove, alloc, free, pmem, insmod, check)`);
  }
}

/** Parse a whole script; a malformed line throws a ScriptError naming file and line. */
export function parseScript(text: string, file: string): ScriptLine[] {
  const out: ScriptLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    out.push({ no: i + 1, text: t, cmd: parseCommand(words(t, where), where) });
  });
  return out;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Run one parsed line; the kernel's refusals come back as errno and error text, never thrown. */
export function runLine(m: Machine, line: ScriptLine): LineResult {
  const c = line.cmd;
  const fail = (errno: number, prefix: string): LineResult => ({ line, out: [], errno, error: `${prefix}${errnoText(errno)}` });
  switch (c.kind) {
    case 'echo':
      return { line, out: [c.text] };
    case 'write': {
      const ret = sysfsWrite(m, c.path, `${c.value}\n`);
      if (ret === 0) return { line, out: [] };
      return fail(ret, ret === -13 || ret === -2 || ret === -21 ? `can't create ${c.path}: ` : 'write error: ');
    }
    case 'cat': {
      const out: string[] = [];
      for (const p of c.paths) {
        const r = sysfsRead(m, p);
        if (!r.ok) return { line, out, errno: r.errno, error: `cat: ${p}: ${errnoText(r.errno)}` };
        out.push(...r.text.replace(/\n$/, '').split('\n'));
      }
      return { line, out };
    }
    case 'ls': {
      const r = sysfsList(m, c.path);
      if (typeof r === 'number') return { line, out: [], errno: r, error: `ls: ${c.path}: ${errnoText(r)}` };
      return { line, out: [...r].sort() };
    }
    case 'dimm-add': {
      const nid = c.nid ?? m.numa?.meminfo.find((b) => b.start <= c.start && c.start < b.end)?.nid ?? 0;
      const ret = acpiMemoryDeviceAdd(m, nid, c.start, c.size);
      return ret ? fail(ret, 'dimm add: ') : { line, out: [] };
    }
    case 'remove': {
      const ret = removeMemory(m, c.start, c.size);
      return ret ? fail(ret, 'remove: ') : { line, out: [] };
    }
    case 'alloc': {
      const nid = c.nid ?? Math.min(...m.hotplug!.nMemory);
      if (!m.hotplug!.nMemory.has(nid) && !m.zones!.nodes.has(nid)) return fail(-22, `alloc: node ${nid}: `);
      const a = allocTracked(m, { pages: c.pages, order: c.order, migratetype: c.migratetype, nid, highestZone: c.zone ?? defaultHighestZone(c.migratetype) });
      if (!a) return fail(-12, 'alloc: ');
      const pfns = a.blocks.slice(0, 4).map((b) => hex(b.pfn)).join(' ') + (a.blocks.length > 4 ? ' …' : '');
      return { line, out: [`${a.id}: ${a.blocks.length} block(s) of order ${a.blocks[0]!.order} at ${pfns}`] };
    }
    case 'free':
      return freeTracked(m, c.id) ? { line, out: [] } : { line, out: [], errno: -22, error: `free: ${c.id}: no such allocation` };
    case 'pmem-map': {
      try {
        if (c.start === 'all') {
          const rs = memremapAllPmem(m, { altmap: c.altmap, mode: c.mode });
          if (!rs.length) return { line, out: [], errno: -22, error: 'pmem map: the machine has no persistent memory' };
          const bad = rs.find((r) => r.err);
          return bad ? fail(bad.err, `pmem map 0x${bad.start.toString(16)}: `) : { line, out: [] };
        }
        const ret = memremapPmem(m, { start: c.start, altmap: c.altmap, mode: c.mode, ...(c.size === undefined ? {} : { size: c.size }), ...(c.nid === undefined ? {} : { nid: c.nid }) });
        return ret ? fail(ret, 'pmem map: ') : { line, out: [] };
      } catch (e) {
        if (e instanceof MemremapInputError) return { line, out: [], errno: -22, error: `pmem map: ${e.message}` };
        throw e;
      }
    }
    case 'pmem-unmap':
      try {
        memunmapPmem(m, c.start);
        return { line, out: [] };
      } catch (e) {
        if (e instanceof MemremapInputError) return { line, out: [], errno: -22, error: `pmem unmap: ${e.message}` };
        throw e;
      }
    case 'insmod': {
      const ret = insmod(m, c.name);
      return ret ? { line, out: [], errno: ret, error: `insmod: can't insert '${c.name}': ${errnoText(ret)}` } : { line, out: [] };
    }
    case 'check': {
      const r = checkMachineReport(m, 20);
      const out = r.violations.map((v) => `check: ${v.what}: ${v.detail}`);
      out.push(`check: ${r.total} violation(s) in ${r.pfns} pfns and ${r.freeBlocks} free blocks`);
      return { line, out };
    }
  }
}

/** Run a parsed script line by line, like a shell: errors are reported and the script goes on. */
export function runScript(m: Machine, lines: readonly ScriptLine[], each?: (r: LineResult) => void): LineResult[] {
  const results: LineResult[] = [];
  for (const l of lines) {
    const r = runLine(m, l);
    results.push(r);
    each?.(r);
  }
  return results;
}
