/**
 * The SVG charts of `<lifeboat-insights>`: grouped columns, lines, horizontal bars and a share
 * bar, drawn at the width they are shown at (no scaled text). Every chart sits in a `<figure>`
 * with its caption, a one-line summary and a data table in a `<details>`, which the SVG names
 * with `aria-describedby`; the SVG is focusable, so a keyboard user reaches each chart.
 */
import { html, nothing, svg, type SVGTemplateResult, type TemplateResult } from 'lit';
import { insightsMessages } from './messages.js';

export interface Series {
  name: string;
  /** CSS class of its marks (`s-affected`, `s-answers`, …). */
  cls: string;
}

export interface Group {
  /** Short label under the marks (a date, a time). */
  label: string;
  /** The full name in the data table and the tooltip. */
  name: string;
  values: number[];
}

const PAD = { top: 12, right: 12, bottom: 28, left: 40 };
const FONT = 12;

/** 0, then round steps up to at least `max` (1, 2, 5 × 10^n). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function yAxis(width: number, height: number, top: number, format: (n: number) => string) {
  const plotH = height - PAD.top - PAD.bottom;
  return [0, 0.5, 1].map((f) => {
    const y = PAD.top + plotH * (1 - f);
    return svg`<line class="grid" x1=${PAD.left} x2=${width - PAD.right} y1=${y} y2=${y}></line>
      ${Number.isInteger(top * f) ? svg`<text class="tick" x=${PAD.left - 6} y=${y + 4} text-anchor="end">${format(top * f)}</text>` : nothing}`;
  });
}

/** Labels under the plot, thinned so they never overlap. */
function xLabels(labels: string[], centers: number[], height: number, width: number) {
  const room = (width - PAD.left - PAD.right) / Math.max(1, labels.length);
  const longest = Math.max(1, ...labels.map((l) => l.length));
  const every = Math.max(1, Math.ceil((longest * FONT * 0.62) / room));
  return labels.map((label, i) =>
    i % every === 0
      ? svg`<text class="tick" x=${centers[i]} y=${height - 8} text-anchor="middle">${label}</text>`
      : nothing,
  );
}

/** Grouped columns, one group per label. */
export function columnChart(
  series: Series[],
  groups: Group[],
  width: number,
  height = 200,
): SVGTemplateResult {
  const max = niceMax(Math.max(0, ...groups.flatMap((g) => g.values)));
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const band = plotW / Math.max(1, groups.length);
  const gap = Math.min(12, band * 0.25);
  // Columns no wider than 40 px, centred in their band (a few groups do not make slabs).
  const barW = Math.min(40, Math.max(2, (band - gap) / series.length));
  const inset = (band - barW * series.length) / 2;
  const centers = groups.map((_, i) => PAD.left + band * i + band / 2);
  return svg`${yAxis(width, height, max, fmt)}
    ${groups.map((g, i) =>
      g.values.map((v, s) => {
        const h = (v / max) * plotH;
        const x = PAD.left + band * i + inset + barW * s;
        return svg`<rect class="mark ${series[s]!.cls}" x=${x} y=${PAD.top + plotH - h}
          width=${Math.max(1, barW - 1)} height=${Math.max(0, h)} rx="2"><title>${g.name}: ${series[s]!.name} ${v}</title></rect>`;
      }),
    )}
    <line class="axis" x1=${PAD.left} x2=${width - PAD.right} y1=${PAD.top + plotH} y2=${PAD.top + plotH}></line>
    ${xLabels(
      groups.map((g) => g.label),
      centers,
      height,
      width,
    )}`;
}

/** Lines over evenly spaced points (a timeline); columns when there are too few for a line. */
export function lineChart(
  series: Series[],
  groups: Group[],
  width: number,
  height = 200,
): SVGTemplateResult {
  if (groups.length < 4) return columnChart(series, groups, width, height);
  const max = niceMax(Math.max(0, ...groups.flatMap((g) => g.values)));
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const step = groups.length > 1 ? plotW / (groups.length - 1) : 0;
  const x = (i: number) => PAD.left + (groups.length > 1 ? step * i : plotW / 2);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  return svg`${yAxis(width, height, max, fmt)}
    ${series.map((s, si) => {
      const points = groups.map((g, i) => `${x(i)},${y(g.values[si] ?? 0)}`).join(' ');
      return svg`<polyline class="line ${s.cls}" points=${points}></polyline>
        ${groups.map((g, i) =>
          (g.values[si] ?? 0) > 0
            ? svg`<circle class="dot ${s.cls}" cx=${x(i)} cy=${y(g.values[si]!)} r="3"><title>${g.name}: ${s.name} ${g.values[si]}</title></circle>`
            : nothing,
        )}`;
    })}
    <line class="axis" x1=${PAD.left} x2=${width - PAD.right} y1=${PAD.top + plotH} y2=${PAD.top + plotH}></line>
    ${xLabels(
      groups.map((g) => g.label),
      groups.map((_, i) => x(i)),
      height,
      width,
    )}`;
}

export interface BarRow {
  label: string;
  /** Null: no value (drawn as a note instead of a bar). */
  value: number | null;
  /** The value as shown ("6 min", "12"). */
  display: string;
  cls: string;
}

export const BAR_ROW_HEIGHT = 40;

/** Horizontal bars, one row each: the label above its bar, the value after it. */
export function barList(rows: BarRow[], width: number): SVGTemplateResult {
  const max = Math.max(0, ...rows.map((r) => r.value ?? 0)) || 1;
  const valueRoom = 96;
  const plotW = Math.max(40, width - valueRoom);
  const chars = Math.max(8, Math.floor(width / (FONT * 0.6)));
  return svg`${rows.map((r, i) => {
    const y = i * BAR_ROW_HEIGHT;
    const w = r.value === null ? 0 : Math.max(2, (r.value / max) * plotW);
    const label = r.label.length > chars ? `${r.label.slice(0, chars - 1)}…` : r.label;
    return svg`<g>
      <text class="label" x="0" y=${y + 13}>${label}</text>
      <rect class="track" x="0" y=${y + 19} width=${plotW} height="12" rx="3"></rect>
      ${r.value === null ? nothing : svg`<rect class="mark ${r.cls}" x="0" y=${y + 19} width=${w} height="12" rx="3"></rect>`}
      <text class="value" x=${(r.value === null ? 0 : w) + 6} y=${y + 30}>${r.display}</text>
      <title>${r.label}: ${r.display}</title>
    </g>`;
  })}`;
}

export interface Share {
  name: string;
  value: number;
  cls: string;
}

/** One bar split into shares (a stacked 100 % bar); `shareLegend` names them. */
export function shareBar(shares: Share[], width: number): SVGTemplateResult {
  const total = shares.reduce((n, s) => n + s.value, 0);
  let x = 0;
  return svg`<rect class="track" x="0" y="4" width=${width} height="28" rx="6"></rect>
    ${shares.map((s) => {
      const w = total ? (s.value / total) * width : 0;
      const mark = svg`<rect class="mark ${s.cls}" x=${x} y="4" width=${w} height="28"><title>${s.name}: ${s.value}</title></rect>`;
      x += w;
      return w ? mark : nothing;
    })}`;
}

/** The legend of a share bar, with counts and percentages. */
export function shareLegend(shares: Share[]): TemplateResult {
  const total = shares.reduce((n, s) => n + s.value, 0);
  return html`<ul class="share-legend" aria-hidden="true">
    ${shares.map(
      (s) =>
        html`<li>
          <span class="swatch ${s.cls}"></span>${s.name}:
          ${s.value}${total ? ` (${Math.round((s.value / total) * 100)} %)` : ''}
        </li>`,
    )}
  </ul>`;
}

/**
 * A chart's figure: caption, the SVG (focusable, named by the caption and the summary, described
 * by the table), the summary line and the data table in a `<details>`.
 */
export function figure(options: {
  id: string;
  title: string;
  summary: string;
  width: number;
  height: number;
  chart: SVGTemplateResult;
  table: TemplateResult;
  legend?: Series[];
  /** Shown under the chart (a share bar's legend). */
  after?: TemplateResult;
  wide?: boolean;
}): TemplateResult {
  const m = insightsMessages();
  const { id } = options;
  return html`<figure class="chart ${options.wide ? 'wide' : ''}" part="chart">
    <figcaption id="${id}-title" class="chart-title">${options.title}</figcaption>
    ${
      options.legend
        ? html`<ul class="legend" aria-hidden="true">
            ${options.legend.map(
              (s) => html`<li><span class="swatch ${s.cls}"></span>${s.name}</li>`,
            )}
          </ul>`
        : nothing
    }
    <svg
      class="plot"
      role="img"
      tabindex="0"
      aria-labelledby="${id}-title ${id}-summary"
      aria-describedby="${id}-table"
      viewBox="0 0 ${options.width} ${options.height}"
      width="100%"
      height=${options.height}
      preserveAspectRatio="xMinYMin meet"
    >
      ${options.chart}
    </svg>
    ${options.after ?? nothing}
    <p class="chart-summary" id="${id}-summary">${options.summary}</p>
    <details class="data" part="data-table">
      <summary>${m.dataTable}<span class="visually-hidden">: ${options.title}</span></summary>
      <div class="table-scroll">
        <table id="${id}-table">
          <caption class="visually-hidden">
            ${options.title}
          </caption>
          ${options.table}
        </table>
      </div>
    </details>
  </figure>`;
}
