/**
 * Draws the weekly picture as SVG text from ReportData: simple bars and labels, so hand-written
 * SVG stays small and exact (every bar is a number of ReportData, nothing is computed here but
 * positions). render-png.ts turns it into a PNG with resvg and the shipped font.
 */
import { SEVERITIES, type Severity } from '../domain/finding.js';
import { GRADE_COLOUR } from './exposure-grade.js';
import type { Ranked, ReportData } from './report-data.js';

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 980;
export const FONT_FAMILY = 'Inter';

const MARGIN = 24;
const GAP = 20;
const INK = '#1f2430';
const MUTED = '#6b7280';
const GRID = '#e5e7eb';
/** Okabe–Ito: tells sources apart also for colour-blind readers. */
const SERIES = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
const SEVERITY_FILL: Record<Severity, string> = {
  critical: '#8b0000',
  high: '#e53935',
  medium: '#fb8c00',
  low: '#fdd835',
  info: '#1e88e5',
};

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly values: readonly number[];
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function hex(n: number): string {
  return `#${n.toString(16).padStart(6, '0')}`;
}

function text(
  x: number,
  y: number,
  body: string,
  o: { size?: number; weight?: number; fill?: string; anchor?: 'start' | 'middle' | 'end' } = {},
): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${o.size ?? 13}" font-weight="${o.weight ?? 400}" fill="${o.fill ?? INK}" text-anchor="${o.anchor ?? 'start'}">${escapeXml(body)}</text>`;
}

/** A round axis top: 2, 4, 6, 10, 20, 50 × 10^k at or above the largest value (even, so the middle line is whole). */
function niceMax(max: number): number {
  if (max <= 2) return 2;
  if (max <= 4) return 4;
  if (max <= 6) return 6;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function panel(x: number, y: number, w: number, h: number, title: string): string {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="10" fill="#ffffff" stroke="${GRID}"/>${text(x + 16, y + 28, title, { size: 16, weight: 700 })}`;
}

function dayLabel(day: string): string {
  const d = new Date(`${day}T12:00:00`);
  return `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getDay()]} ${d.getDate()}`;
}

function legend(x: number, y: number, series: readonly Series[]): string {
  let cx = x;
  const parts: string[] = [];
  for (const s of [...series].reverse()) {
    const label = clip(s.label, 18);
    const width = 18 + label.length * 7;
    cx -= width;
    parts.push(
      `<rect x="${cx}" y="${y - 10}" width="11" height="11" rx="2" fill="${s.colour}"/>`,
      text(cx + 15, y, label, { size: 12, fill: MUTED }),
    );
    cx -= 10;
  }
  return parts.join('');
}

/** Bars per day: stacked (sources add up to the day's total) or side by side (made vs expired). */
function dayBars(
  x: number,
  y: number,
  w: number,
  h: number,
  title: string,
  days: readonly string[],
  series: readonly Series[],
  mode: 'stack' | 'group',
  empty: string,
): string {
  const out = [panel(x, y, w, h, title)];
  if (series.length > 1 || mode === 'group') out.push(legend(x + w - 16, y + 28, series));
  const left = x + 52;
  const right = x + w - 16;
  const top = y + 56;
  const bottom = y + h - 34;
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const peaks = days.map((_, i) => Math.max(0, ...series.map((s) => s.values[i] ?? 0)));
  const max = niceMax(Math.max(0, ...(mode === 'stack' ? totals : peaks)));
  for (const f of [0, 0.5, 1]) {
    const gy = bottom - (bottom - top) * f;
    out.push(
      `<line x1="${left}" y1="${gy.toFixed(1)}" x2="${right}" y2="${gy.toFixed(1)}" stroke="${GRID}"/>`,
      text(left - 8, gy + 4, String(Math.round(max * f)), { size: 12, fill: MUTED, anchor: 'end' }),
    );
  }
  const slot = (right - left) / Math.max(1, days.length);
  const barW = Math.max(3, Math.min(56, slot * 0.64));
  const every = Math.ceil(days.length / 10);
  const showValues = days.length <= 14;
  const scale = (v: number) => ((bottom - top) * v) / max;
  days.forEach((day, i) => {
    const cx = left + slot * (i + 0.5);
    // Counted from today backwards, so today always has its label and none overlap.
    if ((days.length - 1 - i) % every === 0)
      out.push(text(cx, bottom + 18, dayLabel(day), { size: 12, fill: MUTED, anchor: 'middle' }));
    if (mode === 'stack') {
      let acc = 0;
      for (const s of series) {
        const v = s.values[i] ?? 0;
        if (v <= 0) continue;
        const bh = scale(v);
        out.push(
          `<rect x="${(cx - barW / 2).toFixed(1)}" y="${(bottom - scale(acc) - bh).toFixed(1)}" width="${barW.toFixed(1)}" height="${bh.toFixed(1)}" fill="${s.colour}"/>`,
        );
        acc += v;
      }
      const total = totals[i] ?? 0;
      if (showValues && total > 0)
        out.push(
          text(cx, bottom - scale(total) - 5, String(total), { size: 12, weight: 600, anchor: 'middle' }),
        );
    } else {
      const each = barW / Math.max(1, series.length);
      series.forEach((s, j) => {
        const v = s.values[i] ?? 0;
        const bx = cx - barW / 2 + each * j;
        if (v <= 0) return;
        const bh = scale(v);
        out.push(
          `<rect x="${bx.toFixed(1)}" y="${(bottom - bh).toFixed(1)}" width="${(each - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${s.colour}"/>`,
        );
        if (showValues)
          out.push(
            text(bx + each / 2, bottom - bh - 5, String(v), { size: 11, weight: 600, anchor: 'middle' }),
          );
      });
    }
  });
  if (totals.every((t) => t === 0))
    out.push(
      text((left + right) / 2, (top + bottom) / 2, empty, { size: 14, fill: MUTED, anchor: 'middle' }),
    );
  return out.join('');
}

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly note: string;
  readonly colour: string;
}

/** A ranked list as horizontal bars, the value and a note after each bar. */
function listBars(
  x: number,
  y: number,
  w: number,
  h: number,
  title: string,
  bars: readonly Bar[],
  empty: string,
) {
  const out = [panel(x, y, w, h, title)];
  if (bars.length === 0) {
    out.push(text(x + w / 2, y + h / 2 + 10, empty, { size: 14, fill: MUTED, anchor: 'middle' }));
    return out.join('');
  }
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = Math.min(38, (h - 56) / bars.length);
  const barLeft = x + 16;
  const barMax = w - 32 - 90;
  bars.forEach((b, i) => {
    const top = y + 50 + row * i;
    out.push(text(barLeft, top + 12, clip(b.label, 40), { size: 13 }));
    const bw = Math.max(b.value > 0 ? 2 : 0, (barMax * b.value) / max);
    out.push(
      `<rect x="${barLeft}" y="${top + 17}" width="${bw.toFixed(1)}" height="10" rx="3" fill="${b.colour}"/>`,
      text(barLeft + bw + 6, top + 27, `${b.value}${b.note}`, { size: 12, weight: 600, fill: MUTED }),
    );
  });
  return out.join('');
}

function ranked(items: readonly Ranked[], colour: string): Bar[] {
  return items.map((r) => ({
    label: r.label,
    value: r.events,
    note: ` · ${r.addresses} address${r.addresses === 1 ? '' : 'es'}`,
    colour: r.label === 'unknown' ? '#9ca3af' : colour,
  }));
}

function shortDate(day: string): string {
  const d = new Date(`${day}T12:00:00`);
  return `${d.getDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getMonth()]} ${d.getFullYear()}`;
}

export function reportSvg(data: ReportData): string {
  const first = data.days[0] ?? '';
  const last = data.days[data.days.length - 1] ?? '';
  const half = (CHART_WIDTH - 2 * MARGIN - GAP) / 2;
  const third = (CHART_WIDTH - 2 * MARGIN - 2 * GAP) / 3;
  const colourOf = (i: number) => SERIES[i % SERIES.length] ?? INK;
  const failures = data.sources.map((s, i) => ({
    label: s.sourceId,
    colour: colourOf(i),
    values: s.failures,
  }));
  const errors = data.sources.map((s, i) => ({
    label: s.sourceId,
    colour: colourOf(i),
    values: s.clientErrors,
  }));
  const grade = data.grade;
  const badge = hex(GRADE_COLOUR[grade.letter]);
  const rowH = 262;
  const r1 = 104;
  const r2 = r1 + rowH + GAP;
  const r3 = r2 + rowH + GAP;
  const r3h = CHART_HEIGHT - r3 - MARGIN;
  const days = data.days.length;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="${FONT_FAMILY}">`,
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#f3f4f6"/>`,
    text(MARGIN, 48, `plex-warden · the last ${days} day${days === 1 ? '' : 's'}`, { size: 28, weight: 700 }),
    text(MARGIN, 78, `${shortDate(first)} – ${shortDate(last)} (today so far) · local time`, {
      size: 15,
      fill: MUTED,
    }),
    `<rect x="${CHART_WIDTH - MARGIN - 300}" y="18" width="300" height="70" rx="12" fill="#ffffff" stroke="${GRID}"/>`,
    `<rect x="${CHART_WIDTH - MARGIN - 292}" y="26" width="54" height="54" rx="10" fill="${badge}"/>`,
    text(CHART_WIDTH - MARGIN - 265, 66, grade.letter, {
      size: 34,
      weight: 700,
      fill: '#ffffff',
      anchor: 'middle',
    }),
    text(CHART_WIDTH - MARGIN - 226, 48, 'Exposure grade', { size: 16, weight: 700 }),
    text(CHART_WIDTH - MARGIN - 226, 70, clip(grade.reason, 28), { size: 14, fill: MUTED }),
    dayBars(
      MARGIN,
      r1,
      half,
      rowH,
      'Failed sign-ins per day',
      data.days,
      failures,
      'stack',
      'No failed sign-ins',
    ),
    dayBars(
      MARGIN + half + GAP,
      r1,
      half,
      rowH,
      '4xx answers per day',
      data.days,
      errors,
      'stack',
      'No 4xx answers',
    ),
    dayBars(
      MARGIN,
      r2,
      half,
      rowH,
      'Bans made and expired per day',
      data.days,
      [
        { label: 'made', colour: '#D55E00', values: data.bansMade },
        { label: 'expired', colour: '#9ca3af', values: data.bansExpired },
      ],
      'group',
      'No bans made or expired',
    ),
    dayBars(
      MARGIN + half + GAP,
      r2,
      half,
      rowH,
      'Remote streams per day',
      data.days,
      [{ label: 'streams', colour: '#009E73', values: data.remoteStreams }],
      'stack',
      'No remote streams seen',
    ),
    listBars(
      MARGIN,
      r3,
      third,
      r3h,
      'Top networks that knocked',
      ranked(data.topAsns, '#0072B2'),
      'Nobody knocked',
    ),
    listBars(
      MARGIN + third + GAP,
      r3,
      third,
      r3h,
      'Top countries that knocked',
      ranked(data.topCountries, '#56B4E9'),
      'Nobody knocked',
    ),
    listBars(
      MARGIN + 2 * (third + GAP),
      r3,
      third,
      r3h,
      'Open findings by severity',
      [...SEVERITIES].reverse().map((s) => ({
        label: s,
        value: data.openBySeverity[s],
        note: '',
        colour: SEVERITY_FILL[s],
      })),
      'Nothing open',
    ),
    '</svg>',
  ];
  return parts.join('\n');
}
