// SPDX-License-Identifier: GPL-2.0-only
// `meminit run SCRIPT [MACHINE]`, `meminit sysfs cat|write`, and `--script` on boot and replay:
// boot a machine with its struct pages, set up memory hotplug (memory blocks, the machine
// file's DIMMs plugged as the ACPI driver would at boot), then run the script's lines.
import { readFileSync, statSync } from 'node:fs';
import type { Machine } from '../kernel/machine.js';
import type { DeferredStrategy } from '../mm/deferred-work.js';
import { errnoText, parseScript, runScript, ScriptError, type LineResult, type ScriptLine } from '../shell/script.js';
import { bootWithMemmap } from './boot.js';
import { EXIT_MISMATCH, EXIT_OK, UserError } from './errors.js';

export const HOTPLUG_RESERVED = ['keep', 'drop'] as const;
export type HotplugReserved = (typeof HOTPLUG_RESERVED)[number];

export interface HotplugBootOptions {
  strategy: DeferredStrategy;
  reserved: HotplugReserved;
}

/** Scripts are small text files. */
export const MAX_SCRIPT_BYTES = 1 << 20;

/** Read and parse a script file, refusing it whole (one line naming file:line) when malformed. */
export function loadScript(path: string): ScriptLine[] {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${path}: not a regular file`);
    if (st.size > MAX_SCRIPT_BYTES) throw new UserError(`${path}: ${st.size} bytes is more than a script may have (${MAX_SCRIPT_BYTES})`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: cannot read the script (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return parseScript(text, path);
  } catch (e) {
    if (e instanceof ScriptError) throw new UserError(e.message);
    throw e;
  }
}

/** Boot a machine file or preset with its struct pages (main thread) and memory hotplug. */
export function bootHotplugMachine(arg: string, o: HotplugBootOptions): Machine {
  return bootWithMemmap(arg, o.strategy, { hotplug: o.reserved }).m;
}

/** Print a script's results: output on stdout, each refusal on stderr as "FILE:LINE: text". */
export function printResults(file: string, results: readonly LineResult[], out: (s: string) => void, err: (s: string) => void): number {
  let failed = 0;
  for (const r of results) {
    if (r.out.length) out(r.out.join('\n'));
    if (r.error !== undefined) {
      failed++;
      err(`${file}:${r.line.no}: ${r.error}`);
    }
  }
  return failed ? EXIT_MISMATCH : EXIT_OK;
}

export const resultsJson = (results: readonly LineResult[]): unknown =>
  results.map((r) => ({ line: r.line.no, command: r.line.text, out: r.out, ...(r.error === undefined ? {} : { errno: r.errno, error: r.error }) }));

/** `meminit run SCRIPT [MACHINE]`: exit 1 when any line failed. */
export function runCommand(
  script: string, machine: string, o: HotplugBootOptions & { json?: boolean }, out: (s: string) => void, err: (s: string) => void,
): number {
  const lines = loadScript(script);
  const m = bootHotplugMachine(machine, o);
  const results = runScript(m, lines);
  if (o.json) {
    out(JSON.stringify({ machine: m.name, script, results: resultsJson(results) }, null, 2));
    return results.some((r) => r.error !== undefined) ? EXIT_MISMATCH : EXIT_OK;
  }
  return printResults(script, results, out, err);
}

/** `meminit sysfs cat PATH` / `sysfs write PATH VALUE` on a freshly booted machine (after --script, if given). */
export function sysfsCommand(
  op: 'cat' | 'write', path: string, value: string | undefined, machine: string,
  o: HotplugBootOptions & { script?: string; json?: boolean }, out: (s: string) => void, err: (s: string) => void,
): number {
  if (op === 'write' && value === undefined) throw new UserError('sysfs write: expected PATH VALUE');
  if (op === 'cat' && value !== undefined) throw new UserError(`sysfs cat: unexpected "${value}" after the path (the machine goes in --machine)`);
  const pre = o.script ? loadScript(o.script) : [];
  const text = op === 'cat' ? `cat ${path}` : `echo ${JSON.stringify(value)} > ${path}`;
  const line = parseScriptLine(text);
  const m = bootHotplugMachine(machine, o);
  if (pre.length && printResults(o.script!, runScript(m, pre), out, err) !== EXIT_OK) err(`${o.script}: some lines failed; continuing`);
  const [r] = runScript(m, [line]);
  // A write that took is read back, so the answer shows (a write-only file prints nothing).
  if (op === 'write' && r!.error === undefined) {
    const back = runScript(m, [parseScriptLine(`cat ${path}`)])[0]!;
    if (back.error === undefined) r!.out.push(...back.out);
  }
  if (o.json) {
    out(JSON.stringify({ path, op, text: r!.out.join('\n'), ...(r!.error === undefined ? {} : { errno: r!.errno, error: r!.error }) }));
    return r!.error === undefined ? EXIT_OK : EXIT_MISMATCH;
  }
  return printResults('sysfs', [r!], out, (s) => err(s.replace(/^sysfs:\d+: /, '')));
}

function parseScriptLine(text: string): ScriptLine {
  try {
    return parseScript(text, 'sysfs')[0]!;
  } catch (e) {
    if (e instanceof ScriptError) throw new UserError(e.message.replace(/^sysfs:1: /, ''));
    throw e;
  }
}
