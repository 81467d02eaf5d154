// `meminit bench`: the deferred-init benchmark (bench/deferred.ts, built to dist/bench) in its own
// process, so its memmap and worker threads live and die with it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from './errors.js';

const BENCH = fileURLToPath(new URL('../../bench/deferred.js', import.meta.url));

export function benchCommand(args: string[]): number {
  if (!existsSync(BENCH)) throw new UserError(`the benchmark is not built (${BENCH}); run npm run build`);
  const r = spawnSync(process.execPath, [BENCH, ...args], { stdio: 'inherit' });
  return r.status ?? 3;
}
