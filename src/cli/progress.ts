import { barSize, terminalWidth } from './fit.js';
import type { CliContext } from './context.js';

export interface CountingBar {
  start(total: number): void;
  /** `detail`: what is being worked on now (shown after the count), e.g. the index being built */
  update(done: number, detail?: string): void;
  stop(): void;
}

/** Makes a bar: `unit` shows a rate and an ETA (rows/s, tasks/s); without one, the bar only counts steps. */
export type BarFactory = (label: string, unit?: string) => CountingBar;

const NONE: CountingBar = { start: () => undefined, update: () => undefined, stop: () => undefined };

/**
 * A rate that does not jump: an exponential moving average of the throughput
 * with a time constant of `tauSeconds`, weighted by the time each update covers
 * (a burst of fast chunks or one slow one moves it a little, not all the way).
 * Until a second has passed it is the plain average so far. The ETA is the
 * remaining work over that rate, rounded to whole seconds.
 */
export class SmoothedRate {
  #rate = 0;
  #last: { t: number; done: number } | undefined;
  #elapsed = 0;
  constructor(private readonly tauSeconds = 3) {}

  /** `now` in milliseconds. */
  sample(done: number, now: number): void {
    const last = this.#last;
    this.#last = { t: now, done };
    if (!last) return;
    const dt = (now - last.t) / 1000;
    if (dt <= 0) return;
    const instant = Math.max(0, done - last.done) / dt;
    // The first second is a plain average, so the start does not lean on one chunk.
    this.#elapsed += dt;
    const alpha = this.#elapsed <= 1 ? dt / this.#elapsed : 1 - Math.exp(-dt / this.tauSeconds);
    this.#rate += alpha * (instant - this.#rate);
  }
  get perSecond(): number {
    return this.#rate;
  }
  /** Seconds left, or undefined while there is too little to go on. */
  eta(done: number, total: number): number | undefined {
    if (this.#elapsed <= 0 || this.#rate <= 0) return undefined;
    return Math.max(0, Math.round((total - done) / this.#rate));
  }
}

/** 9 → "9s", 75 → "1m15s", 3725 → "1h02m" (cli-progress's style). */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return '…';
  const two = (n: number) => String(n).padStart(2, '0');
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h${two(Math.floor((seconds % 3600) / 60))}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
  return `${seconds}s`;
}

/**
 * Progress bars on stderr when it is a terminal; bars that draw nothing otherwise
 * (pipes, --json, --quiet), where the summary line says it all. Loads cli-progress
 * only when it will draw.
 */
export async function progressBars(ctx: CliContext): Promise<BarFactory> {
  if (process.stderr.isTTY !== true || ctx.out.json || ctx.global.quiet) return () => NONE;
  const { SingleBar } = (await import('cli-progress')).default;
  const count = (n: number) => n.toLocaleString('en-US');
  // Not `{eta}`: cli-progress fills that placeholder itself, from its own unsmoothed estimate.
  return (label, unit) => {
    const format = `  ${label} {bar}  {done} / {all}${unit ? ` · {rate} ${unit}/s · ETA {smoothEta}` : ''}{detail}`;
    const bar = new SingleBar({
      format,
      barsize: barSize(format, terminalWidth(process.stderr)),
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    });
    let total = 0;
    let rate = new SmoothedRate();
    return {
      start(n) {
        total = n;
        rate = new SmoothedRate();
        rate.sample(0, performance.now());
        bar.start(n, 0, { done: '0', all: count(n), rate: '0', smoothEta: formatEta(undefined), detail: '' });
      },
      update(done, detail) {
        rate.sample(done, performance.now());
        bar.update(done, {
          done: count(done),
          all: count(total),
          rate: count(Math.round(rate.perSecond)),
          smoothEta: formatEta(rate.eta(done, total)),
          detail: detail ? ` · ${detail}` : '',
        });
      },
      stop: () => bar.stop(),
    };
  };
}
