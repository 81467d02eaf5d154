// SPDX-License-Identifier: GPL-2.0-only
// zod issues → the one-line "path: what" of a MachineError: plain-words messages for zod's
// own checks, typo suggestions for unknown keys, and the telling branch of a failed union.
import type { z } from 'zod';
import type { FieldPath } from './errors.js';
import { describeInput } from './fields.js';

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false',
};

/** Levenshtein distance, for "did you mean" ("sizee" → "size": 1). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** 'unknown key "sizee"; did you mean "size"?' or 'unknown key "x" (expected one of …)'. */
function unknownKey(key: string, known: readonly string[]): string {
  const near = known
    .map((k) => ({ k, d: k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(k, key) }))
    .sort((a, b) => a.d - b.d)[0];
  if (near && near.d <= Math.max(1, Math.floor(key.length / 3))) return `unknown key "${key}"; did you mean "${near.k}"?`;
  return `unknown key "${key}" (expected one of ${known.join(', ')})`;
}

/** The keys of the strict object that raised an unrecognized_keys issue. */
function shapeKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Per-parse error map: messages for the issues zod raises itself (ours carry their own). */
export function zodErrorMap(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      const want = TYPE_WORDS[iss.expected] ?? iss.expected;
      return iss.input === undefined ? `missing: expected ${want}` : `expected ${want}, got ${describeInput(iss.input)}`;
    }
    case 'unrecognized_keys':
      return unknownKey(iss.keys[0]!, shapeKeys(iss.inst));
    case 'invalid_value':
      return `expected one of ${iss.values.join(', ')}, got ${describeInput(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'array') return `expected at least ${iss.minimum} ${iss.minimum === 1 ? 'entry' : 'entries'}, got none`;
      return undefined;
    case 'too_big':
      if (iss.origin === 'array') return `expected at most ${iss.maximum} entries, got ${(iss.input as unknown[]).length}`;
      return undefined;
    default:
      return undefined;
  }
}

/** How far an issue got into its input: deeper, or past the type check, means the branch fits. */
const depth = (iss: z.core.$ZodIssue): number =>
  iss.path.length * 2 + (iss.code === 'invalid_type' || iss.code === 'invalid_union' ? 0 : 1);

/**
 * The issue to report: the first one, and for a failed union the first issue of the branch
 * that got furthest ("memory: [{size: 1G}]" fails the list branch at memory[0].start,
 * which says more than "expected a size or a list").
 */
export function firstIssue(issues: readonly z.core.$ZodIssue[]): { path: FieldPath; message: string } {
  const iss = issues[0]!;
  if (iss.code === 'invalid_union' && iss.errors.length > 0) {
    const [best, next] = iss.errors.filter((b) => b.length > 0).map((b) => ({ b, d: depth(b[0]!) })).sort((x, y) => y.d - x.d);
    // A tie means no branch fits better than another: the union's own message says it best.
    if (best && best.d > 0 && best.d !== next?.d) {
      const inner = firstIssue(best.b);
      return { path: [...iss.path, ...inner.path], message: inner.message };
    }
  }
  return { path: iss.path, message: iss.message };
}
