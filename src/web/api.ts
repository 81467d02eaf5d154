// SPDX-License-Identifier: GPL-2.0-only
// The page's side of the JSON API: every failure becomes an Error whose message is the
// server's one line (or a one-line description of what went wrong on the way).
import type { BenchResponse, BinsResponse, BlockAction, BlockInfo, MachineSummary, PfnInfoResponse, PresetInfo } from './api-types.js';

/** What the server accepts (src/server/api.ts MAX_UPLOAD_BYTES); checked here first to spare the upload. */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new Error('the meminit server does not answer (is `meminit serve` still running?)');
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new Error(`the server sent something that is not JSON (HTTP ${res.status})`);
  }
  if (!res.ok) throw new Error((body as { error?: string }).error ?? `HTTP ${res.status}`);
  return body as T;
}

export const getPresets = (): Promise<PresetInfo[]> => call('/api/presets');

export const bootPreset = (preset: string): Promise<{ id: string }> =>
  call('/api/boot', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ preset }) });

/** Machine files by extension (.yaml/.yml/.json); anything else is read as a boot log. */
export function contentTypeOf(name: string): string {
  if (/\.json$/i.test(name)) return 'application/json';
  if (/\.ya?ml$/i.test(name)) return 'application/yaml';
  return 'text/plain';
}

export async function bootFile(file: File): Promise<{ id: string }> {
  if (file.size > MAX_UPLOAD_BYTES) {
    throw new Error(`${file.name}: ${file.size} bytes; uploads are limited to ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`);
  }
  return call(`/api/boot?file=${encodeURIComponent(file.name)}`, {
    method: 'POST', headers: { 'Content-Type': contentTypeOf(file.name) }, body: file,
  });
}

export const getMachine = (id: string): Promise<MachineSummary> => call(`/api/machine/${id}`);

export const getBins = (id: string, start: number, end: number, bins: number, signal?: AbortSignal): Promise<BinsResponse> =>
  call(`/api/machine/${id}/bins?start=${start}&end=${end}&bins=${bins}`, signal ? { signal } : undefined);

/** What is at a pfn and its struct page; `pfn` may be typed text ("0x1000"): the server checks it. */
export const getPfn = (id: string, pfn: number | string): Promise<PfnInfoResponse> => call(`/api/machine/${id}/pfn/${encodeURIComponent(String(pfn).trim())}`);

export const getBench = (): Promise<BenchResponse> => call('/api/bench');

export const getBlocks = (id: string): Promise<BlockInfo[]> => call(`/api/machine/${id}/blocks`);

/** echo ACTION > /sys/devices/system/memory/memoryN/state; a refusal's message is the kernel's ("write error: Invalid argument"). */
export const postBlockAction = (id: string, block: number, action: BlockAction): Promise<BlockInfo> =>
  call(`/api/machine/${id}/block/${block}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action }) });
