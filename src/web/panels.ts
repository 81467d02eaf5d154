// SPDX-License-Identifier: GPL-2.0-only
// The page's panels around the map: legend, zone table, what is at a pfn, kernel lines, zoneinfo.
import { BLOCK_ACTIONS, type BlockInfo, type MachineSummary, type PfnInfoResponse } from './api-types.js';
import { PFN_STATES, type PfnState } from './bins.js';
import { STATE_COLORS, STATE_HELP, zoneColor } from './colors.js';
import { h, replace } from './dom.js';
import { count, hex, pagesToBytes, pfnWithPhys } from './format.js';

function swatch(color: string): HTMLSpanElement {
  const s = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  s.style.backgroundColor = color;
  return s;
}

/** States with their share of the whole machine, then the zones with the nodes that have them. */
export function renderLegend(states: HTMLElement, zones: HTMLElement, m: MachineSummary, totals: number[] | undefined): void {
  replace(states, ...PFN_STATES.map((s, i) => h('li', { title: STATE_HELP[s], 'data-state': s },
    swatch(STATE_COLORS[s]), h('span', { class: 'name' }, s), totals ? h('span', { class: 'qty' }, pagesToBytes(totals[i] ?? 0)) : null)));
  const byZone = new Map<string, number[]>();
  for (const n of m.nodes ?? []) {
    for (const z of n.zones) if (z.spanned > 0) byZone.set(z.name, [...(byZone.get(z.name) ?? []), n.nid]);
  }
  replace(zones, ...[...byZone].map(([name, nids]) => h('li', { 'data-zone': name },
    swatch(zoneColor(name)), h('span', { class: 'name' }, name), h('span', { class: 'qty' }, `node${nids.length > 1 ? 's' : ''} ${nids.join(', ')}`))));
}

/** One header row per node, then its zones: span, spanned, present, absent, managed estimate. */
export function renderZoneTable(el: HTMLElement, m: MachineSummary): void {
  const num = (n: number): HTMLTableCellElement => h('td', { class: 'num' }, count(n));
  const rows: HTMLTableRowElement[] = [];
  for (const n of m.nodes ?? []) {
    const deferred = n.firstDeferredPfn === null ? 'nothing deferred' : `deferred init from pfn ${hex(n.firstDeferredPfn)}`;
    rows.push(h('tr', { class: 'node-row' }, h('th', { colspan: '7', scope: 'rowgroup' },
      `node ${n.nid}`, h('span', { class: 'dim' }, n.spanned ? ` · pfn ${hex(n.startPfn)}–${hex(n.endPfn)} · ${pagesToBytes(n.present)} present · ${deferred}` : ' · memoryless'))));
    for (const z of n.zones.filter((x) => x.spanned > 0)) {
      rows.push(h('tr', {}, h('td', {}, swatch(zoneColor(z.name)), z.name), h('td', { class: 'mono' }, `${hex(z.startPfn)}–${hex(z.endPfn)}`),
        num(z.spanned), num(z.present), num(z.spanned - z.present), num(z.managed ?? z.managedEstimate), h('td', { class: 'num' }, pagesToBytes(z.present))));
    }
    const empty = n.zones.filter((x) => x.spanned === 0).map((x) => x.name);
    if (empty.length) rows.push(h('tr', { class: 'empty' }, h('td', { colspan: '7' }, `empty: ${empty.join(', ')}`)));
  }
  replace(el, h('table', {},
    h('thead', {}, h('tr', {}, ...['zone', 'pfns', 'spanned', 'present', 'absent',
      (m.nodes ?? []).some((n) => n.zones.some((z) => z.managed === null)) ? 'managed (est.)' : 'managed', 'size'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows)));
}

/** The decoded struct page: the fields crash's kmem -p and drgn users look for, then dump_page()'s text. */
function renderStructPage(p: PfnInfoResponse): HTMLElement {
  const sp = p.page;
  if (!sp) return h('p', { class: 'page-error', id: 'page-error', role: 'status' }, h('strong', {}, 'struct page: '), p.pageError ?? 'none');
  const row = (k: string, ...v: (Node | string)[]): HTMLElement[] => [h('dt', {}, k), h('dd', {}, ...v)];
  const link = (addr: string, pfn: number): (Node | string)[] =>
    [h('span', { class: 'mono' }, addr), h('span', { class: 'dim' }, pfn < 0 ? ' (a list head)' : pfn === sp.pfn ? ' (itself)' : ` (pfn ${hex(pfn)})`)];
  return h('div', { id: 'struct-page' },
    h('h3', {}, 'struct page ', h('span', { class: 'dim mono' }, sp.page)),
    h('dl', {},
      ...row('flags', h('span', { class: 'mono', id: 'page-flags' }, sp.flags.length ? sp.flags.join(' | ') : '(none)'), h('span', { class: 'dim mono' }, ` ${sp.flagsRaw}`)),
      ...row('node · zone', h('span', { id: 'page-nid-zone' }, `node ${sp.nid} · ${sp.zone}`)),
      ...row('refcount', String(sp.refcount)),
      ...row('mapcount', String(sp.mapcount)),
      ...(sp.buddyOrder !== undefined ? row('buddy', `head of a free block of order ${sp.buddyOrder} (${pagesToBytes(2 ** sp.buddyOrder)})`) : []),
      ...row('pageblock', `${sp.migratetype}`),
      ...row('lru.next', ...link(sp.lru.next, sp.lru.nextPfn)),
      ...row('lru.prev', ...link(sp.lru.prev, sp.lru.prevPfn)),
      ...row('private', h('span', { class: 'mono' }, sp.private))),
    h('pre', { class: 'page-dump' }, sp.text.join('\n')));
}

/** What is at a pfn, and its struct page at the end of boot (as `meminit page PFN` decodes it). */
export function renderPfnInfo(el: HTMLElement, p: PfnInfoResponse, m: MachineSummary): void {
  const row = (k: string, ...v: (Node | string)[]): HTMLElement[] => [h('dt', {}, k), h('dd', {}, ...v)];
  const blockPages = m.memoryBlocks?.pages ?? 1;
  replace(el,
    h('dl', {},
      ...row('pfn', h('span', { class: 'mono' }, pfnWithPhys(p.pfn))),
      ...row('state', swatch(STATE_COLORS[p.state as PfnState] ?? '#ccc'), h('strong', {}, p.state), h('span', { class: 'dim' }, ` — ${STATE_HELP[p.state as PfnState] ?? ''}`)),
      ...row('node', p.nid === null ? 'none (outside every node span)' : `node ${p.nid}`),
      ...row('zone', p.zone ?? 'none'),
      ...row('section', `${p.section}`, h('span', { class: 'dim' }, p.sectionPresent ? ' (present)' : ' (not present: no memmap)')),
      ...row('memory block', `memory${p.block}`, h('span', { class: 'dim' }, ` · pfn ${hex(p.block * blockPages)}–${hex((p.block + 1) * blockPages)}`),
        ...(p.memoryBlock ? [renderBlock(p.memoryBlock, m.hotplug?.actions ?? false)] : [])),
      ...row('e820', p.e820 ?? 'not in the e820 map')),
    renderStructPage(p));
}

/**
 * A memory block's sysfs state and valid_zones, and (when the machine's blocks can change) one
 * button per value of its state file; main.ts handles the clicks and fills #block-result.
 */
function renderBlock(b: BlockInfo, actions: boolean): HTMLElement {
  const where = b.hotAdded ? 'hot-added' : 'boot memory';
  return h('div', { class: 'block-info' },
    h('span', { id: 'block-state', class: `block-state ${b.state}` }, b.state), b.zone ? h('span', { id: 'block-zone' }, ` · ${b.zone}`) : null,
    h('span', { class: 'dim' }, ` · valid_zones `), h('span', { id: 'block-valid-zones', class: 'mono' }, b.validZones),
    h('span', { class: 'dim' }, ` · ${where}${b.nid >= 0 ? `, node ${b.nid}` : ''}`),
    actions ? h('span', { class: 'block-actions', 'data-block': String(b.id) },
      ...BLOCK_ACTIONS.map((a) => h('button', { type: 'button', 'data-action': a, title: a === 'remove' ? `remove_memory() of memory${b.id} (what an ACPI eject ends with)` : `echo ${a} > /sys/devices/system/memory/memory${b.id}/state` }, a))) : null,
    h('span', { id: 'block-result', role: 'status' }));
}

export function renderKernelLines(el: HTMLElement, lines: readonly string[]): void {
  replace(el, ...lines.map((l, i) => h('span', { 'data-line': String(i) }, l + '\n')));
}

/** Highlight kernel lines [from, to) and scroll the first into view. */
export function highlightKernelLines(el: HTMLElement, from: number, to: number): void {
  for (const s of el.querySelectorAll('.hl')) s.classList.remove('hl');
  for (let i = from; i < to; i++) el.querySelector(`[data-line="${i}"]`)?.classList.add('hl');
  const first = el.querySelector<HTMLElement>(`[data-line="${from}"]`);
  if (first) el.scrollTop = first.offsetTop - el.offsetTop - 8;
}

/** What the map's vertical lines are: "Thin lines: 128 MiB sections (= memory blocks)." */
export function gridHint(m: MachineSummary): string {
  const section = pagesToBytes(m.sections?.pages ?? 0);
  const block = pagesToBytes(m.memoryBlocks?.pages ?? 0);
  return section === block ? `Thin lines: ${section} sections (= memory blocks).` : `Thin lines: ${section} sections; darker: ${block} memory blocks.`;
}

/** The one-line description of a machine above the map. */
export function machineLine(m: MachineSummary): string {
  const nodes = m.nodes ?? [];
  const zones = nodes.reduce((n, x) => n + x.zones.filter((z) => z.present > 0).length, 0);
  const present = nodes.reduce((n, x) => n + x.present, 0);
  const parts = [
    `${m.name ?? m.source.name} (${m.source.kind})`,
    `${nodes.length} node${nodes.length === 1 ? '' : 's'}, ${zones} populated zone${zones === 1 ? '' : 's'}`,
    `${pagesToBytes(present)} present`, `max_pfn ${hex(m.maxPfn ?? 0)}`,
    `${count(m.sections?.count ?? 0)} sections`,
  ];
  if (m.replay) parts.push(`replay: ${m.replay.matched} predictions match the kernel, ${m.replay.mismatches} mismatches`);
  return parts.join(' · ');
}
