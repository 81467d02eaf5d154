// SPDX-License-Identifier: GPL-2.0-only
// The page's files, served from the built web folder and nothing else: the request path is
// decoded, normalised and resolved, and anything that would land outside the folder, or is not
// a known asset type, is refused before the file system is touched.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError, sendError } from './http.js';

/** dist/web beside dist/src/server: where `npm run build` puts the page. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Nothing but this server: no CDN, no inline script, no frames. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The file a request path names inside `root` (already a real path), or an HttpError:
 * "/" → index.html; "/app.js" → root/app.js; "/../x", "/%2e%2e/x", "/a\\..\\x", "/%00" → refused.
 */
export function resolveAsset(root: string, rawPath: string): string {
  let p: string;
  try {
    p = decodeURIComponent(rawPath);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path');
  }
  if (!p.startsWith('/') || p.includes('\0') || p.includes('\\')) throw new HttpError(400, 'bad path');
  const norm = posix.normalize(p);
  if (norm.split('/').some((seg) => seg === '..' || (seg.startsWith('.') && seg.length > 0))) throw new HttpError(404, 'not found');
  const rel = norm === '/' ? 'index.html' : norm.slice(1);
  if (!(extname(rel) in TYPES)) throw new HttpError(404, 'not found');
  const file = join(root, rel);
  if (!file.startsWith(root + sep)) throw new HttpError(404, 'not found');
  return file;
}

export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, rawPath: string): void {
  const file = resolveAsset(root, rawPath);
  let real: string;
  let size: number;
  try {
    real = realpathSync(file);
    const st = statSync(real);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new HttpError(404, 'not found');
  }
  // A link inside the folder must not lead out of it either.
  if (!real.startsWith(root + sep)) throw new HttpError(404, 'not found');
  res.writeHead(200, {
    'Content-Type': TYPES[extname(real)]!, 'Content-Length': size, 'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(real)
    .on('error', () => sendError(res, 500, 'could not read the file'))
    .pipe(res);
}
