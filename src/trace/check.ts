// --check: pairs each predicted line with the log line the kernel printed for it.
// Predictions are queued per format; a log line of a predicted format is compared with the
// oldest prediction of that format. What the log lacks, or has beyond the prediction, is said.
import type { PrintkLine } from '../kernel/printk.js';

export interface Mismatch {
  /** Log line number, when there is a log line. */
  line?: number;
  format: string;
  kernel?: string;
  predicted?: string;
  what: 'differs' | 'unpredicted' | 'missing';
}

/** Caller offsets (`+0x65/0x7d`) depend on the build; only the function name is compared. */
export const normaliseCaller = (s: string): string => s.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, '');

export class Checker {
  private readonly queues = new Map<string, PrintkLine[]>();
  readonly mismatches: Mismatch[] = [];
  matched = 0;

  /** Queue predicted lines to be met later in the log. */
  expect(lines: readonly PrintkLine[]): void {
    for (const l of lines) {
      let q = this.queues.get(l.format);
      if (!q) this.queues.set(l.format, (q = []));
      q.push(l);
    }
  }

  /** A log line the lexer recognised as `format`: compare it with the oldest prediction of that format. */
  see(line: number, format: string, text: string): boolean {
    const q = this.queues.get(format);
    const p = q?.shift();
    if (!p) {
      this.mismatches.push({ line, format, kernel: text, what: 'unpredicted' });
      return false;
    }
    if (normaliseCaller(p.text) === normaliseCaller(text)) {
      this.matched++;
      return true;
    }
    this.mismatches.push({ line, format, kernel: text, predicted: p.text, what: 'differs' });
    return false;
  }

  /** Whether predictions of `format` are waiting (so the log line is expected, not stray). */
  pending(format: string): boolean {
    return (this.queues.get(format)?.length ?? 0) > 0;
  }

  /** Predictions never met: the log ended early, or the kernel did not print them. */
  leftovers(): Mismatch[] {
    const out: Mismatch[] = [];
    for (const [format, q] of this.queues) for (const p of q) out.push({ format, predicted: p.text, what: 'missing' });
    return out;
  }

  /** Record a mismatch found outside the line queues (an allocation, a /proc value). */
  add(m: Mismatch): void {
    this.mismatches.push(m);
  }
}

export function formatMismatch(file: string, m: Mismatch): string {
  const where = m.line !== undefined ? `${file}:${m.line}` : file;
  switch (m.what) {
    case 'differs':
      return `${where}: ${m.format}: kernel printed\n    ${m.kernel}\n  meminit predicted\n    ${m.predicted}`;
    case 'unpredicted':
      return `${where}: ${m.format}: kernel printed a line meminit did not predict\n    ${m.kernel}`;
    case 'missing':
      return `${where}: ${m.format}: meminit predicted a line the log does not have\n    ${m.predicted}`;
  }
}
