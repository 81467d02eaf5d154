// Loader of the WebAssembly page kernel (assembly/page-kernel.ts): one instance per memmap arena
// (per thread), found from a section. Platform-free: the module's bytes come from a generated
// module, and everything is synchronous (the module is a few hundred bytes).
import type { MemSection } from '../sparse.js';
import type { MemmapArena } from './arena.js';
import { PAGE_KERNEL_WASM_BASE64 } from './page-kernel-bytes.js';
import { base64Bytes, webAssembly, type WasmMemory } from './webassembly.js';

/** The kernel's exports; offsets are bytes into the arena, passed as u32. */
export interface PageKernel {
  /** __init_single_page() × n (see assembly/page-kernel.ts). */
  initPages(at: number, n: number, flagsLo: number, flagsHi: number, lruLo: number, lruHi: number): void;
  /** __free_pages_core()'s per-page step with free_pages_prepare()'s flag clearing, × n. */
  freeCorePages(at: number, n: number, keepLo: number): void;
  /** deferred_init_maxorder() over n whole MAX_ORDER blocks: init, free, merge, chain (see assembly/page-kernel.ts). */
  maxorderBlocks(
    at: number, n: number, flagsLo: number, flagsHi: number, lruLo: number, lruHi: number,
    keepLo: number, headOrLo: number, headOrHi: number, prepKeepLo: number, buddyBit: number,
  ): void;
  /** flags lo &= keepLo, × n. */
  clearFlagsLo(at: number, n: number, keepLo: number): void;
  /** memory.fill: n bytes of `value` from `at` (a plain fill, for benchmarks). */
  fillBytes(at: number, n: number, value: number): void;
  /** 16-byte stores of a u32 value over n bytes (a multiple of 64): a plain fill, for benchmarks. */
  fillWords(at: number, n: number, value: number): void;
}

let module: object | undefined;
const kernels = new WeakMap<WasmMemory, PageKernel>();

/** The page kernel instantiated over an arena's memory (once per memory and thread). */
export function pageKernelOf(memory: WasmMemory): PageKernel {
  let k = kernels.get(memory);
  if (!k) {
    module ??= new webAssembly!.Module(base64Bytes(PAGE_KERNEL_WASM_BASE64));
    k = new webAssembly!.Instance(module, { env: { memory } }).exports as unknown as PageKernel;
    kernels.set(memory, k);
  }
  return k;
}

/** The kernel that reaches a section's memmap, or undefined when it is a plain buffer. */
export function sectionKernel(arenas: MemmapArena[], ms: MemSection): PageKernel | undefined {
  const a = ms.arena;
  return a === undefined || a < 0 ? undefined : pageKernelOf(arenas[a]!.memory);
}
