// SPDX-License-Identifier: GPL-2.0-only
// The files a hotplug script can read and write: /sys/devices/system/memory (drivers/base/memory.c
// attributes), /sys/devices/system/node's node masks (drivers/base/node.c), and the /proc files
// meminit models. Reads and writes answer like the kernel's: text, or a negative errno (ENOENT
// for a missing file, EISDIR for a directory, EACCES for a write to a read-only attribute or a
// read of a write-only one, the attribute's own errno for a refused store).
import type { Machine } from '../kernel/machine.js';
import { EACCES, EISDIR, ENOENT, ERANGE, type MemoryBlock } from '../drivers/base/memory.js';
import { addMemory, EINVAL, hotplugOf } from '../mm/memory-hotplug.js';
import { mhpOnlineTypeFromStr, MMOP_NAMES } from '../mm/memory-hotplug-zone.js';
import { procText, PROC_FILES, type ProcFile } from './proc/index.js';
import { ndSysfsRead, ndSysfsWrite } from '../drivers/nvdimm/nd-bus.js';

export const MEMORY_DIR = '/sys/devices/system/memory';
export const NODE_DIR = '/sys/devices/system/node';

export type SysfsResult = { ok: true; text: string } | { ok: false; errno: number };
const ok = (text: string): SysfsResult => ({ ok: true, text });
const err = (errno: number): SysfsResult => ({ ok: false, errno });

/** bitmap_print_to_pagebuf(list=true): "0-2,4". */
export function nodeList(nodes: Iterable<number>): string {
  const s = [...new Set(nodes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** kstrtoull(buf, 0): decimal, 0x hex or 0 octal, one trailing newline; EINVAL / ERANGE. */
export function kstrtoull(s: string): number {
  const v = s.endsWith('\n') ? s.slice(0, -1) : s;
  const m = /^(?:\+)?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) return EINVAL;
  const t = m[1]!;
  const n = /^0[xX]/.test(t) ? parseInt(t.slice(2), 16) : t.length > 1 && t[0] === '0' ? parseInt(t.slice(1), 8) : parseInt(t, 10);
  if (!Number.isSafeInteger(n) || n >= 2 ** 64) return ERANGE;
  return n;
}

interface Attr {
  show?: () => string;
  store?: (buf: string) => number;
}

/** The attributes of memoryN. */
function blockAttrs(m: Machine, mem: MemoryBlock): Record<string, Attr> {
  const blocks = hotplugOf(m).blocks;
  return {
    phys_index: { show: () => (mem.startSectionNr / blocks.sectionsPerBlock).toString(16).padStart(8, '0') },
    state: { show: () => mem.state, store: (buf) => blocks.stateStore(mem, buf) },
    online: { show: () => (mem.state === 'offline' ? '0' : '1'), store: (buf) => blocks.onlineStore(mem, buf) },
    valid_zones: { show: () => blocks.validZones(mem) },
    removable: { show: () => '1' },
    phys_device: { show: () => '0' },
  };
}

/** probe_store() (CONFIG_ARCH_MEMORY_PROBE): one block at a block-aligned address, on the node numa_meminfo gives it. */
function probeStore(m: Machine, buf: string): number {
  const hp = hotplugOf(m);
  const phys = kstrtoull(buf);
  if (phys < 0) return phys;
  if (phys % hp.blocks.blockSize !== 0) return EINVAL;
  // memory_add_physaddr_to_nid(): the meminfo block holding the address, else the first block's node.
  const mi = m.numa?.meminfo ?? [];
  const nid = mi.find((b) => b.start <= phys && phys < b.end)?.nid ?? mi[0]?.nid ?? 0;
  return addMemory(m, nid, phys, hp.blocks.blockSize);
}

/** The memory subsystem's root attributes. */
function memoryRootAttrs(m: Machine): Record<string, Attr> {
  const hp = hotplugOf(m);
  return {
    block_size_bytes: { show: () => hp.blocks.blockSize.toString(16) },
    auto_online_blocks: {
      show: () => MMOP_NAMES[hp.defaultOnlineType],
      store: (buf) => {
        const t = mhpOnlineTypeFromStr(buf);
        if (t === -1) return EINVAL;
        hp.defaultOnlineType = t;
        return 0;
      },
    },
    probe: { store: (buf) => probeStore(m, buf) },
  };
}

/** The node masks of /sys/devices/system/node. */
function nodeRootAttrs(m: Machine): Record<string, Attr> {
  const hp = hotplugOf(m);
  const possible = m.numa?.possible.length ? m.numa.possible : [0];
  return {
    possible: { show: () => nodeList(possible) },
    online: { show: () => nodeList(hp.nodesOnline) },
    has_memory: { show: () => nodeList(hp.nMemory) },
    has_normal_memory: { show: () => nodeList(hp.nNormalMemory) },
    has_cpu: { show: () => nodeList(m.numa?.cpuNodes.size ? m.numa.cpuNodes : [0]) },
  };
}

/** What lives at a path: an attribute, a directory (its entries), or nothing. */
type Node = { attr: Attr } | { dir: string[] } | undefined;

function lookup(m: Machine, path: string): Node {
  const p = path.replace(/\/+$/, '') || '/';
  if (p.startsWith('/proc/')) {
    const name = p.slice(6);
    return (PROC_FILES as readonly string[]).includes(name) ? { attr: { show: () => procText(m, name as ProcFile) } } : undefined;
  }
  if (p === '/proc') return { dir: [...PROC_FILES] };
  const hp = hotplugOf(m);
  if (p === MEMORY_DIR) return { dir: [...Object.keys(memoryRootAttrs(m)), ...hp.blocks.all().map((b) => `memory${b.id}`)] };
  if (p.startsWith(`${MEMORY_DIR}/`)) {
    const rest = p.slice(MEMORY_DIR.length + 1).split('/');
    if (rest.length === 1 && rest[0]! in memoryRootAttrs(m)) return { attr: memoryRootAttrs(m)[rest[0]!]! };
    const mb = /^memory(\d+)$/.exec(rest[0]!);
    const mem = mb && !(mb[1]!.length > 1 && mb[1]![0] === '0') ? hp.blocks.get(+mb[1]!) : undefined;
    if (!mem) return undefined;
    const attrs = blockAttrs(m, mem);
    const links = [...mem.nodes].sort((a, b) => a - b).map((n) => `node${n}`);
    if (rest.length === 1) return { dir: [...Object.keys(attrs), ...links] };
    if (rest.length === 2 && rest[1]! in attrs) return { attr: attrs[rest[1]!]! };
    if (links.includes(rest[1]!)) return rest.length === 2 ? { dir: [] } : lookup(m, `${NODE_DIR}/${rest.slice(1).join('/')}`);
    return undefined;
  }
  if (p === NODE_DIR) return { dir: [...Object.keys(nodeRootAttrs(m)), ...[...hp.nodesOnline].sort((a, b) => a - b).map((n) => `node${n}`)] };
  if (p.startsWith(`${NODE_DIR}/`)) {
    const rest = p.slice(NODE_DIR.length + 1).split('/');
    const attrs = nodeRootAttrs(m);
    if (rest.length === 1 && rest[0]! in attrs) return { attr: attrs[rest[0]!]! };
    const nm = /^node(\d+)$/.exec(rest[0]!);
    if (nm && hp.nodesOnline.has(+nm[1]!) && rest.length === 1) {
      return { dir: hp.blocks.all().filter((b) => b.nodes.has(+nm[1]!)).map((b) => `memory${b.id}`) };
    }
    return undefined;
  }
  if (['/', '/sys', '/sys/devices', '/sys/devices/system'].includes(p)) return { dir: [] };
  return undefined;
}

/** cat PATH: the file's text (each attribute ends with a newline, as sysfs_emit() writes it). */
export function sysfsRead(m: Machine, path: string): SysfsResult {
  const nd = ndSysfsRead(m, path);
  if (nd !== undefined) return ok(nd);
  const n = lookup(m, path);
  if (!n) return err(ENOENT);
  if ('dir' in n) return err(EISDIR);
  if (!n.attr.show) return err(EACCES);
  const t = n.attr.show();
  return ok(t === '' || t.endsWith('\n') ? t : `${t}\n`);
}

/** echo VALUE > PATH: 0, or the negative errno the write fails with; nothing changes on failure. */
export function sysfsWrite(m: Machine, path: string, value: string): number {
  const nd = path.startsWith('/sys/bus/') ? ndSysfsWrite(m, path, value) : undefined;
  if (nd !== undefined) return nd;
  const n = lookup(m, path);
  if (!n) return path.startsWith('/sys/') || path.startsWith('/proc/') ? ENOENT : EACCES;
  if ('dir' in n) return EISDIR;
  if (!n.attr.store) return EACCES;
  return n.attr.store(value);
}

/** The directory entries at path (ls), or the errno. */
export function sysfsList(m: Machine, path: string): string[] | number {
  const n = lookup(m, path);
  if (!n) return ENOENT;
  return 'dir' in n ? n.dir : [path.replace(/.*\//, '')];
}
