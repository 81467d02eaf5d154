// SPDX-License-Identifier: GPL-2.0-only
// Small HTTP helpers: JSON replies, one-line errors, size-limited bodies, query numbers.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the client caused: its status and the one line it gets back as {error}. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' } as const;

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(data), ...extra });
  res.end(data);
}

/** {error: "one line"}: newlines folded, so no message can smuggle a stack trace out. */
export function sendError(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  const line = message.replace(/\s*\n\s*/g, ' ').slice(0, 2000);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: line }, extra);
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export const mediaType = (req: IncomingMessage): string => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * The request body, at most `limit` bytes. A declared Content-Length over the limit is refused
 * at once; a body that grows past it is drained (up to 8 × limit, then the socket is cut) so the
 * client can read the 413 instead of a reset.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    const tooLarge = (n: number): HttpError =>
      new HttpError(413, `the upload is ${n} bytes or more; the limit is ${limit} bytes (${limit / 1024 / 1024} MiB)`);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(tooLarge(declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) {
        if (size > 8 * limit) req.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => (over ? reject(tooLarge(size)) : resolve(Buffer.concat(chunks))));
    req.on('error', (e) => reject(new HttpError(400, `the upload broke off: ${e.message}`)));
  });
}

/** Bytes → text, refusing what is not UTF-8 text. */
export function bodyText(buf: Buffer, what: string): string {
  if (buf.includes(0)) throw new HttpError(400, `${what}: not a text file (NUL byte at offset ${buf.indexOf(0)})`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new HttpError(400, `${what}: not a text file (not valid UTF-8)`);
  }
}

/**
 * The string field of a small JSON object body: 415 unless application/json (`send` says what to
 * send), 400 for malformed JSON or a body that is not an object with that string field (`expected`).
 */
export async function readJsonField(req: IncomingMessage, limit: number, field: string, o: { send: string; expected: string }): Promise<string> {
  const type = mediaType(req);
  if (type !== 'application/json') throw new HttpError(415, `send ${o.send} (got ${type ? `Content-Type ${type}` : 'no Content-Type'})`);
  const text = bodyText(await readBody(req, limit), 'request');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `malformed JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const v = (body as Record<string, unknown> | null)?.[field];
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof v !== 'string') throw new HttpError(400, o.expected);
  return v;
}

/**
 * A non-negative integer (decimal or 0x hex) no larger than `max`: "abc", "-1", "1.5", "1e3",
 * "0x" and values past `max` are 400s naming the parameter.
 */
export function intParam(s: string, name: string, max: number): number {
  const t = s.trim();
  const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(v)) throw new HttpError(400, `${name}=${JSON.stringify(s.slice(0, 40))}: expected a whole number (decimal or 0x hex)`);
  if (v > max) throw new HttpError(400, `${name}=${s.slice(0, 40)}: at most ${max} (0x${max.toString(16)})`);
  return v;
}

/** intParam() of a query parameter; `dflt` when absent. */
export function queryInt(q: URLSearchParams, name: string, dflt: number, max: number): number {
  const s = q.get(name);
  return s === null ? dflt : intParam(s, name, max);
}
