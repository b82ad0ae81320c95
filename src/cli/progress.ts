import type { CliContext } from './context.js';

export interface CountingBar {
  start(total: number): void;
  update(done: number): void;
  stop(): void;
}

const NONE: CountingBar = { start: () => undefined, update: () => undefined, stop: () => undefined };

/**
 * A bar with count, rate and ETA on stderr when it is a terminal; nothing otherwise
 * (pipes, --json, --quiet), where the summary line says it all.
 */
export async function countingBar(ctx: CliContext, label: string, unit: string): Promise<CountingBar> {
  if (process.stderr.isTTY !== true || ctx.out.json || ctx.global.quiet) return NONE;
  const { SingleBar } = (await import('cli-progress')).default;
  const count = (n: number) => n.toLocaleString('en-US');
  const bar = new SingleBar({
    format: `  ${label} {bar}  {done} / {all} · {rate} ${unit}/s · ETA {eta_formatted}`,
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
}
