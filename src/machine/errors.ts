// SPDX-License-Identifier: GPL-2.0-only
// The one-line errors a bad machine description gets: "<file>: <field path>: <what>".
// Never a stack trace; the CLI prints `message` as it is.

/** A machine file, JSON text or preset the user must fix; `message` is the whole line. */
export class MachineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineError';
  }
}

export type FieldPath = readonly PropertyKey[];

/** A problem found while building a machine, before the file name is known. */
export class MachineProblem extends Error {
  constructor(
    readonly path: FieldPath,
    readonly what: string,
  ) {
    super(what);
    this.name = 'MachineProblem';
  }
}

/** Throws a MachineProblem; reads as a statement at the call site: `problem(['cpus'], '…')`. */
export function problem(path: FieldPath, what: string): never {
  throw new MachineProblem(path, what);
}

/** ['nodes', 1, 'memory', 0, 'size'] → "nodes[1].memory[0].size". */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** "machine.yaml: nodes[1].memory[0].size: expected …"; the path is left out when empty. */
export function machineError(file: string, path: FieldPath, what: string): MachineError {
  const where = formatPath(path);
  return new MachineError(where === '' ? `${file}: ${what}` : `${file}: ${where}: ${what}`);
}
