// SPDX-License-Identifier: GPL-2.0-only
// The page: choose a preset or upload a machine file / boot log, boot it, follow its phases
// on the timeline as they arrive, then show the map, zones, zoneinfo and kernel lines.
import type { BootEvent, MachineSummary } from './api-types.js';
import { bootFile, bootPreset, getBins, getMachine, getPfn, getPresets } from './api.js';
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

const map = new MemoryMap(byId<HTMLCanvasElement>('map'), {
  onPick: (pfn) => {
    const m = current;
    if (!m) return;
    replace(byId('pfn-info'), h('p', { class: 'dim' }, `looking up ${hex(pfn)}…`));
    getPfn(m.id, pfn)
      .then((p) => current === m && renderPfnInfo(byId('pfn-info'), p, m))
      .catch((e: Error) => showError(e.message));
  },
  onHover: (pfn) => {
    byId('map-hover').textContent = pfn === null ? '' : `pfn ${pfnWithPhys(pfn)}`;
  },
  onView: (start, end) => {
    byId('map-view').textContent = `pfn ${hex(start)}–${hex(end)} · ${pagesToBytes(end - start)} of ${pagesToBytes(map.extent)}`;
  },
  onError: (msg) => showError(msg),
});

function showMachine(m: MachineSummary): void {
  current = m;
  statusEl.textContent = machineLine(m);
  map.setMachine(m);
  renderLegend(byId('state-legend'), byId('zone-legend'), m, undefined);
  getBins(m.id, 0, m.extentPfn ?? 1, 1)
    .then((b) => current === m && renderLegend(byId('state-legend'), byId('zone-legend'), m, b.counts[0]))
    .catch((e: Error) => showError(e.message));
  renderZoneTable(byId('zones'), m);
  byId('grid-hint').textContent = gridHint(m);
  byId('zoneinfo').textContent = m.zoneinfo ?? '';
  renderKernelLines(kernelEl, m.printk ?? []);
  replace(byId('pfn-info'), h('p', { class: 'dim' }, 'Click the map to see what is at a pfn.'));
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
  byId('zoom-in').addEventListener('click', () => map.zoomAt(0.5));
  byId('zoom-out').addEventListener('click', () => map.zoomAt(2));
  byId('zoom-reset').addEventListener('click', () => map.reset());
  map.draw();
}

void init();
