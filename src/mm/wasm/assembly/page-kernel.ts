// The struct page hot loops as WebAssembly (AssemblyScript, compiled by scripts/build-wasm.mjs).
// The module imports one shared memory — a memmap arena (src/mm/memmap-arena.ts) — and works on
// byte offsets into it; the JS side (src/mm/wasm/page-kernel.ts) turns section + word offsets into
// those. Every function writes exactly the bytes its JS twin in src/mm/page.ts writes.
//
// struct page words (src/mm/page.ts): 0-1 flags, 2-3 lru.next, 4-5 lru.prev, 6-7 mapping,
// 8-9 index, 10-11 private, 12 _mapcount, 13 _refcount, 14-15 memcg_data.

/**
 * mirrors __init_single_page() over n consecutive struct pages from byte offset `at`: flags =
 * (flagsLo, flagsHi), lru.next = lru.prev = the page's own lru (lruLo, lruHi for the first page,
 * lruLo + 64 for the next), _mapcount -1, _refcount 1, the rest zero. Four 16-byte stores a page.
 */
export function initPages(at: u32, n: u32, flagsLo: u32, flagsHi: u32, lruLo: u32, lruHi: u32): void {
  // words 0-3: flags lo, flags hi, lru.next lo, lru.next hi
  let a = i32x4(flagsLo, flagsHi, lruLo, lruHi);
  // words 4-7: lru.prev lo, lru.prev hi, mapping lo, mapping hi
  let b = i32x4(lruLo, lruHi, 0, 0);
  const zero = i32x4.splat(0);
  // words 12-15: _mapcount, _refcount, memcg_data
  const d = i32x4(-1, 1, 0, 0);
  const stepA = i32x4(0, 0, 64, 0);
  const stepB = i32x4(64, 0, 0, 0);
  let p = at;
  const end = at + (n << 6);
  while (p < end) {
    v128.store(p, a);
    v128.store(p, b, 16);
    v128.store(p, zero, 32);
    v128.store(p, d, 48);
    a = i32x4.add(a, stepA);
    b = i32x4.add(b, stepB);
    p += 64;
  }
}

/**
 * The per-page step of __free_pages_core() fused with free_pages_prepare()'s flag clearing:
 * flags lo &= keepLo (PG_reserved and PAGE_FLAGS_CHECK_AT_PREP off), _refcount 0, for n pages.
 */
export function freeCorePages(at: u32, n: u32, keepLo: u32): void {
  let p = at;
  const end = at + (n << 6);
  while (p < end) {
    store<u32>(p, load<u32>(p) & keepLo);
    store<u32>(p, 0, 52);
    p += 64;
  }
}

/** flags lo &= keepLo for n pages (free_pages_prepare() on the tail pages of a block). */
export function clearFlagsLo(at: u32, n: u32, keepLo: u32): void {
  let p = at;
  const end = at + (n << 6);
  while (p < end) {
    store<u32>(p, load<u32>(p) & keepLo);
    p += 64;
  }
}

/** memory.fill of n bytes from `at` with a byte value: the benchmark's plain-fill floor. */
export function fillBytes(at: u32, n: u32, value: u8): void {
  memory.fill(at, value, n);
}

/** 16-byte stores of a u32 value over n bytes (n a multiple of 64): the fastest plain fill here. */
export function fillWords(at: u32, n: u32, value: u32): void {
  const v = i32x4.splat(value);
  let p = at;
  const end = at + n;
  while (p < end) {
    v128.store(p, v);
    v128.store(p, v, 16);
    v128.store(p, v, 32);
    v128.store(p, v, 48);
    p += 64;
  }
}
