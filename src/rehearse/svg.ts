import type { RehearsalResult } from './rehearse.js';

const W = 960;
const H = 440;
const M = { left: 64, right: 24, top: 48, bottom: 72 };
const COLORS = {
  p50: '#2563eb',
  p99: '#ea580c',
  budget: '#dc2626',
  lock: '#dc2626',
  baseline: '#e5e7eb',
  migration: '#fde68a',
  grid: '#e5e7eb',
  text: '#111827',
  muted: '#6b7280',
};

/**
 * The rehearsal as a picture (`migrate rehearse --report FILE`): the workload's
 * p50 and p99 per second, the baseline window and each migration's window shaded,
 * the p99 budget as a dashed line and every lock wait the workload had as a red
 * bar along the time axis. Plain SVG 1.1, no script, no external resources.
 */
export function rehearsalSvg(result: RehearsalResult): string {
  const seconds = Math.max(1, ...result.series.map((s) => s.second + 1), ...result.migrations.map((m) => Math.ceil(m.endMs / 1000)));
  const top = niceCeil(Math.max(1, result.budgetP99Ms ?? 0, ...result.series.map((s) => s.p99 ?? 0)) * 1.1);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (ms: number) => M.left + (Math.min(ms, seconds * 1000) / (seconds * 1000)) * plotW;
  const y = (ms: number) => M.top + plotH - (Math.min(ms, top) / top) * plotH;
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(text(M.left, 24, 'todo-db migrate rehearse: workload latency per second', { size: 16, weight: 'bold' }));
  const sub = `${result.concurrency} clients · ${result.copy ? `${result.copy.tasks.toLocaleString('en-US')} tasks` : ''} · budget p99 ${result.budgetP99Ms === null ? 'n/a' : `${round(result.budgetP99Ms)} ms`}`;
  parts.push(text(W - M.right, 24, sub, { anchor: 'end', fill: COLORS.muted }));
  if (result.baselineWindow) parts.push(band(x(result.baselineWindow.startMs), x(result.baselineWindow.endMs), 'baseline', COLORS.baseline, 'baseline'));
  result.migrations.forEach((m, i) => {
    parts.push(band(x(m.startMs), Math.max(x(m.endMs), x(m.startMs) + 2), m.name, COLORS.migration, `migration`, i));
  });
  for (const tick of ticks(top)) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${f(y(tick))}" y2="${f(y(tick))}" stroke="${COLORS.grid}" stroke-width="1"/>`);
    parts.push(text(M.left - 8, y(tick) + 4, `${tick} ms`, { anchor: 'end', fill: COLORS.muted, size: 11 }));
  }
  const step = Math.max(1, Math.ceil(seconds / 12));
  for (let s = 0; s <= seconds; s += step) parts.push(text(x(s * 1000), M.top + plotH + 16, `${s} s`, { anchor: 'middle', fill: COLORS.muted, size: 11 }));
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="${COLORS.text}" stroke-width="1"/>`);
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="${COLORS.text}" stroke-width="1"/>`);
  if (result.budgetP99Ms !== null) {
    parts.push(
      `<line class="budget" x1="${M.left}" x2="${W - M.right}" y1="${f(y(result.budgetP99Ms))}" y2="${f(y(result.budgetP99Ms))}" stroke="${COLORS.budget}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    );
    parts.push(text(W - M.right - 4, y(result.budgetP99Ms) - 4, `p99 budget ${round(result.budgetP99Ms)} ms`, { anchor: 'end', fill: COLORS.budget, size: 11 }));
  }
  for (const [key, label] of [
    ['p50', 'p50'],
    ['p99', 'p99'],
  ] as const) {
    const points = result.series.filter((s) => s[key] !== null).map((s) => `${f(x(s.second * 1000 + 500))},${f(y(s[key]!))}`);
    if (points.length) parts.push(`<polyline class="${label}" fill="none" stroke="${COLORS[key]}" stroke-width="2" stroke-linejoin="round" points="${points.join(' ')}"/>`);
  }
  for (const w of result.lockWaits) {
    parts.push(
      `<rect class="lock-wait" x="${f(x(w.atMs))}" y="${M.top + plotH + 24}" width="${f(Math.max(2, x(w.atMs + w.ms) - x(w.atMs)))}" height="8" fill="${COLORS.lock}"><title>lock wait of pid ${w.pid}: at least ${Math.round(w.ms)} ms</title></rect>`,
    );
  }
  parts.push(text(M.left, M.top + plotH + 48, `lock waits seen by the workload: ${result.lockWaits.length}`, { fill: COLORS.lock, size: 11 }));
  parts.push(legend(W - M.right - 300, H - 16));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">\n${parts.join('\n')}\n</svg>\n`;

  function band(x1: number, x2: number, label: string, fill: string, cls: string, row = 0): string {
    const labelY = M.top + 14 + (row % 3) * 14;
    return `<g class="${cls}"><rect x="${f(x1)}" y="${M.top}" width="${f(Math.max(1, x2 - x1))}" height="${plotH}" fill="${fill}" fill-opacity="0.6"><title>${escapeXml(label)}</title></rect>${text(x1 + 4, labelY, label, { size: 11, fill: COLORS.text })}</g>`;
  }
}

function legend(x0: number, y0: number): string {
  const item = (dx: number, color: string, label: string, dash = '') =>
    `<line x1="${x0 + dx}" x2="${x0 + dx + 20}" y1="${y0 - 4}" y2="${y0 - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>${text(x0 + dx + 24, y0, label, { size: 11 })}`;
  return `<g class="legend">${item(0, COLORS.p50, 'p50')}${item(64, COLORS.p99, 'p99')}${item(128, COLORS.budget, 'budget', '6 4')}<rect x="${x0 + 212}" y="${y0 - 8}" width="14" height="8" fill="${COLORS.lock}"/>${text(x0 + 230, y0, 'lock wait', { size: 11 })}</g>`;
}

function text(x: number, y: number, content: string, o: { size?: number; weight?: string; anchor?: string; fill?: string } = {}): string {
  return `<text x="${f(x)}" y="${f(y)}"${o.size ? ` font-size="${o.size}"` : ''}${o.weight ? ` font-weight="${o.weight}"` : ''}${o.anchor ? ` text-anchor="${o.anchor}"` : ''} fill="${o.fill ?? COLORS.text}">${escapeXml(content)}</text>`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2 or 5 times a power of ten, at least `n`. */
function niceCeil(n: number): number {
  const p = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 5, 10].find((m) => m * p >= n) ?? 10) * p;
}

function ticks(top: number): number[] {
  return [0, 1, 2, 3, 4, 5].map((i) => round((top * i) / 5));
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();
const round = (n: number) => Math.round(n * 10) / 10;
