// SPDX-License-Identifier: GPL-2.0-only
// `meminit serve`: the local web UI. Loopback only unless --host says otherwise (with a warning);
// a busy port or a bad flag is one line and exit 2. Ctrl-C stops it.
import { existsSync } from 'node:fs';
import { DEFAULT_ASSETS_DIR } from '../server/static.js';
import { DEFAULT_HOST, isLoopbackHost, startServer } from '../server/server.js';
import { EXIT_OK, UserError } from './errors.js';

export interface ServeOptions {
  port: string;
  host?: string;
}

/** A TCP port 0–65535 (0: any free port). */
export function parsePort(s: string): number {
  const n = /^\d{1,5}$/.test(s) ? Number(s) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new UserError(`--port ${s}: expected a port number from 0 to 65535`);
  return n;
}

/** The warning a non-loopback --host gets; undefined on loopback. */
export function hostWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return `warning: listening on ${host}, not only on this machine's loopback: anyone who can reach it can boot machines and upload files here`;
}

export async function serveCommand(o: ServeOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const port = parsePort(o.port);
  const host = o.host ?? DEFAULT_HOST;
  if (!existsSync(DEFAULT_ASSETS_DIR)) throw new UserError('the web page is not built; run `npm run build` first', 3);
  const warn = hostWarning(host);
  if (warn) err(warn);
  let srv;
  try {
    srv = await startServer({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`port ${port} on ${host} is in use; pick another with --port N (0: any free port)`);
    if (code === 'EACCES') throw new UserError(`port ${port} on ${host}: permission denied; use a port above 1023`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserError(`--host ${host}: not an address of this machine`);
    throw e;
  }
  out(`meminit: serving the web UI at ${srv.url} (Ctrl-C to stop)`);
  const stop = (): void => void srv.close().then(() => process.exit(EXIT_OK));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return EXIT_OK;
}
