// SPDX-License-Identifier: GPL-2.0-only
// The boot's timeline, grown from the event stream: one row per phase (and, with issue 3, one
// per deferred-init worker: "deferred-init · node 1 · worker 0"), a bar from its start to its
// end on a common time axis. A click on a phase row shows the kernel lines it printed.
import type { BootEvent } from './api-types.js';
import { h, replace } from './dom.js';
import { ms } from './format.js';

interface Row {
  key: string;
  label: string;
  start: number;
  end: number | undefined;
  detail: string;
  lines: [number, number] | undefined;
}

export class Timeline {
  private rows = new Map<string, Row>();
  private doneAt: number | undefined;
  private status = '';

  constructor(
    private readonly el: HTMLElement,
    private readonly onRow: (lines: [number, number]) => void,
  ) {}

  clear(): void {
    this.rows.clear();
    this.doneAt = undefined;
    this.status = '';
    this.render();
  }

  add(e: BootEvent): void {
    if (e.type === 'done') {
      this.doneAt = e.t;
      this.status = e.name === 'ready' ? `booted in ${ms(e.t)}` : `failed after ${ms(e.t)}: ${e.detail ?? ''}`;
      return this.render();
    }
    const key = e.type === 'worker' ? `${e.name}/${e.nid}/${e.worker}` : e.name;
    const label = e.type === 'worker' ? `${e.name} · node ${e.nid} · worker ${e.worker}` : e.name;
    const row = this.rows.get(key) ?? { key, label, start: e.t, end: undefined, detail: '', lines: undefined };
    if (e.state === 'end') row.end = e.t;
    if (e.state === 'progress' && e.pages !== undefined) row.detail = `${e.pages}${e.total ? ` / ${e.total}` : ''} pages`;
    if (e.detail) row.detail = e.detail;
    if (e.lines) row.lines = e.lines;
    this.rows.set(key, row);
    this.render();
  }

  private render(): void {
    const rows = [...this.rows.values()];
    const now = Math.max(this.doneAt ?? 0, ...rows.map((r) => r.end ?? r.start), 0.001);
    const items = rows.map((r) => {
      const bar = h('span', { class: `bar${r.end === undefined ? ' running' : ''}` });
      bar.style.marginLeft = `${(r.start / now) * 100}%`;
      bar.style.width = `max(2px, ${(((r.end ?? now) - r.start) / now) * 100}%)`;
      const li = h('li', { 'data-phase': r.key, ...(r.lines ? { class: 'clickable', title: 'show the kernel lines of this phase' } : {}) },
        h('span', { class: 'label' }, r.label),
        h('span', { class: 'track' }, bar),
        h('span', { class: 'dur' }, r.end === undefined ? 'running…' : ms(r.end - r.start)),
        h('span', { class: 'detail' }, r.detail));
      if (r.lines) {
        const lines = r.lines;
        li.addEventListener('click', () => this.onRow(lines));
      }
      return li;
    });
    replace(this.el, h('ol', {}, ...items), h('p', { class: 'dim', id: 'timeline-status' }, this.status || (rows.length ? 'booting…' : 'No boot yet.')));
  }
}
