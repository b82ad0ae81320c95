import { barSize, terminalWidth } from './fit.js';
import type { CliContext } from './context.js';

export interface CountingBar {
  start(total: number): void;
  update(done: number): void;
  stop(): void;
}

/** Makes a bar: `unit` shows a rate and an ETA (rows/s, tasks/s); without one, the bar only counts steps. */
export type BarFactory = (label: string, unit?: string) => CountingBar;

const NONE: CountingBar = { start: () => undefined, update: () => undefined, stop: () => undefined };

/**
 * Progress bars on stderr when it is a terminal; bars that draw nothing otherwise
 * (pipes, --json, --quiet), where the summary line says it all. Loads cli-progress
 * only when it will draw.
 */
export async function progressBars(ctx: CliContext): Promise<BarFactory> {
  if (process.stderr.isTTY !== true || ctx.out.json || ctx.global.quiet) return () => NONE;
  const { SingleBar } = (await import('cli-progress')).default;
  const count = (n: number) => n.toLocaleString('en-US');
  return (label, unit) => {
    const format = `  ${label} {bar}  {done} / {all}${unit ? ` · {rate} ${unit}/s · ETA {eta_formatted}` : ''}`;
    const bar = new SingleBar({
      format,
      barsize: barSize(format, terminalWidth(process.stderr)),
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    });
    let started = 0;
    let total = 0;
    return {
      start(n) {
        total = n;
        started = performance.now();
        bar.start(n, 0, { done: '0', all: count(n), rate: '0' });
      },
      update(done) {
        const seconds = Math.max((performance.now() - started) / 1000, 0.001);
        bar.update(done, { done: count(done), all: count(total), rate: count(Math.round(done / seconds)) });
      },
      stop: () => bar.stop(),
    };
  };
}
