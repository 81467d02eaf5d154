// memblock, the boot-time memory manager (mm/memblock.c, include/linux/memblock.h), split by
// concept; this file only re-exports.
//   memblock-type.ts     struct memblock / memblock_type, region-array primitives
//   memblock-range.ts    add / remove / reserve / free, isolate, double_array
//   memblock-attr.ts     flags and node ids
//   memblock-iter.ts     range iterators
//   memblock-find.ts     find free space
//   memblock-alloc.ts    allocate (find + reserve)
//   memblock-query.ts    sizes and membership tests
//   memblock-control.ts  limit, direction, trim, free_late, discard
//   memblock-dump.ts     memblock_dump_all
export * from './memblock-type.js';
export * from './memblock-range.js';
export * from './memblock-attr.js';
export * from './memblock-iter.js';
export * from './memblock-find.js';
export * from './memblock-alloc.js';
export * from './memblock-query.js';
export * from './memblock-control.js';
export * from './memblock-dump.js';
