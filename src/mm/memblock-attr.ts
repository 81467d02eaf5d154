// Region attributes: flags and node ids (mm/memblock.c memblock_setclr_flag, memblock_mark_* /
// memblock_clear_*, memblock_set_node). Each isolates the range, edits the regions inside, merges.
import { MemblockFlag } from '../include/memblock.js';
import { ENOMEM, memblockIsolateRange } from './memblock-range.js';
import { memblockMergeRegions, type Memblock, type MemblockType } from './memblock-type.js';

/** memblock_setclr_flag(): set or clear `flag` on the memory regions of [base, base + size). */
function memblockSetclrFlag(mb: Memblock, base: number, size: number, set: boolean, flag: number): number {
  const type = mb.memory;
  const iso = memblockIsolateRange(mb, type, base, size);
  if (!iso) return ENOMEM;
  for (let i = iso.start; i < iso.end; i++) {
    const r = type.regions[i]!;
    r.flags = set ? r.flags | flag : r.flags & ~flag;
  }
  memblockMergeRegions(type);
  return 0;
}

/** memblock_mark_hotplug(). */
export const memblockMarkHotplug = (mb: Memblock, base: number, size: number): number =>
  memblockSetclrFlag(mb, base, size, true, MemblockFlag.HOTPLUG);

/** memblock_clear_hotplug(). */
export const memblockClearHotplug = (mb: Memblock, base: number, size: number): number =>
  memblockSetclrFlag(mb, base, size, false, MemblockFlag.HOTPLUG);

/** memblock_mark_mirror(): only with kernelcore=mirror; then the system "has some mirror". */
export function memblockMarkMirror(mb: Memblock, base: number, size: number): number {
  if (!mb.mirroredKernelcore) return 0;
  mb.mirror = true;
  return memblockSetclrFlag(mb, base, size, true, MemblockFlag.MIRROR);
}

/** memblock_mark_nomap(). */
export const memblockMarkNomap = (mb: Memblock, base: number, size: number): number =>
  memblockSetclrFlag(mb, base, size, true, MemblockFlag.NOMAP);

/** memblock_clear_nomap(). */
export const memblockClearNomap = (mb: Memblock, base: number, size: number): number =>
  memblockSetclrFlag(mb, base, size, false, MemblockFlag.NOMAP);

/**
 * memblock_set_node() (CONFIG_NUMA): give the regions of `type` inside [base, base + size) node
 * nid, splitting at the edges; the value is stored as given (NUMA_NO_NODE included).
 */
export function memblockSetNode(mb: Memblock, base: number, size: number, type: MemblockType, nid: number): number {
  const iso = memblockIsolateRange(mb, type, base, size);
  if (!iso) return ENOMEM;
  for (let i = iso.start; i < iso.end; i++) type.regions[i]!.nid = nid;
  memblockMergeRegions(type);
  return 0;
}
