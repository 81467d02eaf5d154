// The trace a boot test compares with a corpus log: printk lines interleaved with memblock=debug
// lines, with the callers' code offsets dropped.
import { Printk } from '../../src/kernel/printk.js';
import type { LineFormat } from '../../src/trace/format.js';

/** A Printk that also appends each line to a shared trace, to interleave it with memblock's. */
export class TracePrintk extends Printk {
  constructor(private readonly trace: string[]) {
    super();
  }
  override emit<T>(fmt: LineFormat<T>, v: T): void {
    super.emit(fmt, v);
    this.trace.push(fmt.emit(v));
  }
}

/** "… sparse_init+0x2c/0x1d7" → "… sparse_init": the model has no code offsets. */
export const stripOffset = (t: string): string => t.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+$/, '').trimEnd();
