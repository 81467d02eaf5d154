#!/usr/bin/env node
// Build step of the web UI: tsc compiles src/web/*.ts to dist/web/*.js; this copies the page's
// other files (HTML, CSS) beside them. dist/web is all `meminit serve` ever serves.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src', 'web');
const out = join(root, 'dist', 'web');
mkdirSync(out, { recursive: true });
for (const name of readdirSync(src)) {
  if (/\.(html|css|svg|png)$/.test(name)) copyFileSync(join(src, name), join(out, name));
}
