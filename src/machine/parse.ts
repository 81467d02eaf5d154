// SPDX-License-Identifier: GPL-2.0-only
// parseMachine(): the text of a machine file → MachineSpec. No file system here, so it runs
// in a browser as well; load-file.ts reads files for Node.
import { buildMachine } from './build.js';
import { parseMachineText } from './text.js';
import type { MachineSpec } from './types.js';

/** "machines/q35-8g.yaml" → "q35-8g": the machine's name when the file gives none. */
export const machineNameOf = (file: string): string => file.replace(/^.*[/\\]/, '').replace(/\.(ya?ml|json)$/i, '');

/** A machine file's text → MachineSpec; `fileName` picks YAML or JSON and names the file in errors. */
export function parseMachine(text: string, fileName: string): MachineSpec {
  return buildMachine(parseMachineText(text, fileName), fileName, machineNameOf(fileName));
}
