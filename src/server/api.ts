// SPDX-License-Identifier: GPL-2.0-only
// The JSON API: presets, boot, a machine's summary, its bins, one pfn, the boot's events, and
// its memory blocks (listed, onlined and offlined).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listPresets, MAX_MACHINE_FILE_BYTES } from '../machine/index.js';
import type { BinsResponse, MachineSummary } from '../web/api-types.js';
import { binPfnStates, MAX_BINS, MAX_VIEW_PFN, NR_PFN_STATES, PFN_STATES } from '../web/bins.js';
import { bootLogRecord, machineFileRecord, presetRecord, runBootPhases } from './boot.js';
import { bodyText, HttpError, intParam, mediaType, queryInt, readBody, readJsonField, sendJson } from './http.js';
import { machineSummary, pfnInfo, structPageAt } from './machine-view.js';
import { benchResponse } from './bench.js';
import type { MachineRecord, MachineStore } from './machines.js';
import { streamEvents } from './sse.js';
import { blockAction, listBlocks } from './hotplug.js';

/** Largest upload: a machine file, or a boot log (real ones with memblock=debug are well under). */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
/** Bins when the request names none. */
export const DEFAULT_BINS = 1024;

const UPLOAD_TYPES = new Set(['text/plain', 'text/x-log', 'application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);
const isMachineFileName = (name: string): boolean => /\.(ya?ml|json)$/i.test(name);

/** POST /api/boot: {preset} as JSON, or ?file=NAME[&kind=machine|log] with the file as the body. */
async function boot(store: MachineStore, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
  const type = mediaType(req);
  const file = q.get('file');
  let rec: MachineRecord;
  if (file === null) {
    const preset = await readJsonField(req, MAX_UPLOAD_BYTES, 'preset', {
      send: '{"preset": NAME} as application/json, or a file with ?file=NAME', expected: 'expected {"preset": NAME}; see GET /api/presets',
    });
    rec = presetRecord(preset);
  } else {
    const name = file.replace(/^.*[/\\]/, '').replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 200) || 'upload';
    if (!UPLOAD_TYPES.has(type)) {
      throw new HttpError(415, `${name}: Content-Type ${type || '(none)'} is not accepted; send machine files and boot logs as text/plain, application/yaml or application/json`);
    }
    const kind = q.get('kind') ?? (isMachineFileName(name) ? 'machine' : 'log');
    if (kind !== 'machine' && kind !== 'log') throw new HttpError(400, `kind=${kind.slice(0, 20)}: expected machine or log`);
    const buf = await readBody(req, MAX_UPLOAD_BYTES);
    if (buf.length === 0) throw new HttpError(400, `${name}: empty file`);
    if (kind === 'machine' && buf.length > MAX_MACHINE_FILE_BYTES) {
      throw new HttpError(413, `${name}: ${buf.length} bytes; machine files are limited to ${MAX_MACHINE_FILE_BYTES} bytes (1 MiB)`);
    }
    const text = bodyText(buf, name);
    rec = kind === 'machine' ? machineFileRecord(text, name) : bootLogRecord(text, name);
  }
  store.add(rec);
  if (rec.status === 'booting') void runBootPhases(rec);
  sendJson(res, 201, { id: rec.id, status: rec.status }, { Location: `/api/machine/${rec.id}` });
}

function summary(rec: MachineRecord): MachineSummary {
  const head: MachineSummary = {
    id: rec.id, source: rec.source, status: rec.status, ...(rec.error ? { error: rec.error } : {}), startedAt: rec.startedAt,
    events: rec.events, ...(rec.replay ? { replay: rec.replay } : {}),
  };
  return rec.view ? { ...head, ...machineSummary(rec.machine, rec.view.sections) } : head;
}

function ready(rec: MachineRecord): NonNullable<MachineRecord['view']> {
  if (rec.view) return rec.view;
  throw new HttpError(409, rec.status === 'failed' ? `the boot failed: ${rec.error}` : 'the machine is still booting; wait for the "done" event');
}

/** GET /api/machine/:id/bins?start=PFN&end=PFN&bins=N. */
function bins(rec: MachineRecord, q: URLSearchParams): BinsResponse {
  const view = ready(rec);
  const start = queryInt(q, 'start', 0, MAX_VIEW_PFN);
  const end = queryInt(q, 'end', view.extentPfn, MAX_VIEW_PFN);
  if (end <= start) throw new HttpError(400, `end (${end}) must be above start (${start})`);
  const n = queryInt(q, 'bins', Math.min(DEFAULT_BINS, end - start), MAX_BINS);
  if (n < 1) throw new HttpError(400, 'bins must be at least 1');
  if (n > end - start) throw new HttpError(400, `bins (${n}) is more than the ${end - start} pfns of [start, end)`);
  const flat = binPfnStates(view.segs, start, end, n);
  const counts: number[][] = [];
  for (let b = 0; b < n; b++) counts.push(Array.from(flat.subarray(b * NR_PFN_STATES, (b + 1) * NR_PFN_STATES)));
  return { start, end, bins: n, states: [...PFN_STATES], counts };
}

const MACHINE_ROUTE = /^\/api\/machine\/([0-9a-f]{16})(?:\/(bins|events|blocks|(pfn|page|block)\/([^/]*)))?$/;

/** Handle /api/…; the caller has matched the prefix. */
export async function handleApi(
  store: MachineStore, req: IncomingMessage, res: ServerResponse, path: string, q: URLSearchParams, benchResults?: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const allow = (...methods: string[]): void => {
    if (!methods.includes(method)) throw new HttpError(405, `${method} is not allowed here; use ${methods.join(' or ')}`);
  };
  if (path === '/api/presets') {
    allow('GET');
    return sendJson(res, 200, listPresets());
  }
  if (path === '/api/boot') {
    allow('POST');
    return boot(store, req, res, q);
  }
  if (path === '/api/bench') {
    allow('GET');
    return sendJson(res, 200, benchResponse(benchResults));
  }
  const m = MACHINE_ROUTE.exec(path);
  if (!m) throw new HttpError(404, `no such API route: ${path.slice(0, 100)}`);
  allow(m[3] === 'block' ? 'POST' : 'GET');
  const rec = store.get(m[1]!);
  if (!rec) throw new HttpError(404, `no machine ${m[1]} (unknown, or evicted: the server keeps the ${store.capacity} most recently used)`);
  if (m[3] === 'block') return sendJson(res, 200, await blockAction(rec, req, m[4]!));
  switch (m[2]) {
    case undefined:
      return sendJson(res, 200, summary(rec));
    case 'bins':
      return sendJson(res, 200, bins(rec, q));
    case 'events':
      return streamEvents(rec, req, res);
    case 'blocks':
      return sendJson(res, 200, listBlocks(rec));
    default: {
      const view = ready(rec);
      const pfn = intParam(m[4]!, 'pfn', MAX_VIEW_PFN - 1);
      if (m[3] === 'pfn') return sendJson(res, 200, pfnInfo(rec.machine, view.segs, view.sections, pfn));
      // GET …/page/:pfn: the struct page alone, `meminit page PFN` as JSON; no struct page is an error.
      const sp = structPageAt(rec.machine, pfn);
      if (!sp.page) throw new HttpError(rec.machine.memmap ? 404 : 409, sp.pageError ?? 'no struct page');
      return sendJson(res, 200, sp.page);
    }
  }
}
