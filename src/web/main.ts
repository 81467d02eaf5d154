// SPDX-License-Identifier: GPL-2.0-only
// The page: choose a preset or upload a machine file / boot log, boot it, follow its phases
// on the timeline as they arrive, then show the map, zones, zoneinfo and kernel lines; online
// and offline the inspected pfn's memory block and show what changed (or the kernel's refusal).
import type { BlockAction, BootEvent, MachineSummary } from './api-types.js';
import { bootFile, bootPreset, getBench, getBins, getMachine, getPfn, getPresets, postBlockAction } from './api.js';
import { renderBenchPlot } from './bench-plot.js';
import { byId, h, replace } from './dom.js';
import { hex, pagesToBytes, pfnWithPhys } from './format.js';
import { MemoryMap } from './map.js';
import { gridHint, highlightKernelLines, machineLine, renderKernelLines, renderLegend, renderPfnInfo, renderZoneTable } from './panels.js';
import { Timeline } from './timeline.js';

const errorBox = byId('error');
const statusEl = byId('status');
const kernelEl = byId('kernel');

function showError(message: string | undefined): void {
  errorBox.textContent = message ?? '';
  errorBox.hidden = !message;
}

let current: MachineSummary | undefined;
/** Bumped by every boot, so a slow answer for an older machine never overwrites a newer one. */
let generation = 0;
let events: EventSource | undefined;

const timeline = new Timeline(byId('timeline'), ([from, to]) => highlightKernelLines(kernelEl, from, to));

/** The pfn the inspector shows (a hotplug action looks it up again). */
let inspected: number | undefined;

/** Look a pfn up (a click on the map, or typed into the inspector) and show it with its struct page; `note` under its block. */
function inspect(pfn: number | string, note?: string): void {
  const m = current;
  if (!m) return;
  const el = byId('pfn-info');
  if (note === undefined) replace(el, h('p', { class: 'dim' }, `looking up ${typeof pfn === 'number' ? hex(pfn) : pfn}…`));
  getPfn(m.id, pfn)
    .then((p) => {
      if (current !== m) return;
      inspected = p.pfn;
      renderPfnInfo(el, p, m);
      if (note !== undefined) el.querySelector('#block-result')!.textContent = note;
    })
    // A pfn the server refuses (not a number, beyond the map): said where the user looks.
    .catch((e: Error) => current === m && replace(el, h('p', { class: 'page-error', id: 'page-error', role: 'alert' }, e.message)));
}

const map = new MemoryMap(byId<HTMLCanvasElement>('map'), {
  onPick: (pfn) => inspect(pfn),
  onHover: (pfn) => {
    byId('map-hover').textContent = pfn === null ? '' : `pfn ${pfnWithPhys(pfn)}`;
  },
  onView: (start, end) => {
    byId('map-view').textContent = `pfn ${hex(start)}–${hex(end)} · ${pagesToBytes(end - start)} of ${pagesToBytes(map.extent)}`;
  },
  onError: (msg) => showError(msg),
});

/** The panels that follow the machine: status line, legend, zone table, zoneinfo, kernel lines. */
function showPanels(m: MachineSummary): void {
  statusEl.textContent = machineLine(m);
  renderLegend(byId('state-legend'), byId('zone-legend'), m, undefined);
  getBins(m.id, 0, m.extentPfn ?? 1, 1)
    .then((b) => current === m && renderLegend(byId('state-legend'), byId('zone-legend'), m, b.counts[0]))
    .catch((e: Error) => showError(e.message));
  renderZoneTable(byId('zones'), m);
  byId('grid-hint').textContent = gridHint(m);
  byId('zoneinfo').textContent = m.zoneinfo ?? '';
  renderKernelLines(kernelEl, m.printk ?? []);
}

function showMachine(m: MachineSummary): void {
  current = m;
  inspected = undefined;
  map.setMachine(m);
  showPanels(m);
  replace(byId('pfn-info'), h('p', { class: 'dim' }, 'Click the map, or type a pfn above, to see what is there and its struct page.'));
}

/**
 * A block button: POST the action; on success fetch the machine again and redraw the map,
 * panels and the block (its state and valid_zones); on failure the kernel's text by the buttons.
 */
async function blockAction(block: number, action: BlockAction): Promise<void> {
  const m = current;
  if (!m) return;
  const result = byId('block-result');
  result.className = '';
  result.textContent = action === 'remove' ? `remove memory${block} …` : `echo ${action} > memory${block}/state …`;
  for (const b of document.querySelectorAll<HTMLButtonElement>('.block-actions button')) b.disabled = true;
  try {
    const b = await postBlockAction(m.id, block, action);
    const fresh = await getMachine(m.id);
    if (current !== m) return;
    current = fresh;
    map.update(fresh);
    showPanels(fresh);
    inspect(inspected ?? b.startPfn, `memory${block}: ${action} → ${b.state}${b.zone ? ` (${b.zone})` : ''}`);
  } catch (e) {
    if (current !== m) return;
    for (const b of document.querySelectorAll<HTMLButtonElement>('.block-actions button')) b.disabled = false;
    result.className = 'page-error';
    result.setAttribute('role', 'alert');
    result.textContent = `memory${block}: ${action === 'remove' ? 'remove' : `echo ${action} > state`}: ${(e as Error).message}`;
  }
}

/** Follow a boot's events; when it is done, fetch and show the machine. */
function follow(id: string): void {
  const gen = ++generation;
  events?.close();
  timeline.clear();
  statusEl.textContent = 'booting…';
  const es = new EventSource(`/api/machine/${id}/events`);
  events = es;
  const onEvent = (ev: MessageEvent<string>): void => {
    if (gen !== generation) return;
    const e = JSON.parse(ev.data) as BootEvent;
    timeline.add(e);
    if (e.type !== 'done') return;
    es.close();
    getMachine(id)
      .then((m) => {
        if (gen !== generation) return;
        if (m.status === 'failed') {
          statusEl.textContent = `${m.source.name}: boot failed`;
          return showError(m.error);
        }
        showMachine(m);
      })
      .catch((err: Error) => showError(err.message));
  };
  for (const type of ['phase', 'worker', 'done']) es.addEventListener(type, onEvent as EventListener);
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED && gen === generation) showError('lost the event stream of this boot');
  };
}

async function boot(start: () => Promise<{ id: string }>): Promise<void> {
  showError(undefined);
  try {
    const { id } = await start();
    follow(id);
  } catch (e) {
    showError((e as Error).message);
  }
}

async function init(): Promise<void> {
  const select = byId<HTMLSelectElement>('preset');
  try {
    const presets = await getPresets();
    replace(select, ...presets.map((p) => h('option', { value: p.name, title: p.description }, `${p.name} — ${p.description}`)));
  } catch (e) {
    showError((e as Error).message);
  }
  byId('boot-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void boot(() => bootPreset(select.value));
  });
  const file = byId<HTMLInputElement>('upload');
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    file.value = '';
    if (f) void boot(() => bootFile(f));
  });
  byId('pfn-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = byId<HTMLInputElement>('pfn-input').value.trim();
    if (!current) return showError('boot a machine first, then inspect its pfns');
    if (text) inspect(text);
  });
  getBench()
    .then((b) => renderBenchPlot(byId('bench'), b))
    .catch((e: Error) => replace(byId('bench'), h('p', { class: 'page-error' }, e.message)));
  byId('pfn-info').addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('.block-actions button');
    const block = btn?.parentElement?.dataset['block'];
    if (btn && block !== undefined) void blockAction(Number(block), btn.dataset['action'] as BlockAction);
  });
  byId('zoom-in').addEventListener('click', () => map.zoomAt(0.5));
  byId('zoom-out').addEventListener('click', () => map.zoomAt(2));
  byId('zoom-reset').addEventListener('click', () => map.reset());
  map.draw();
}

void init();
