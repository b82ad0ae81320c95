import prettyBytes from 'pretty-bytes';

/**
 * Plain-text formatting shared by the core's messages and the renderers. No
 * colour here: the core builds messages with these, the CLI paints them.
 */

const AND = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });

/** `a`, `a and b`, `a, b and c` (no Oxford comma, as the messages always read). */
export function listAnd(items: readonly string[]): string {
  return AND.format(items).replace(/, and /, ' and ');
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

/** `812 ms`, `3.4 ms`, `12.5 s`: one space, precision by size (pretty-ms writes `812ms`). */
export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `8.2 kB`, `1.3 GB` (decimal units, as PostgreSQL's pg_size_pretty-alikes in dashboards). */
export function formatBytes(bytes: number): string {
  return prettyBytes(bytes);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 100;
}

/** Local time as `2026-11-24 01:02:17`. */
export function formatDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
