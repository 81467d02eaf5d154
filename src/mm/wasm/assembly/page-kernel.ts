// The struct page hot loops as WebAssembly (AssemblyScript, compiled by scripts/build-wasm.mjs).
// The module imports one shared memory — a memmap arena (src/mm/wasm/arena.ts) — and works on
// byte offsets into it; the JS side (src/mm/wasm/page-kernel.ts) turns section + word offsets into
// those. Every function writes exactly the bytes of its JS twin (src/mm/page.ts initSinglePages,
// page-free-core.ts freeCorePagesJs, deferred.ts maxorderBlocksJs); the tests compare them.
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

/**
 * deferred_init_maxorder() over n whole MAX_ORDER blocks (1024 pages, two pageblocks) from byte
 * offset `at`, as the kernel steps: initialise a block (initPages), then free its two pageblocks
 * — __free_pages_core()'s per-page pass, free_pages_prepare() on the head (flags lo | headOrLo,
 * hi | headOrHi, then & prepKeepLo; private 0), and __free_one_page(): the first pageblock becomes
 * an order-9 buddy, the second finds it and they merge. Net, the block's head is a buddy of order
 * 10 (private 10, page_type & ~buddyBit) and the second pageblock's head only lost its private.
 * The merged heads link to each other through lru in block order (list_add_tail() one after the
 * other); the first block's prev and the last one's next are left for the list splice. The
 * order-9 list sees an add and a delete of the same block, which leave it as it was.
 */
export function maxorderBlocks(
  at: u32, n: u32, flagsLo: u32, flagsHi: u32, lruLo: u32, lruHi: u32,
  keepLo: u32, headOrLo: u32, headOrHi: u32, prepKeepLo: u32, buddyBit: u32,
): void {
  for (let b: u32 = 0; b < n; b++) {
    const block = at + (b << 16);
    const lru = lruLo + (b << 16);
    initPages(block, 1024, flagsLo, flagsHi, lru, lruHi);
    for (let half: u32 = 0; half < 2; half++) {
      const head = block + (half << 15);
      freeCorePages(head, 512, keepLo);
      store<u32>(head, (load<u32>(head) | headOrLo) & prepKeepLo);
      store<u32>(head, load<u32>(head, 4) | headOrHi, 4);
      store<u64>(head, 0, 40);
    }
    // __free_one_page() of both pageblocks: set_buddy_order(head, 9), then the merge's
    // del_page_from_free_list() (private 0, buddy bit back) and set_buddy_order(head, 10).
    store<u64>(block, 10, 40);
    store<u32>(block, load<u32>(block, 48) & ~buddyBit, 48);
    if (b > 0) store<u32>(block, lru - 65536, 16);
    if (b + 1 < n) store<u32>(block, lru + 65536, 8);
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
