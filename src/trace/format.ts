// One declaration per kernel line format: a name, an emitter and a parser that are each
// other's inverse (tested as parse(emit(x)) = x). The dmesg lexer, the --emit printers and
// the --check comparator all go through these objects.

export interface LineFormat<T> {
  /** Short stable name, used in mismatch reports ("memblock.alloc"). */
  readonly name: string;
  /** The kernel function that prints the line, for readers comparing with the source. */
  readonly printedBy: string;
  emit(v: T): string;
  /** The value the line carries, or undefined when the line is not of this format. */
  parse(line: string): T | undefined;
}

export function lineFormat<T>(
  name: string,
  printedBy: string,
  re: RegExp,
  fromMatch: (m: RegExpExecArray) => T | undefined,
  emit: (v: T) => string,
): LineFormat<T> {
  return {
    name,
    printedBy,
    emit,
    parse(line: string): T | undefined {
      const m = re.exec(line);
      return m ? fromMatch(m) : undefined;
    },
  };
}

/** Every non-empty line of a file in one format; throws naming the file (`what`) on a line that is not one. */
export function parseEvery<T>(f: LineFormat<T>, lines: readonly string[], what: string): T[] {
  return lines.filter((l) => l !== '').map((l) => {
    const v = f.parse(l);
    if (v === undefined) throw new Error(`${what}: unreadable line ${JSON.stringify(l)}`);
    return v;
  });
}
