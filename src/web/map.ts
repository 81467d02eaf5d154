// SPDX-License-Identifier: GPL-2.0-only
// The physical address space as a canvas: lanes for nodes, zones and the e820 map above a band
// of pfn states, one stacked column per bin from the bins API. Wheel zooms around the cursor,
// dragging pans, a click picks a pfn. While a new view's bins are on their way the last ones
// are drawn where they fall, so panning and zooming stay smooth on any machine size.
import type { BinsResponse, MachineSummary } from './api-types.js';
import { getBins } from './api.js';
import type { PfnState } from './bins.js';
import { e820Color, GRID, GRID_STRONG, INK, INK_SOFT, NODE_COLORS, STACK_ORDER, STATE_COLORS, zoneColor } from './colors.js';
import { PAGE_SIZE, tickLabel } from './format.js';

/** Vertical layout in CSS pixels. */
const LANE = {
  node: { y: 0, h: 18 },
  zone: { y: 20, h: 18 },
  e820: { y: 40, h: 7 },
  band: { y: 50, h: 150 },
  axis: { y: 202, h: 22 },
} as const;
export const MAP_HEIGHT = LANE.axis.y + LANE.axis.h;
/** Narrowest view: 32 pages across the whole width. */
const MIN_SPAN = 32;
/** A state present in a column gets at least this many pixels, so one reserved page still shows. */
const MIN_SLIVER = 2;
const FONT = '11px system-ui, "DejaVu Sans", "Segoe UI", sans-serif';

export interface MapCallbacks {
  onPick(pfn: number): void;
  onHover(pfn: number | null): void;
  onView(start: number, end: number): void;
  onError(message: string): void;
}

interface View {
  start: number;
  end: number;
}

export class MemoryMap {
  private machine: MachineSummary | undefined;
  private view: View = { start: 0, end: 1 };
  private bins: BinsResponse | undefined;
  private picked: number | undefined;
  private hover: number | undefined;
  private inFlight = false;
  private pending = false;
  private drag: { x: number; start: number; moved: boolean } | undefined;
  private readonly ctx: CanvasRenderingContext2D;
  private width = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly cb: MapCallbacks,
  ) {
    this.ctx = canvas.getContext('2d')!;
    new ResizeObserver(() => this.resize()).observe(canvas);
    canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    canvas.addEventListener('pointermove', (e) => this.onMove(e));
    canvas.addEventListener('pointerup', (e) => this.onUp(e));
    canvas.addEventListener('pointerleave', () => this.setHover(undefined));
    canvas.addEventListener('dblclick', (e) => this.zoomAt(0.25, this.pfnAt(this.xOf(e))));
    canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.resize();
  }

  setMachine(m: MachineSummary): void {
    this.machine = m;
    this.bins = undefined;
    this.picked = undefined;
    this.reset();
  }

  /** The same machine changed (a hotplug action): keep the view and the pick, fetch its bins again. */
  update(m: MachineSummary): void {
    this.machine = m;
    this.setView(this.view.start, this.view.end);
  }

  get extent(): number {
    return this.machine?.extentPfn ?? 1;
  }

  reset(): void {
    this.setView(0, this.extent);
  }

  /** Zoom by `factor` (< 1 in) keeping `anchor` where it is on screen; the centre by default. */
  zoomAt(factor: number, anchor = (this.view.start + this.view.end) / 2): void {
    const span = this.view.end - this.view.start;
    const next = Math.min(this.extent, Math.max(MIN_SPAN, Math.round(span * factor)));
    const frac = (anchor - this.view.start) / span;
    this.setView(Math.round(anchor - frac * next), Math.round(anchor - frac * next) + next);
  }

  pick(pfn: number | undefined): void {
    this.picked = pfn;
    this.draw();
    if (pfn !== undefined) this.cb.onPick(pfn);
  }

  /** Show [start, end), clamped to the machine, and fetch its bins. */
  setView(start: number, end: number): void {
    const span = Math.min(this.extent, Math.max(MIN_SPAN, end - start));
    const s = Math.min(Math.max(0, start), this.extent - span);
    this.view = { start: s, end: s + span };
    this.cb.onView(this.view.start, this.view.end);
    this.draw();
    this.requestBins();
  }

  private requestBins(): void {
    const m = this.machine;
    if (!m || this.width === 0) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    const { start, end } = this.view;
    const n = Math.max(1, Math.min(Math.floor(this.width), end - start));
    getBins(m.id, start, end, n)
      .then((b) => {
        if (this.machine === m) {
          this.bins = b;
          this.draw();
        }
      })
      .catch((e: Error) => this.cb.onError(e.message))
      .finally(() => {
        this.inFlight = false;
        if (this.pending) {
          this.pending = false;
          this.requestBins();
        }
      });
  }

  private resize(): void {
    const w = this.canvas.clientWidth;
    if (w === this.width) return;
    const dpr = window.devicePixelRatio || 1;
    this.width = w;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(MAP_HEIGHT * dpr);
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.draw();
    this.requestBins();
  }

  private xOf(e: MouseEvent): number {
    return e.clientX - this.canvas.getBoundingClientRect().left;
  }

  private pfnAt(x: number): number {
    const { start, end } = this.view;
    return Math.min(end - 1, Math.max(start, Math.floor(start + (x / this.width) * (end - start))));
  }

  private xAt(pfn: number): number {
    const { start, end } = this.view;
    return ((pfn - start) / (end - start)) * this.width;
  }

  private onWheel(e: WheelEvent): void {
    if (!this.machine) return;
    e.preventDefault();
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    this.zoomAt(Math.exp(dy * 0.002), this.pfnAt(this.xOf(e)));
  }

  private onDown(e: PointerEvent): void {
    if (!this.machine || e.button !== 0) return;
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { x: this.xOf(e), start: this.view.start, moved: false };
  }

  private onMove(e: PointerEvent): void {
    if (!this.machine) return;
    const x = this.xOf(e);
    if (!this.drag) return this.setHover(this.pfnAt(x));
    const dx = x - this.drag.x;
    if (Math.abs(dx) > 3) this.drag.moved = true;
    if (!this.drag.moved) return;
    const span = this.view.end - this.view.start;
    const s = Math.round(this.drag.start - (dx / this.width) * span);
    this.setView(s, s + span);
  }

  private onUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = undefined;
    if (d && !d.moved) this.pick(this.pfnAt(this.xOf(e)));
  }

  private onKey(e: KeyboardEvent): void {
    const span = this.view.end - this.view.start;
    const act: Record<string, () => void> = {
      '+': () => this.zoomAt(0.5), '=': () => this.zoomAt(0.5), '-': () => this.zoomAt(2), '0': () => this.reset(),
      ArrowLeft: () => this.setView(this.view.start - span / 4, this.view.end - span / 4),
      ArrowRight: () => this.setView(this.view.start + span / 4, this.view.end + span / 4),
    };
    const f = act[e.key];
    if (f && this.machine) {
      e.preventDefault();
      f();
    }
  }

  private setHover(pfn: number | undefined): void {
    this.hover = pfn;
    this.cb.onHover(pfn ?? null);
    this.draw();
  }

  draw(): void {
    const c = this.ctx;
    c.clearRect(0, 0, this.width, MAP_HEIGHT);
    c.font = FONT;
    c.textBaseline = 'middle';
    const m = this.machine;
    if (!m) {
      c.fillStyle = STATE_COLORS.hole;
      c.fillRect(0, LANE.band.y, this.width, LANE.band.h);
      c.fillStyle = INK_SOFT;
      c.textAlign = 'center';
      c.fillText('Boot a preset or upload a machine file or boot log to see its memory here.', this.width / 2, LANE.band.y + LANE.band.h / 2);
      return;
    }
    this.drawLanes(m);
    this.drawBand();
    this.drawSections(m);
    this.drawBoundaries(m);
    this.drawAxis();
    this.drawMarkers();
  }

  /** A labelled rectangle of [start, end) in a lane, clipped to the view; the label only if it fits. */
  private span(lane: { y: number; h: number }, start: number, end: number, fill: string, label?: string): void {
    const x0 = Math.max(0, this.xAt(start));
    const x1 = Math.min(this.width, this.xAt(end));
    if (x1 <= x0) return;
    const c = this.ctx;
    c.fillStyle = fill;
    c.fillRect(x0, lane.y, Math.max(x1 - x0, 1), lane.h);
    if (label && c.measureText(label).width + 8 < x1 - x0) {
      c.fillStyle = INK;
      c.textAlign = 'center';
      c.fillText(label, (x0 + x1) / 2, lane.y + lane.h / 2 + 0.5);
    }
  }

  private drawLanes(m: MachineSummary): void {
    for (const [i, n] of (m.nodes ?? []).entries()) {
      this.span(LANE.node, n.startPfn, n.endPfn, NODE_COLORS[i % 2]!, `node ${n.nid}`);
      for (const z of n.zones) {
        if (z.spanned > 0) this.span(LANE.zone, z.startPfn, z.endPfn, zoneColor(z.name), (m.nodes?.length ?? 0) > 1 ? `${z.name} · node ${n.nid}` : z.name);
      }
    }
    for (const e of m.e820 ?? []) {
      this.span(LANE.e820, Math.floor(e.addr / PAGE_SIZE), Math.ceil((e.addr + e.size) / PAGE_SIZE), e820Color(e.type));
    }
  }

  /** One stacked column per bin: each state's share of the bin's height, holes as background. */
  private drawBand(): void {
    const c = this.ctx;
    const { y, h } = LANE.band;
    c.fillStyle = STATE_COLORS.hole;
    c.fillRect(0, y, this.width, h);
    const b = this.bins;
    if (!b) return;
    const idx = new Map(b.states.map((s, i) => [s, i]));
    const edge = (i: number): number => b.start + Math.floor((i * (b.end - b.start)) / b.bins);
    const heights: number[] = [];
    for (let i = 0; i < b.bins; i++) {
      const x0 = this.xAt(edge(i));
      const x1 = this.xAt(edge(i + 1));
      if (x1 < 0 || x0 > this.width) continue;
      const counts = b.counts[i]!;
      const total = edge(i + 1) - edge(i);
      if (total <= 0) continue;
      heights.length = 0;
      let sum = 0;
      for (const s of STACK_ORDER) {
        const n = counts[idx.get(s) ?? -1] ?? 0;
        const hh = n > 0 ? Math.max(MIN_SLIVER, (n / total) * h) : 0;
        heights.push(hh);
        sum += hh;
      }
      // Slivers may overfill the column: take the excess from the tallest state.
      if (sum > h) {
        const big = heights.indexOf(Math.max(...heights));
        heights[big]! -= sum - h;
      }
      let top = y + h;
      for (const [k, s] of STACK_ORDER.entries()) {
        const hh = heights[k]!;
        if (hh <= 0) continue;
        top -= hh;
        c.fillStyle = STATE_COLORS[s as PfnState];
        c.fillRect(x0, top, Math.max(x1 - x0, 1), hh);
      }
    }
  }

  /** Vertical lines every `pages` pfns across the band, when they are at least 5 px apart; the gap in px. */
  private gridLines(pages: number, style: string): number {
    const gap = (pages / (this.view.end - this.view.start)) * this.width;
    if (!pages || gap < 5) return gap;
    const c = this.ctx;
    c.strokeStyle = style;
    c.lineWidth = 1;
    c.beginPath();
    for (let nr = Math.ceil(this.view.start / pages); nr * pages <= this.view.end; nr++) {
      const x = Math.round(this.xAt(nr * pages)) + 0.5;
      c.moveTo(x, LANE.band.y);
      c.lineTo(x, LANE.band.y + LANE.band.h);
    }
    c.stroke();
    return gap;
  }

  /** Section boundaries faint, memory-block boundaries (when blocks are bigger) darker, block names when there is room. */
  private drawSections(m: MachineSummary): void {
    const sectionPages = m.sections?.pages ?? 0;
    const blockPages = m.memoryBlocks?.pages ?? sectionPages;
    this.gridLines(sectionPages, GRID);
    const gap = blockPages > sectionPages ? this.gridLines(blockPages, GRID_STRONG) : (blockPages / (this.view.end - this.view.start)) * this.width;
    if (!blockPages || gap < 64) return;
    const c = this.ctx;
    c.fillStyle = INK_SOFT;
    c.textAlign = 'left';
    for (let nr = Math.floor(this.view.start / blockPages); nr * blockPages < this.view.end; nr++) {
      c.fillText(`memory${nr}`, Math.max(this.xAt(nr * blockPages), 0) + 4, LANE.band.y + 9);
    }
  }

  /** Node boundaries dark through everything, zone boundaries through the zone lane and band. */
  private drawBoundaries(m: MachineSummary): void {
    const c = this.ctx;
    const line = (pfn: number, y0: number, y1: number, style: string, w: number): void => {
      const x = this.xAt(pfn);
      if (x < -1 || x > this.width + 1) return;
      c.strokeStyle = style;
      c.lineWidth = w;
      c.beginPath();
      c.moveTo(Math.round(x) + 0.5, y0);
      c.lineTo(Math.round(x) + 0.5, y1);
      c.stroke();
    };
    const bandEnd = LANE.band.y + LANE.band.h;
    for (const n of m.nodes ?? []) {
      for (const z of n.zones) {
        if (z.spanned === 0) continue;
        line(z.startPfn, LANE.zone.y, bandEnd, 'rgba(31,39,51,0.45)', 1);
        line(z.endPfn, LANE.zone.y, bandEnd, 'rgba(31,39,51,0.45)', 1);
      }
    }
    for (const n of m.nodes ?? []) {
      if (n.spanned === 0) continue;
      line(n.startPfn, LANE.node.y, bandEnd, INK, 2);
      line(n.endPfn, LANE.node.y, bandEnd, INK, 2);
    }
  }

  /** Address ticks at a power-of-two step at least ~90 px apart. */
  private drawAxis(): void {
    const c = this.ctx;
    const { start, end } = this.view;
    const bytesSpan = (end - start) * PAGE_SIZE;
    let step = PAGE_SIZE;
    while ((step / bytesSpan) * this.width < 90) step *= 2;
    c.strokeStyle = INK_SOFT;
    c.fillStyle = INK_SOFT;
    c.lineWidth = 1;
    c.textAlign = 'center';
    const y = LANE.axis.y;
    c.beginPath();
    c.moveTo(0, y + 0.5);
    c.lineTo(this.width, y + 0.5);
    for (let a = Math.ceil((start * PAGE_SIZE) / step) * step; a <= end * PAGE_SIZE; a += step) {
      const x = Math.round(this.xAt(a / PAGE_SIZE)) + 0.5;
      c.moveTo(x, y);
      c.lineTo(x, y + 4);
      const label = a === 0 ? '0' : tickLabel(a, step);
      const w = c.measureText(label).width;
      c.fillText(label, Math.min(Math.max(x, w / 2 + 1), this.width - w / 2 - 1), y + 13);
    }
    c.stroke();
  }

  private drawMarkers(): void {
    const c = this.ctx;
    const bandEnd = LANE.band.y + LANE.band.h;
    if (this.hover !== undefined && !this.drag?.moved) {
      const x = Math.round(this.xAt(this.hover + 0.5)) + 0.5;
      c.strokeStyle = 'rgba(31,39,51,0.35)';
      c.lineWidth = 1;
      c.beginPath();
      c.moveTo(x, LANE.node.y);
      c.lineTo(x, bandEnd);
      c.stroke();
    }
    if (this.picked !== undefined && this.picked >= this.view.start && this.picked < this.view.end) {
      const x = Math.round(this.xAt(this.picked + 0.5));
      c.strokeStyle = INK;
      c.lineWidth = 2;
      c.beginPath();
      c.moveTo(x, LANE.band.y);
      c.lineTo(x, bandEnd);
      c.stroke();
      c.fillStyle = INK;
      c.beginPath();
      c.moveTo(x - 5, LANE.band.y);
      c.lineTo(x + 5, LANE.band.y);
      c.lineTo(x, LANE.band.y + 7);
      c.fill();
    }
  }
}
