/** Human units for check messages: the shared text helpers, plus the verdict fold. */
export { formatBytes, formatSeconds, percent } from '../text.js';

/** The worst status of a list (fail > warn > info > ok > n/a), `empty` when there is none. */
export function worst(statuses: readonly string[], empty: 'ok' | 'info' = 'ok'): 'ok' | 'warn' | 'fail' | 'info' {
  for (const s of ['fail', 'warn', 'info', 'ok'] as const) if (statuses.includes(s)) return s;
  return empty;
}
