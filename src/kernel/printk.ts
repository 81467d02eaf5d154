// The kernel log a model run produces: every line goes through a LineFormat, so what meminit
// prints is exactly what it can parse back, and --check can compare line by line.
import type { LineFormat } from '../trace/format.js';

export interface PrintkLine {
  /** Name of the LineFormat that produced the text ("zone.range"), or "text" for free text. */
  format: string;
  text: string;
}

export class Printk {
  readonly lines: PrintkLine[] = [];

  emit<T>(fmt: LineFormat<T>, v: T): void {
    this.lines.push({ format: fmt.name, text: fmt.emit(v) });
  }

  /** Take every line printed since `mark` (an index from `mark()`), e.g. one phase's output. */
  since(mark: number): PrintkLine[] {
    return this.lines.slice(mark);
  }

  mark(): number {
    return this.lines.length;
  }
}
