// SPDX-License-Identifier: GPL-2.0-only
// GET /api/machine/:id/events: the boot's events as server-sent events. Past events first
// (after Last-Event-ID when the browser reconnects), then live ones; the stream ends after
// the `done` event.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BootEvent } from '../web/api-types.js';
import type { MachineRecord } from './machines.js';

/** A comment line every so often keeps proxies and idle timers from closing a long boot's stream. */
const HEARTBEAT_MS = 15_000;

export const sseFrame = (e: BootEvent): string => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

export function streamEvents(rec: MachineRecord, req: IncomingMessage, res: ServerResponse): void {
  const last = Number(req.headers['last-event-id'] ?? -1);
  const after = Number.isSafeInteger(last) ? last : -1;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff',
    Connection: 'keep-alive',
  });
  res.write('retry: 2000\n\n');
  for (const e of rec.events) if (e.seq > after) res.write(sseFrame(e));
  if (rec.status !== 'booting') {
    res.end();
    return;
  }
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  const stop = (): void => {
    clearInterval(heartbeat);
    rec.listeners.delete(listener);
  };
  const listener = (e: BootEvent): void => {
    res.write(sseFrame(e));
    if (e.type === 'done') {
      stop();
      res.end();
    }
  };
  rec.listeners.add(listener);
  req.on('close', stop);
}
