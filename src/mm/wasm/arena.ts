// Memmap arenas: the section memmaps live in shared WebAssembly memories, so the WebAssembly page
// kernel can write them (a wasm module only reaches its own linear memory) and workers can
// instantiate it over the same bytes. An arena is one shared memory of up to 4 GiB (wasm32): its
// first 64 KiB page is left to the module, then 2 MiB slots, one section memmap each. Slots are
// handed out in order, grown in bulk when sparse_init() knows how many it needs, and a removed
// section's slot goes on its arena's free list for the next hot-add.
//
//   arena k:  | 64 KiB module page | slot 0 (2 MiB) | slot 1 | ... | slot 2046 |   ≤ 4 GiB
import { SECTION_MEMMAP_BYTES } from '../../include/sparsemem.js';
import { WASM_MAX_PAGES, WASM_PAGE_BYTES, webAssembly, type WasmMemory } from './webassembly.js';

/** Byte offset of slot 0: the first wasm page stays the module's. */
export const ARENA_BASE = WASM_PAGE_BYTES;
const SLOT_PAGES = SECTION_MEMMAP_BYTES / WASM_PAGE_BYTES;
/** 2047 slots: the last one ends at 4 GiB − 1.94 MiB, so offsets and loop ends fit a u32. */
export const ARENA_MAX_SLOTS = Math.floor((WASM_MAX_PAGES - 1) / SLOT_PAGES);

/** One arena: plain data (the shared memory posts to workers as itself). */
export interface MemmapArena {
  memory: WasmMemory;
  /** Slots the memory holds now. */
  slots: number;
  /** Slots handed out at least once: [0, used). */
  used: number;
  /** Slots of removed sections, for reuse. */
  free: number[];
}

/** Where a section's memmap went: arena index and byte offset in it. */
export interface ArenaSlot {
  arena: number;
  byteOffset: number;
  /** The slot held another section before (its bytes are not fresh zeroes). */
  reused: boolean;
}

export const arenasAvailable = (): boolean => webAssembly !== undefined;

const slotOffset = (slot: number): number => ARENA_BASE + slot * SECTION_MEMMAP_BYTES;

function arenaCreate(slots: number): MemmapArena {
  const memory = new webAssembly!.Memory({ initial: 1 + slots * SLOT_PAGES, maximum: WASM_MAX_PAGES, shared: true });
  return { memory, slots, used: 0, free: [] };
}

/** Make room for n more slots than are free now, growing the last arena and adding new ones in bulk. */
export function arenaReserve(arenas: MemmapArena[], n: number): void {
  let short = n - arenas.reduce((k, a) => k + a.free.length + (a.slots - a.used), 0);
  const last = arenas[arenas.length - 1];
  if (short > 0 && last && last.slots < ARENA_MAX_SLOTS) {
    const more = Math.min(short, ARENA_MAX_SLOTS - last.slots);
    last.memory.grow(more * SLOT_PAGES);
    last.slots += more;
    short -= more;
  }
  while (short > 0) {
    const a = arenaCreate(Math.min(short, ARENA_MAX_SLOTS));
    arenas.push(a);
    short -= a.slots;
  }
}

/** A slot for one section memmap: a free one first, then a fresh one (growing if need be). */
export function arenaAlloc(arenas: MemmapArena[]): ArenaSlot {
  for (let k = 0; k < arenas.length; k++) {
    const a = arenas[k]!;
    if (a.free.length) return { arena: k, byteOffset: slotOffset(a.free.pop()!), reused: true };
  }
  let k = arenas.findIndex((a) => a.used < a.slots);
  if (k < 0) {
    arenaReserve(arenas, 1);
    k = arenas.findIndex((a) => a.used < a.slots);
  }
  const a = arenas[k]!;
  return { arena: k, byteOffset: slotOffset(a.used++), reused: false };
}

/** Give a section's slot back. */
export function arenaFree(arenas: MemmapArena[], arena: number, byteOffset: number): void {
  arenas[arena]!.free.push((byteOffset - ARENA_BASE) / SECTION_MEMMAP_BYTES);
}

/** The section memmap's words in its slot. */
export const arenaView = (arenas: MemmapArena[], s: ArenaSlot): Uint32Array =>
  new Uint32Array(arenas[s.arena]!.memory.buffer, s.byteOffset, SECTION_MEMMAP_BYTES / 4);
