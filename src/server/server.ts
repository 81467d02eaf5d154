// SPDX-License-Identifier: GPL-2.0-only
// `meminit serve`'s HTTP server: the page's files and the JSON API, on 127.0.0.1 unless asked
// otherwise. Every request ends in a reply — a bad one in {error: "one line"} — never a crash.
import { realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi } from './api.js';
import { HttpError, sendError } from './http.js';
import { MachineStore } from './machines.js';
import { DEFAULT_ASSETS_DIR, serveStatic } from './static.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
/** Machines kept in memory; the least recently used goes first. */
export const DEFAULT_CAPACITY = 16;

export interface ServerOptions {
  host?: string;
  port?: number;
  assetsDir?: string;
  capacity?: number;
  /** bench/results.json, for GET /api/bench (default: the repository's; tests point elsewhere). */
  benchResults?: string;
  /** Where internal errors are logged (one line each); stderr by default. */
  log?: (line: string) => void;
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export const isLoopbackHost = (h: string): boolean =>
  h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);

/** The host part of a Host header ("127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"). */
const hostOf = (header: string): string => (header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!);

export interface MeminitServer {
  server: Server;
  store: MachineStore;
  url: string;
  close(): Promise<void>;
}

export function createMeminitServer(o: ServerOptions = {}): { server: Server; store: MachineStore } {
  const host = o.host ?? DEFAULT_HOST;
  const root = realpathSync(o.assetsDir ?? DEFAULT_ASSETS_DIR);
  const store = new MachineStore(o.capacity ?? DEFAULT_CAPACITY);
  const log = o.log ?? ((l: string) => void process.stderr.write(l + '\n'));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // On loopback, a page on another site must not reach us by renaming its host (DNS rebinding).
    if (isLoopbackHost(host) && !isLoopbackHost(hostOf(req.headers.host ?? ''))) {
      throw new HttpError(403, `Host ${JSON.stringify((req.headers.host ?? '').slice(0, 60))} refused: meminit serve answers on its loopback address only`);
    }
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : url.slice(qi + 1));
    if (path === '/api' || path.startsWith('/api/')) return handleApi(store, req, res, path, query, o.benchResults);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed here; use GET`);
    serveStatic(root, req, res, path);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) return sendError(res, e.status, e.message, e.status === 413 ? { Connection: 'close' } : {});
      log(`meminit serve: internal error on ${req.method} ${(req.url ?? '').slice(0, 200)}: ${e instanceof Error ? e.message : String(e)}`);
      sendError(res, 500, `internal error: ${e instanceof Error ? e.message : String(e)} (please report this with the input that caused it)`);
    });
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return { server, store };
}

/** Listen; resolves once listening, rejects with the listen error (EADDRINUSE, EACCES …). */
export function startServer(o: ServerOptions = {}): Promise<MeminitServer> {
  const { server, store } = createMeminitServer(o);
  const host = o.host ?? DEFAULT_HOST;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
      resolve({
        server, store, url: `http://${shown}:${port}/`,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
