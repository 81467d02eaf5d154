// `npm run bench`: every benchmark in turn, each in its own process (so one's memmap is gone
// before the next allocates): deferred init (the seed's table; arguments after `--` go to it),
// ZONE_DEVICE init (6.1 against 4.19, the seed's pmem figures per TiB) and memory hotplug
// online/offline. Run one alone with node dist/bench/{deferred,zone-device,hotplug}.js.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const runs: [string, string[]][] = [
  ['deferred.js', process.argv.slice(2)],
  ['zone-device.js', []],
  ['hotplug.js', []],
];
let code = 0;
for (const [file, args] of runs) {
  const r = spawnSync(process.execPath, [here(file), ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`bench: ${file} failed (exit ${r.status ?? r.signal})\n`);
    code = r.status || 1;
    break;
  }
  process.stdout.write('\n');
}
process.exit(code);
