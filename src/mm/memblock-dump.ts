// memblock_dump_all() / __memblock_dump_all() (mm/memblock.c): the "MEMBLOCK configuration:" block.
import { emitMemblockDump } from '../trace/formats/memblock.js';
import type { Memblock } from './memblock-type.js';

/** __memblock_dump_all(): the dump's lines, as 6.1 x86_64 (CONFIG_NUMA, no physmem) prints them. */
export const memblockDump = (mb: Memblock): string[] => emitMemblockDump(mb.memory, mb.reserved);

/** memblock_dump_all(): the dump, printed only under memblock=debug. */
export function memblockDumpAll(mb: Memblock): void {
  if (mb.debug) for (const line of memblockDump(mb)) mb.debug(line);
}
