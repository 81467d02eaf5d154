// SPDX-License-Identifier: GPL-2.0-only
// The one Node-only file of src/machine: read a machine file from disk and parse it.
import { readFileSync, statSync } from 'node:fs';
import { MachineError, machineError } from './errors.js';
import { parseMachine } from './parse.js';
import { MAX_MACHINE_FILE_BYTES } from './text.js';
import type { MachineSpec } from './types.js';

const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'no such file',
};

/** The file's text, checked for size, NUL bytes and UTF-8 before any parsing. */
function readMachineText(path: string): string {
  let data: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw machineError(path, [], 'is a directory, not a machine file');
    if (st.size > MAX_MACHINE_FILE_BYTES) throw machineError(path, [], `is ${st.size} bytes; machine files are limited to 1 MiB`);
    data = readFileSync(path);
  } catch (e) {
    if (e instanceof MachineError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw machineError(path, [], `cannot read it: ${FS_ERRORS[code] ?? (e instanceof Error ? e.message : String(e))}`);
  }
  const nul = data.indexOf(0);
  if (nul >= 0) throw machineError(path, [], `not a text file: NUL byte at offset ${nul}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw machineError(path, [], 'not a text file: not valid UTF-8');
  }
}

/** Read and parse a machine file (YAML, or JSON when it ends in .json). */
export function loadMachineFile(path: string): MachineSpec {
  return parseMachine(readMachineText(path), path);
}
