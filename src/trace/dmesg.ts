// The boot-log lexer: raw serial console or `dmesg` text → numbered kernel lines without
// timestamps, plus the capture sections the corpus initramfs prints behind marker lines.

export interface LogLine {
  /** 1-based line number in the file. */
  no: number;
  /** The message text, printk timestamp and syslog/journal prefixes removed. */
  text: string;
}

export interface CaptureSection {
  name: string;
  /** Line number of the opening marker. */
  no: number;
  lines: string[];
}

/** One action of the corpus initramfs: a script line it ran, and how the kernel answered. */
export interface LogAction {
  n: number;
  line: string;
  /** Line number of the action marker. */
  no: number;
  /** null: ok; text: the errno text the write failed with; undefined: no result marker. */
  error: string | null | undefined;
}

export interface BootLog {
  file: string;
  kernel: LogLine[];
  captures: Map<string, CaptureSection>;
  /** Hotplug actions run after the boot capture; their captures are named "NAME@n". */
  actions: LogAction[];
}

export class LogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogError';
  }
}

/** Biggest log accepted: real boots with memblock=debug are well under 10 MiB. */
export const MAX_LOG_BYTES = 64 * 1024 * 1024;

const TS = /^\s*(?:<\d+>)?\[\s*\d+\.\d+\] ?/;
const JOURNAL = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: /;
const ISO_JOURNAL = /^\d{4}-\d\d-\d\dT\S+ \S+ kernel: /;
const MARK = /^=== meminit-capture: (end )?(.+?) ===$/;
/** The hotplug actions a corpus initramfs ran after the boot capture (tools/corpus/init.sh). */
const ACTION = /^=== meminit-action: (\d+) (.*) ===$/;
const ACTION_RESULT = /^=== meminit-action-result: (\d+) (?:(ok)|error (.*)) ===$/;

/** Refuse what is clearly not a text log before trying to read it. */
export function checkLogText(text: string, file: string): void {
  if (text.length === 0) throw new LogError(`${file}: empty file (expected the text of a kernel boot log)`);
  const head = text.slice(0, 65536);
  let bad = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0) throw new LogError(`${file}: binary file (NUL byte at offset ${i}); expected the text of a kernel boot log`);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) bad++;
  }
  if (bad > head.length / 100) throw new LogError(`${file}: does not look like text (${bad} control characters in the first ${head.length} bytes)`);
}

/** Strip the printk timestamp and journal/syslog prefixes of one line. */
export function stripPrefix(line: string): { text: string; kernel: boolean } {
  const m = TS.exec(line);
  if (m) return { text: line.slice(m[0].length), kernel: true };
  const j = JOURNAL.exec(line) ?? ISO_JOURNAL.exec(line);
  if (j) return { text: line.slice(j[0].length).replace(/^\[\s*\d+\.\d+\] ?/, ''), kernel: true };
  return { text: line.replace(/^<\d+>/, ''), kernel: false };
}

export function lexBootLog(text: string, file: string): BootLog {
  checkLogText(text, file);
  const raw = text.split('\n');
  const kernel: LogLine[] = [];
  const captures = new Map<string, CaptureSection>();
  const actions: LogAction[] = [];
  let open: CaptureSection | undefined;
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i]!.replace(/\r/g, '');
    const act = ACTION.exec(line);
    if (act) {
      actions.push({ n: +act[1]!, line: act[2]!, no: i + 1, error: undefined });
      continue;
    }
    const res = ACTION_RESULT.exec(line);
    if (res) {
      const a = actions.find((x) => x.n === +res[1]!);
      if (a) a.error = res[2] ? null : res[3]!;
      continue;
    }
    const mark = MARK.exec(line);
    if (mark) {
      if (mark[1]) {
        if (open && open.name === mark[2]) captures.set(open.name, open);
        open = undefined;
      } else {
        open = { name: mark[2]!, no: i + 1, lines: [] };
      }
      continue;
    }
    const { text: t, kernel: isKernel } = stripPrefix(line);
    // Kernel messages can interleave with the capture's own output on the serial console.
    if (open && !isKernel) {
      open.lines.push(line);
      continue;
    }
    if (t.length > 0 || isKernel) kernel.push({ no: i + 1, text: t.replace(/\s+$/, '') });
  }
  return { file, kernel, captures, actions };
}
