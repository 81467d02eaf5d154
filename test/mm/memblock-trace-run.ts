// Runs a memblock trace (test/memblock-traces/*.trace, one operation per line) through
// meminit's memblock and prints what the C driver around the real mm/memblock.c prints:
// memblock=debug and pr_warn/pr_err lines as the kernel formats them, "=> " result lines,
// and at the end the state line and a memblock_dump_all() block.
import { MEMBLOCK_ALLOC_ANYWHERE } from '../../src/include/memblock.js';
import { PHYS_ADDR_MAX } from '../../src/include/pfn.js';
import * as M from '../../src/mm/memblock.js';
import { hex } from '../../src/trace/printk.js';

/** The driver's dispatch function: the %pS every top-level call prints. */
export const TRACE_CALLER = 'trace_op';

function parseNum(tok: string | undefined): number {
  if (tok === undefined) throw new Error('missing argument');
  if (tok === 'max') return PHYS_ADDR_MAX;
  const v = tok.startsWith('-') ? -Number(tok.slice(1)) : Number(tok);
  if (!Number.isSafeInteger(v) && v !== MEMBLOCK_ALLOC_ANYWHERE) throw new Error(`bad number ${tok}`);
  return v;
}

type Op = (mb: M.Memblock, a: number[], out: string[]) => void;

const result = (out: string[], op: string, v: number | boolean): void => {
  out.push(`=> ${op} 0x${hex(typeof v === 'boolean' ? Number(v) : v)}`);
};
const c = TRACE_CALLER;

const OPS: Record<string, Op> = {
  allow_resize: (mb) => M.memblockAllowResize(mb),
  movable_node: (mb, a) => void (mb.movableNode = a[0] !== 0),
  mirrored_kernelcore: (mb, a) => void (mb.mirroredKernelcore = a[0] !== 0),
  add: (mb, a) => M.memblockAdd(mb, a[0]!, a[1]!, c),
  add_node: (mb, a) => M.memblockAddNode(mb, a[0]!, a[1]!, a[2]!, a[3]!, c),
  remove: (mb, a) => M.memblockRemove(mb, a[0]!, a[1]!, c),
  reserve: (mb, a) => M.memblockReserve(mb, a[0]!, a[1]!, c),
  phys_free: (mb, a) => M.memblockPhysFree(mb, a[0]!, a[1]!, c),
  set_node: (mb, a) => M.memblockSetNode(mb, a[0]!, a[1]!, mb.memory, a[2]!),
  set_node_reserved: (mb, a) => M.memblockSetNode(mb, a[0]!, a[1]!, mb.reserved, a[2]!),
  mark_hotplug: (mb, a) => M.memblockMarkHotplug(mb, a[0]!, a[1]!),
  clear_hotplug: (mb, a) => M.memblockClearHotplug(mb, a[0]!, a[1]!),
  mark_mirror: (mb, a) => M.memblockMarkMirror(mb, a[0]!, a[1]!),
  mark_nomap: (mb, a) => M.memblockMarkNomap(mb, a[0]!, a[1]!),
  clear_nomap: (mb, a) => M.memblockClearNomap(mb, a[0]!, a[1]!),
  set_bottom_up: (mb, a) => M.memblockSetBottomUp(mb, a[0] !== 0),
  set_limit: (mb, a) => M.memblockSetCurrentLimit(mb, a[0]!),
  trim: (mb, a) => M.memblockTrimMemory(mb, a[0]!),
  free_late: (mb, a) => void M.memblockFreeLate(mb, a[0]!, a[1]!, c),
  discard: (mb) => void M.memblockDiscard(mb),
  dump: (mb, _a, out) => void out.push(...M.memblockDump(mb)),
  find_in_range_node: (mb, a, out) =>
    result(out, 'find_in_range_node', M.memblockFindInRangeNode(mb, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!)),
  alloc_range_nid: (mb, a, out) =>
    result(out, 'alloc_range_nid', M.memblockAllocRangeNid(mb, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5] !== 0)),
  phys_alloc_range: (mb, a, out) => result(out, 'phys_alloc_range', M.memblockPhysAllocRange(mb, a[0]!, a[1]!, a[2]!, a[3]!, c)),
  phys_alloc_try_nid: (mb, a, out) => result(out, 'phys_alloc_try_nid', M.memblockPhysAllocTryNid(mb, a[0]!, a[1]!, a[2]!)),
  alloc_try_nid: (mb, a, out) => result(out, 'alloc_try_nid', M.memblockAllocTryNid(mb, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, c)),
  alloc_try_nid_raw: (mb, a, out) =>
    result(out, 'alloc_try_nid_raw', M.memblockAllocTryNidRaw(mb, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, c)),
  exact_nid_raw: (mb, a, out) => result(out, 'exact_nid_raw', M.memblockAllocExactNidRaw(mb, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, c)),
  free_ranges: (mb, a, out) => {
    for (const r of M.forEachFreeMemRange(mb, a[0]!, a[1]!)) out.push(`=> free_range 0x${hex(r.start)} 0x${hex(r.end)} ${r.nid}`);
  },
  free_ranges_rev: (mb, a, out) => {
    for (const r of M.forEachFreeMemRangeReverse(mb, a[0]!, a[1]!))
      out.push(`=> free_range_rev 0x${hex(r.start)} 0x${hex(r.end)} ${r.nid}`);
  },
  mem_ranges: (mb, _a, out) => {
    for (const r of M.forEachMemRange(mb)) out.push(`=> mem_range 0x${hex(r.start)} 0x${hex(r.end)}`);
  },
  reserved_ranges: (mb, _a, out) => {
    for (const r of M.forEachReservedMemRange(mb)) out.push(`=> reserved_range 0x${hex(r.start)} 0x${hex(r.end)}`);
  },
  mem_pfn_ranges: (mb, a, out) => {
    for (const r of M.forEachMemPfnRange(mb, a[0]!)) out.push(`=> mem_pfn_range 0x${hex(r.startPfn)} 0x${hex(r.endPfn)} ${r.nid}`);
  },
  zone_ranges: (mb, a, out) => {
    for (const r of M.forEachFreeMemPfnRangeInZone(mb, a[0]!, a[1]!, a[2]!))
      out.push(`=> zone_range 0x${hex(r.startPfn)} 0x${hex(r.endPfn)}`);
  },
  is_memory: (mb, a, out) => result(out, 'is_memory', M.memblockIsMemory(mb, a[0]!)),
  is_map_memory: (mb, a, out) => result(out, 'is_map_memory', M.memblockIsMapMemory(mb, a[0]!)),
  is_reserved: (mb, a, out) => result(out, 'is_reserved', M.memblockIsReserved(mb, a[0]!)),
  is_region_memory: (mb, a, out) => result(out, 'is_region_memory', M.memblockIsRegionMemory(mb, a[0]!, a[1]!)),
  is_region_reserved: (mb, a, out) => result(out, 'is_region_reserved', M.memblockIsRegionReserved(mb, a[0]!, a[1]!)),
  search_pfn_nid: (mb, a, out) => {
    const r = M.memblockSearchPfnNid(mb, a[0]!);
    out.push(`=> search_pfn_nid ${r ? r.nid : -1} 0x${hex(r?.startPfn ?? 0)} 0x${hex(r?.endPfn ?? 0)}`);
  },
  sizes: (mb, _a, out) =>
    void out.push(
      `=> sizes 0x${hex(M.memblockPhysMemSize(mb))} 0x${hex(M.memblockReservedSize(mb))} ` +
        `0x${hex(M.memblockStartOfDram(mb))} 0x${hex(M.memblockEndOfDram(mb))}`,
    ),
};

/** Run a trace's text; returns the output lines (without trailing newline). */
export function runMemblockTrace(text: string): string[] {
  const out: string[] = [];
  const mb = M.memblockCreate({ debug: (l) => out.push(l), log: (l) => out.push(l) });
  for (const raw of text.split('\n')) {
    const toks = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
    if (!toks.length) continue;
    const op = OPS[toks[0]!];
    if (!op) throw new Error(`unknown op ${toks[0]}`);
    op(mb, toks.slice(1).map(parseNum), out);
  }
  out.push(
    `=> final bottom_up=${Number(mb.bottomUp)} limit=0x${hex(mb.currentLimit)} ` +
      `memory.max=${mb.memory.max} reserved.max=${mb.reserved.max}`,
  );
  out.push(...M.memblockDump(mb));
  return out;
}
