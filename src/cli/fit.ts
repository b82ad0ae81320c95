/** The width a terminal gives a line, or none (a pipe or a file: lines stay whole). */
export function terminalWidth(stream: NodeJS.WritableStream): number | undefined {
  const tty = stream as NodeJS.WriteStream;
  return tty.isTTY === true && tty.columns > 0 ? tty.columns : undefined;
}

/** Widest text each cli-progress placeholder can show: counts to 99,999,999, a rate, an ETA like 99h59m. */
const PLACEHOLDER_WIDTH: Record<string, number> = { done: 10, all: 10, value: 10, total: 10, rate: 9, eta_formatted: 6, eta: 6, percentage: 3, duration_formatted: 6 };

/**
 * The bar size that lets a progress line of `format` fit `columns`, so that a
 * narrow terminal (80 columns) shrinks the bar and keeps the counts, rate and ETA
 * that cli-progress would otherwise cut off the end.
 *
 * @example
 * barSize('  tasks {bar}  {done} / {all} · {rate} rows/s · ETA {eta_formatted}', 80); // 14
 */
export function barSize(format: string, columns: number | undefined, max = 40, min = 10): number {
  if (columns === undefined) return max;
  const text = format.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'bar' ? '' : ' '.repeat(PLACEHOLDER_WIDTH[name] ?? 8)));
  // One column spare: a line that fills the last column makes some terminals wrap.
  return Math.max(min, Math.min(max, columns - 1 - [...text].length));
}
