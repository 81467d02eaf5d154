// SPDX-License-Identifier: GPL-2.0-only
// The benchmark plot: deferred struct page init in Mpages/s, one group of bars per strategy (a bar
// per thread count: 0 is the main thread), the seed series' figures as dashed lines across. An
// SVG built from elements (no markup strings), so it scales and stays crisp in screenshots.
import type { BenchResponse } from './api-types.js';
import { h, replace } from './dom.js';
import { bytes } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

const BAR_COLORS = ['#3b6fb6', '#6a9fd8', '#9cc3ea', '#c9def3'];
const SEED_COLOR = '#b5462f';

/** A "nice" axis top: 1, 2 or 5 × 10^k at or above `v`. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

export function renderBenchPlot(el: HTMLElement, b: BenchResponse): void {
  const runs = b.results?.runs ?? [];
  const strategies = [...new Set(runs.map((r) => r.strategy))];
  const workers = [...new Set(runs.map((r) => r.workers))].sort((x, y) => x - y);
  const top = niceMax(Math.max(...runs.map((r) => r.mpagesPerSec), ...b.seed.marks.map((m) => m.mpagesPerSec)));
  const W = 560;
  const H = 240;
  const L = 44;
  const R = 176;
  const T = 12;
  const B = 40;
  const y = (v: number): number => T + (H - T - B) * (1 - v / top);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', id: 'bench-svg', 'aria-label': 'deferred init throughput per strategy and thread count, with the seed series marked' });
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e3e6ea' }), s('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10 }, String(+v.toFixed(1))));
  }
  svg.append(s('text', { x: 10, y: T + (H - T - B) / 2, 'font-size': 10, transform: `rotate(-90 10 ${T + (H - T - B) / 2})`, 'text-anchor': 'middle' }, 'Mpages/s'));
  const groupW = strategies.length ? (W - L - R) / strategies.length : 0;
  const barW = workers.length ? Math.min(28, (groupW - 16) / workers.length) : 0;
  strategies.forEach((st, gi) => {
    const x0 = L + gi * groupW + (groupW - barW * workers.length) / 2;
    workers.forEach((wk, wi) => {
      const r = runs.find((x) => x.strategy === st && x.workers === wk);
      if (!r) return;
      const bar = s('rect', { x: x0 + wi * barW, y: y(r.mpagesPerSec), width: barW - 2, height: y(0) - y(r.mpagesPerSec), fill: BAR_COLORS[wi % BAR_COLORS.length]!, class: 'bench-bar', 'data-strategy': st, 'data-workers': wk });
      bar.append(s('title', {}, `${st}, ${wk === 0 ? 'main thread' : `${wk} worker${wk === 1 ? '' : 's'}`}: ${r.mpagesPerSec} Mpages/s (${r.initMs} ms)`));
      svg.append(bar);
    });
    svg.append(s('text', { x: L + gi * groupW + groupW / 2, y: H - B + 16, 'text-anchor': 'middle', 'font-size': 11 }, st));
  });
  // The seed's figures: measured on a 384 GiB node of real hardware.
  b.seed.marks.forEach((m, i) => {
    svg.append(
      s('line', { x1: L, x2: W - R, y1: y(m.mpagesPerSec), y2: y(m.mpagesPerSec), stroke: SEED_COLOR, 'stroke-dasharray': '5 3', class: 'seed-mark' }),
      s('text', { x: W - R + 4, y: y(m.mpagesPerSec) + 4 + (i === 2 ? -6 : i === 1 ? 6 : 0), 'font-size': 10, fill: SEED_COLOR }, `${m.label} ${m.mpagesPerSec}`));
  });
  workers.forEach((wk, wi) => {
    const x = L + wi * 110;
    svg.append(s('rect', { x, y: H - 14, width: 10, height: 10, fill: BAR_COLORS[wi % BAR_COLORS.length]! }),
      s('text', { x: x + 14, y: H - 5, 'font-size': 10 }, wk === 0 ? 'main thread' : `${wk} worker${wk === 1 ? '' : 's'}`));
  });
  const caption = b.results
    ? `meminit on one ${bytes(b.results.nodeBytes)} node (${b.results.host}); dashed: the seed series on a ${bytes(b.seed.nodeBytes)} node of real hardware.`
    : `${b.reason ?? 'no results'} — the dashed lines are the seed series' figures (${bytes(b.seed.nodeBytes)} node, real hardware).`;
  replace(el, svg, h('p', { class: 'dim', id: 'bench-caption' }, caption));
}
