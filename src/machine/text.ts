// SPDX-License-Identifier: GPL-2.0-only
// Machine-file text → plain data: size and binary checks, then YAML (or JSON for *.json),
// with syntax errors reported as "line L, column C".
import { LineCounter, parseDocument } from 'yaml';
import { machineError } from './errors.js';
import { hex } from './units.js';

/** Machine files are a few hundred bytes; anything over 1 MiB is a wrong file. */
export const MAX_MACHINE_FILE_BYTES = 1024 * 1024;

/** 1-based line and column of offset `pos` in `text`. */
function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line}, column ${pos - before.lastIndexOf('\n')}`;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // V8: "Unexpected token } in JSON at position 42" (newer ones add "(line 3 column 1)").
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /at position (\d+)/.exec(msg);
    const what = msg.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw machineError(file, [], `${pos ? `${lineCol(text, Number(pos[1]))}: ` : ''}JSON syntax error: ${what}`);
  }
}

function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    throw machineError(file, [], `line ${line}, column ${col}: YAML syntax error: ${err.message}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    throw machineError(file, [], `YAML error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The data in a machine file's text; `file` picks the syntax (*.json: JSON, else YAML). */
export function parseMachineText(text: string, file: string): unknown {
  if (text.length > MAX_MACHINE_FILE_BYTES) {
    throw machineError(file, [], `is ${text.length} characters long; machine files are limited to 1 MiB`);
  }
  // Control characters other than tab and newlines mean a binary file was passed by mistake.
  const ctl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (ctl) {
    throw machineError(file, [], `not a text file: control character ${hex(ctl[0].charCodeAt(0))} at ${lineCol(text, ctl.index)}`);
  }
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const data = /\.json$/i.test(file) ? parseJson(body, file) : parseYaml(body, file);
  if (data === null || data === undefined) throw machineError(file, [], 'is empty; expected a mapping of machine settings');
  return data;
}
