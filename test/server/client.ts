// A raw HTTP client for the server tests: paths go out exactly as written (no URL
// normalisation), any method, header and body.
import { request } from 'node:http';
import { startServer, type MeminitServer } from '../../src/server/server.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export function send(
  srv: MeminitServer,
  method: string,
  path: string,
  o: { headers?: Record<string, string | number>; body?: string | Buffer } = {},
): Promise<Reply> {
  const u = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: o.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export const get = (srv: MeminitServer, path: string): Promise<Reply> => send(srv, 'GET', path);

export const postJson = (srv: MeminitServer, body: unknown): Promise<Reply> =>
  send(srv, 'POST', '/api/boot', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export const upload = (srv: MeminitServer, name: string, body: string | Buffer, type = 'text/plain'): Promise<Reply> =>
  send(srv, 'POST', `/api/boot?file=${encodeURIComponent(name)}`, { headers: { 'Content-Type': type }, body });

/** A server on a free loopback port that logs internal errors into `errors`. */
export async function testServer(capacity?: number): Promise<MeminitServer & { errors: string[] }> {
  const errors: string[] = [];
  const srv = await startServer({ port: 0, log: (l) => errors.push(l), ...(capacity ? { capacity } : {}) });
  return Object.assign(srv, { errors });
}

/** Boot a preset and wait for its `done` event; the machine id. */
export async function bootReady(srv: MeminitServer, preset: string): Promise<string> {
  const r = await postJson(srv, { preset });
  if (r.status !== 201) throw new Error(`boot ${preset}: ${r.status} ${r.text}`);
  const { id } = r.json<{ id: string }>();
  await get(srv, `/api/machine/${id}/events`);
  return id;
}

/** The events of a finished SSE stream. */
export function sseEvents(text: string): { id: string; event: string; data: unknown }[] {
  return text.split('\n\n').filter((f) => f.includes('data: ')).map((f) => {
    const field = (k: string) => f.split('\n').find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2) ?? '';
    return { id: field('id'), event: field('event'), data: JSON.parse(field('data')) as unknown };
  });
}
