// The formats of start_kernel()'s lines up to mem_init(): parse(emit(x)) = x, and real lines
// (from test/corpus, or the kernel's format strings) parse and re-emit byte for byte.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { LineFormat } from '../../src/trace/format.js';
import * as H from '../../src/trace/formats/hash.js';
import * as I from '../../src/trace/formats/init.js';
import * as L from '../../src/trace/formats/log-buf.js';
import * as S from '../../src/trace/formats/swiotlb.js';

const REAL: [LineFormat<unknown>, string][] = [
  [I.unknownBootParams, 'Unknown kernel command line parameters "nokaslr", will be passed to user space.'],
  [I.unknownBootParamsAllocFailed, 'print_unknown_bootoptions: Failed to allocate 9 bytes'],
  [H.hashTableEntries, 'Dentry cache hash table entries: 524288 (order: 10, 4194304 bytes, linear)'],
  [H.hashTableEntries, 'Inode-cache hash table entries: 524288 (order: 10, 4194304 bytes, vmalloc hugepage)'],
  [H.hashTableEntries, 'Inode-cache hash table entries: 262144 (order: 9, 2097152 bytes, vmalloc)'],
  [H.hashTableEntries, 'TCP established hash table entries: 32768 (order: 6, 262144 bytes, linear)'],
  [S.swiotlbAreaNum, 'software IO TLB: area num 2.'],
  [S.swiotlbRoundup, 'software IO TLB: SWIOTLB bounce buffer size roundup to 64MB'],
  [S.swiotlbAllocFailed, 'software IO TLB: swiotlb_memblock_alloc: Failed to allocate 67108864 bytes tlb structure'],
  [S.swiotlbAdjusted, 'software IO TLB: SWIOTLB bounce buffer size adjusted 32768 -> 16384 slabs'],
  [S.swiotlbSlotsFailed, 'software IO TLB: swiotlb_init_remap: Failed to allocate 786432 bytes align=0x1000'],
  [S.swiotlbAreasFailed, 'software IO TLB: swiotlb_init_remap: Failed to allocate mem->areas.'],
  [L.logBufCpuMax, 'printk: log_buf_len individual max cpu contribution: 4096 bytes'],
  [L.logBufCpuExtra, 'printk: log_buf_len total cpu_extra contributions: 126976 bytes'],
  [L.logBufMinSize, 'printk: log_buf_len min size: 131072 bytes'],
  [L.logBufLen, 'printk: log_buf_len: 262144 bytes'],
];

describe('start_kernel lines round-trip', () => {
  for (const [fmt, line] of REAL) {
    it(`${fmt.name}: ${line}`, () => {
      const v = fmt.parse(line);
      assert.notEqual(v, undefined);
      assert.equal(fmt.emit(v), line);
      assert.deepEqual(fmt.parse(fmt.emit(v)), v);
    });
  }

  it('each line is read by its own format only', () => {
    const all = [...I.initFormats, ...H.hashFormats, ...S.swiotlbFormats, ...L.logBufFormats] as LineFormat<unknown>[];
    for (const [fmt, line] of REAL) assert.deepEqual(all.filter((f) => f.parse(line) !== undefined), [fmt], line);
  });

  it('lines of other shapes are not hash lines', () => {
    assert.equal(H.hashTableEntries.parse('VFS: Dquot-cache hash table entries: 512 (order 0, 4096 bytes)'), undefined);
  });
});
