// Progress bars on stderr for the slow steps (memmap allocation, deferred init per node, replay of
// a long log): one line per bar, redrawn in place. Only on a terminal: when stderr is a pipe or a
// file nothing is written at all. Colour unless NO_COLOR is set (https://no-color.org) or TERM=dumb.

/** The part of a tty.WriteStream the bars use (tests pass a fake one). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  env?: Record<string, string | undefined>;
  /** A millisecond clock (default performance.now). */
  now?: () => number;
  /** Draw nothing until this much time has passed, so quick runs stay quiet (default 300 ms). */
  showAfterMs?: number;
  /** At most one redraw per this many ms (default 80); the last state is always drawn by done(). */
  intervalMs?: number;
}

interface Bar {
  label: string;
  done: number;
  total: number;
}

const ESC = '\x1b[';

export class Progress {
  private readonly bars = new Map<string, Bar>();
  private readonly stream: ProgressStream | undefined;
  private readonly colour: boolean;
  private readonly now: () => number;
  private readonly start: number;
  private readonly showAfterMs: number;
  private readonly intervalMs: number;
  private drawnLines = 0;
  private lastDraw = -Infinity;

  constructor(o: ProgressOptions = {}) {
    const stream = o.stream ?? process.stderr;
    const env = o.env ?? process.env;
    this.stream = stream.isTTY ? stream : undefined;
    this.colour = !!this.stream && !env.NO_COLOR && env.TERM !== 'dumb';
    this.now = o.now ?? (() => performance.now());
    this.start = this.now();
    this.showAfterMs = o.showAfterMs ?? 300;
    this.intervalMs = o.intervalMs ?? 80;
  }

  /** Whether anything will ever be drawn (stderr is a terminal). */
  get active(): boolean {
    return this.stream !== undefined;
  }

  /** Set bar `key` to done/total (a new key adds a line below the others). */
  update(key: string, label: string, done: number, total: number): void {
    if (!this.stream) return;
    this.bars.set(key, { label, done, total });
    const t = this.now();
    if (t - this.start < this.showAfterMs || t - this.lastDraw < this.intervalMs) return;
    this.draw(t);
  }

  /** Erase the bars (the command's own output follows on a clean line). */
  done(): void {
    if (!this.stream || this.drawnLines === 0) return;
    let s = `${ESC}${this.drawnLines}A`;
    for (let i = 0; i < this.drawnLines; i++) s += `\r${ESC}2K\n`;
    this.stream.write(s + `${ESC}${this.drawnLines}A`);
    this.drawnLines = 0;
  }

  /** One bar's line: "node 1 deferred  [#########-----------]  45%  1234/2742", cut to the terminal's width. */
  line(b: Bar, width: number): string {
    const frac = b.total > 0 ? Math.min(1, b.done / b.total) : 0;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const tail = ` ${pct}  ${b.done}/${b.total}`;
    const barWidth = Math.max(10, Math.min(40, width - b.label.length - tail.length - 4));
    const fill = Math.round(frac * barWidth);
    const full = '#'.repeat(fill);
    const empty = '-'.repeat(barWidth - fill);
    const bar = this.colour ? `${ESC}32m${full}${ESC}2m${empty}${ESC}0m` : full + empty;
    const text = `${b.label} [${bar}]${tail}`;
    const visible = b.label.length + barWidth + 3 + tail.length;
    return visible <= width || this.colour ? text : text.slice(0, width);
  }

  private draw(t: number): void {
    const width = Math.max(20, (this.stream!.columns || 80) - 1);
    let s = this.drawnLines ? `${ESC}${this.drawnLines}A` : '';
    for (const b of this.bars.values()) s += `\r${ESC}2K${this.line(b, width)}\n`;
    this.stream!.write(s);
    this.drawnLines = this.bars.size;
    this.lastDraw = t;
  }
}
