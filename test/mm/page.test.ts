// struct page: the page->flags layout derived from the Debian config, the 16 words
// __init_single_page leaves (written out by hand from mm_types.h), vmemmap addresses, the small
// accessors, poison and the checked reader.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  DEBIAN_AMD64_PAGE_FLAGS, FlagsLo, LAST_CPUPID_PGSHIFT, LAST_CPUPID_WIDTH, LRU_GEN_PGOFF, LRU_REFS_PGOFF,
  NODES_PGSHIFT, NODES_WIDTH, NR_PAGEFLAGS, PG, pageFlagsLayout, pageflagNames, ZONES_PGSHIFT,
} from '../../src/include/page-flags.js';
import { ZoneType } from '../../src/include/mmzone.js';
import {
  buddyOrder, clearPageBuddy, initSinglePage, initSinglePages, PAGE_WORDS, pageBuddy, pageHasType, pageInitPoison,
  pagePoisonCheck, pagePoisoned, pageRefcount, pageReserved, pageToNid, pageZonenum, PoisonedPageError, setBuddyOrder,
  setPageLinks, setPageReserved, vmemmapHex, vmemmapHi, vmemmapLo, vmemmapToPfn,
} from '../../src/mm/page.js';

describe('page->flags layout of Debian 6.1 amd64', () => {
  const lay = pageFlagsLayout(DEBIAN_AMD64_PAGE_FLAGS);

  it('enum pageflags has 25 flags and PG_* numbers agree with it', () => {
    const names = pageflagNames(DEBIAN_AMD64_PAGE_FLAGS);
    assert.equal(names.length, NR_PAGEFLAGS);
    assert.deepEqual(Object.entries(PG).map(([k, v]) => [v, k]), names.map((n, i) => [i, n]));
    assert.equal(PG.reserved, 12);
  });

  it('widths and shifts recomputed from the config equal the constants', () => {
    assert.deepEqual(
      [lay.nodesPgoff, lay.nodesWidth, lay.zonesPgoff, lay.zonesWidth, lay.lastCpupidPgoff, lay.lastCpupidWidth,
        lay.lruGenPgoff, lay.lruRefsPgoff, lay.sectionsWidth, lay.kasanTagWidth],
      [NODES_PGSHIFT, NODES_WIDTH, ZONES_PGSHIFT, 3, LAST_CPUPID_PGSHIFT, LAST_CPUPID_WIDTH, LRU_GEN_PGOFF, LRU_REFS_PGOFF, 0, 0],
    );
    // Every bit is used: 25 flags + 2 refs + 3 gen + 21 cpupid + 3 zone + 10 node = 64.
    assert.equal(lay.lruRefsPgoff, NR_PAGEFLAGS);
  });

  const variants: [string, Partial<typeof DEBIAN_AMD64_PAGE_FLAGS>, Partial<ReturnType<typeof pageFlagsLayout>>][] = [
    ['no NUMA balancing: no last_cpupid', { numaBalancing: false }, { lastCpupidWidth: 0, lruGenPgoff: 48, lruRefsWidth: 2 }],
    ['PAGE_IDLE_FLAG: 27 flags leave no room for LRU refs', { pageIdleFlag: true }, { nrPageflags: 27, lastCpupidWidth: 21, lruRefsWidth: 0 }],
    ['KASAN SW tags: last_cpupid no longer fits', { kasanSwTags: true }, { kasanTagWidth: 8, lastCpupidWidth: 0 }],
    ['classic SPARSEMEM keeps the section in flags', { sparsememVmemmap: false, maxPhysmemBits: 46, numaBalancing: false }, { sectionsWidth: 19, nodesWidth: 10 }],
    ['NR_CPUS 64: a 14-bit last_cpupid', { nrCpus: 64 }, { lastCpupidWidth: 14 }],
  ];
  for (const [what, cfg, want] of variants) {
    it(what, () => {
      const got = pageFlagsLayout({ ...DEBIAN_AMD64_PAGE_FLAGS, ...cfg });
      for (const [k, v] of Object.entries(want)) assert.equal(got[k as keyof typeof got], v, k);
    });
  }

  it('has #error where the header has one', () => {
    assert.throws(() => pageFlagsLayout({ ...DEBIAN_AMD64_PAGE_FLAGS, nodesShift: 40 }), /No space for nodes field/);
  });

  it('PAGE_FLAGS_CHECK_AT_PREP is bits 0..29 without PG_hwpoison', () => {
    assert.equal(FlagsLo.CHECK_AT_PREP, 0x3f7fffff);
  });
});

describe('vmemmap addresses', () => {
  const cases: [number, string][] = [
    [0, '0xffffea0000000000'],
    [1, '0xffffea0000000040'],
    [0x8000, '0xffffea0000200000'], // section 1's memmap starts 2 MiB in
    [0x3ffffff, '0xffffea00ffffffc0'],
    [0x4000000, '0xffffea0100000000'], // the high half steps every 2^26 pfns (256 GiB)
    [0x6000123, '0xffffea01800048c0'], // 384 GiB + 0x123 pages
  ];
  for (const [pfn, hex] of cases) {
    it(`pfn 0x${pfn.toString(16)} → ${hex} and back`, () => {
      assert.equal(vmemmapHex(pfn), hex);
      assert.equal(BigInt(hex), (BigInt(vmemmapHi(pfn)) << 32n) | BigInt(vmemmapLo(pfn)));
      assert.equal(vmemmapToPfn(vmemmapHi(pfn), vmemmapLo(pfn)), pfn);
    });
  }
  it('rejects addresses that are no struct page', () => {
    assert.equal(vmemmapToPfn(0xffffe9ff, 0), -1);
    assert.equal(vmemmapToPfn(0xffffea00, 8), -1);
    assert.equal(vmemmapToPfn(0xffffeb00, 0), -1); // past the 1 TiB of vmemmap
  });
});

describe('__init_single_page', () => {
  it('leaves exactly these 16 words (pfn 0x12345, DMA32, node 3)', () => {
    const mm = new Uint32Array(PAGE_WORDS * 2).fill(0xdeadbeef);
    initSinglePage(mm, PAGE_WORDS, 0x12345, ZoneType.DMA32, 3);
    // &page = 0xffffea0000000000 + 0x12345 × 64 = 0xffffea000048d140; &page->lru = +8 = …d148.
    assert.deepEqual([...mm.subarray(PAGE_WORDS)], [
      0xc0000000, // flags 31..0: last_cpupid bits 30-31 all ones (page_cpupid_reset_last), no page flags
      0x00cfffff, // flags 63..32: node 3 << 22 | zone 1 << 19 | last_cpupid bits 32-50 all ones
      0x0048d148, 0xffffea00, // lru.next = &page->lru (INIT_LIST_HEAD)
      0x0048d148, 0xffffea00, // lru.prev = &page->lru
      0, 0, // mapping
      0, 0, // index
      0, 0, // private
      0xffffffff, // _mapcount -1 (page_mapcount_reset): no page_type
      1, // _refcount 1 (init_page_count)
      0, 0, // memcg_data
    ]);
    assert.deepEqual([...mm.subarray(0, PAGE_WORDS)], new Array(PAGE_WORDS).fill(0xdeadbeef), 'the page before is untouched');
  });

  it('a run equals page-by-page init', () => {
    const a = new Uint32Array(PAGE_WORDS * 64);
    const b = new Uint32Array(PAGE_WORDS * 64);
    initSinglePages(a, 0, 0x7fe0, 64, ZoneType.NORMAL, 1023);
    for (let i = 0; i < 64; i++) initSinglePage(b, i * PAGE_WORDS, 0x7fe0 + i, ZoneType.NORMAL, 1023);
    assert.deepEqual(a, b);
    assert.equal(pageToNid(a, 5 * PAGE_WORDS), 1023);
    assert.equal(pageZonenum(a, 5 * PAGE_WORDS), ZoneType.NORMAL);
  });
});

describe('accessors', () => {
  const mm = new Uint32Array(PAGE_WORDS);
  it('set_page_links keeps the other bits', () => {
    initSinglePage(mm, 0, 7, ZoneType.DMA, 0);
    setPageLinks(mm, 0, ZoneType.MOVABLE, 517);
    assert.equal(pageZonenum(mm, 0), ZoneType.MOVABLE);
    assert.equal(pageToNid(mm, 0), 517);
    assert.equal(mm[1]! & 0x7ffff, 0x7ffff);
  });
  it('PageBuddy is a page_type in _mapcount, order in private', () => {
    initSinglePage(mm, 0, 7, ZoneType.DMA, 0);
    assert.equal(pageBuddy(mm, 0), false);
    assert.equal(pageHasType(mm, 0), false);
    setBuddyOrder(mm, 0, 10);
    assert.equal(mm[12], 0xffffff7f);
    assert.equal(pageBuddy(mm, 0), true);
    assert.equal(pageHasType(mm, 0), true);
    assert.equal(buddyOrder(mm, 0), 10);
    clearPageBuddy(mm, 0);
    assert.equal(mm[12], 0xffffffff);
  });
  it('PG_reserved is bit 12 of flags', () => {
    initSinglePage(mm, 0, 7, ZoneType.DMA, 0);
    setPageReserved(mm, 0);
    assert.equal(pageReserved(mm, 0), true);
    assert.equal(mm[0], 0xc0001000);
    assert.equal(pageRefcount(mm, 0), 1);
  });
});

describe('poison', () => {
  it('page_init_poison fills 0xff and the checked reader names the pfn', () => {
    const mm = new Uint32Array(PAGE_WORDS * 4);
    initSinglePages(mm, 0, 0x40, 4, ZoneType.DMA, 0);
    pageInitPoison(mm, 2 * PAGE_WORDS, 1);
    assert.equal(pagePoisoned(mm, 2 * PAGE_WORDS), true);
    assert.equal(pagePoisoned(mm, PAGE_WORDS), false);
    pagePoisonCheck(mm, PAGE_WORDS, 0x41);
    assert.throws(() => pagePoisonCheck(mm, 2 * PAGE_WORDS, 0x42),
      (e: unknown) => e instanceof PoisonedPageError && e.pfn === 0x42 && /pfn 0x42 \(page 0xffffea0000001080\)/.test(e.message));
  });
});
