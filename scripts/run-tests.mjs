#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner,
// printing the spec report and then the "N passed, N failed" closing line.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testDir = join(root, 'dist', 'test');
const filter = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = walk(testDir);
if (filter.length) files = files.filter((f) => filter.some((s) => relative(root, f).includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/test (did the build run?)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  [
    '--import', pathToFileURL(join(root, 'scripts', 'fc-seed.mjs')).href,
    '--test',
    '--test-reporter=spec', '--test-reporter-destination=stderr',
    `--test-reporter=${join(root, 'scripts', 'summary-reporter.mjs')}`, '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
