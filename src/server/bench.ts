// SPDX-License-Identifier: GPL-2.0-only
// GET /api/bench: what `meminit bench` last wrote to bench/results.json, checked field by field
// (a hand-edited or half-written file gives `results: null` and the reason, never a 500), and the
// seed series' figures to mark on the plot.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchResponse } from '../web/api-types.js';

/** bench/results.json from dist/src/server/. */
export const DEFAULT_BENCH_RESULTS = fileURLToPath(new URL('../../../bench/results.json', import.meta.url));
const MAX_RESULTS_BYTES = 1024 * 1024;

/**
 * The seed series (Nov 2018) on one 384 GiB node of real hardware: deferred init took 3750 ms in
 * 4.19, 1380 ms with the four patches merged in 5.2, 1060 ms with all seven (as bench/deferred.ts).
 */
const SEED_NODE_BYTES = 384 * 2 ** 30;
const SEED_MS = [['4.19 (seed)', 3750], ['5.2, 4 patches (seed)', 1380], ['all 7 patches (seed)', 1060]] as const;
const rate = (ms: number): number => +(SEED_NODE_BYTES / 4096 / 1e6 / (ms / 1000)).toFixed(1);

export const SEED_MARKS: BenchResponse['seed'] = {
  nodeBytes: SEED_NODE_BYTES, marks: SEED_MS.map(([label, ms]) => ({ label, mpagesPerSec: rate(ms) })),
};

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export function benchResponse(path = DEFAULT_BENCH_RESULTS): BenchResponse {
  const none = (reason: string): BenchResponse => ({ seed: SEED_MARKS, results: null, reason });
  let text: string;
  try {
    if (statSync(path).size > MAX_RESULTS_BYTES) return none('bench/results.json is over 1 MiB: not read');
    text = readFileSync(path, 'utf8');
  } catch {
    return none('no benchmark results yet: run `meminit bench` (or npm run bench) to make bench/results.json');
  }
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return none('bench/results.json is not JSON');
  }
  const o = j as { node?: { bytes?: unknown }; host?: { cores?: unknown; node?: unknown }; runs?: unknown };
  if (typeof o !== 'object' || o === null || !isNum(o.node?.bytes) || !Array.isArray(o.runs)) return none('bench/results.json has no node size or runs');
  const runs: NonNullable<BenchResponse['results']>['runs'] = [];
  for (const r of o.runs as Record<string, unknown>[]) {
    if (typeof r?.strategy !== 'string' || !isNum(r.workers) || !isNum(r.mpagesPerSec) || !isNum(r.initMs)) return none('bench/results.json: a run lacks strategy, workers, mpagesPerSec or initMs');
    runs.push({ strategy: r.strategy.slice(0, 40), workers: r.workers, mpagesPerSec: r.mpagesPerSec, initMs: r.initMs });
  }
  const host = `${isNum(o.host?.cores) ? `${o.host!.cores} cores` : 'host'}${typeof o.host?.node === 'string' ? `, node ${o.host.node.slice(0, 20)}` : ''}`;
  return { seed: SEED_MARKS, results: { nodeBytes: o.node!.bytes as number, host, runs } };
}
