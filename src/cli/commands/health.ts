import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CheckResult, HealthReport, Thresholds } from '../../index.js';
// Registration needs the threshold table for its flags: a tiny module with no drivers behind it.
import { HEALTH_THRESHOLDS, THRESHOLD_KEYS } from '../../health/thresholds.js';
import { UsageError } from '../../errors.js';
import { formatMs, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';
import { withGracefulStop } from '../graceful-stop.js';
import { seconds } from '../options.js';

interface HealthFlags {
  strict?: boolean;
  appUrl?: string;
  appRole?: string;
  watch?: number;
  [threshold: string]: unknown;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

export function registerHealth(program: Command, app: App): void {
  const health = program
    .command('health')
    .description('the health-check bundle: connection, migrations, schema, RLS, cache, indexes, vacuum, sessions, sizes')
    .option('--strict', 'exit 1 on warnings too, not only on failures')
    .option('--app-url <url>', 'the URL the application connects with; its role is checked for RLS bypass (default: DATABASE_URL)')
    .option('--app-role <name>', 'the role the application logs in as')
    .addOption(new Option('--watch <seconds>', 'refresh a compact table every SECONDS until Ctrl-C').argParser(seconds));
  // One flag per threshold, from the table that declares them.
  const flags = THRESHOLD_KEYS.map((key) => {
    const spec = HEALTH_THRESHOLDS[key];
    const option = new Option(`--${spec.flag} <${spec.unit}>`, `${spec.description} (default ${spec.value})`).argParser(nonNegative);
    health.addOption(option);
    return { key, attribute: option.attributeName() };
  });

  health.action(
    handle(app, {
      run: async (ctx: CliContext, options: HealthFlags): Promise<HealthRun> => {
        if (options.watch !== undefined && ctx.out.json) throw new UsageError('--watch and --json exclude each other', 'use --json for one report, --watch on a terminal');
        const thresholds: Partial<Thresholds> = {};
        for (const { key, attribute } of flags) if (typeof options[attribute] === 'number') thresholds[key] = options[attribute] as number;
        // As for `rls status`: the application's role is the one whose RLS bypass matters.
        const appUrl = options.appUrl ?? (options.appRole === undefined ? ctx.settings.appUrl : undefined);
        const application = { ...(appUrl !== undefined ? { appUrl } : {}), ...(options.appRole !== undefined ? { appRole: options.appRole } : {}) };
        const healthOptions = { thresholds, app: application, ...(ctx.global.migrationsDir ? { migrationsDir: ctx.global.migrationsDir } : {}) };
        const { runHealth } = await import('../../index.js');
        const verdict = (report: HealthReport) => (options.strict ? report.strictOk : report.ok);
        if (options.watch !== undefined) {
          const every = options.watch;
          return ctx.withDb('data', async (db) => {
            let last: HealthReport | undefined;
            await watch(every, async () => {
              last = await runHealth(db, healthOptions);
              renderCompact(ctx.out, last);
            });
            return { ...last!, ok: verdict(last!), watched: true };
          });
        }
        const report = await ctx.withDb('data', (db) => runHealth(db, healthOptions));
        return { ...report, ok: verdict(report), watched: false };
      },
      render: (out, report) => {
        if (!report.watched) render(out, report);
      },
    }),
  );
}

type HealthRun = HealthReport & { watched: boolean };

/** Runs `round` every `seconds` until Ctrl-C, then returns (so the database is closed cleanly). */
async function watch(seconds: number, round: () => Promise<void>): Promise<void> {
  // Here Ctrl-C is the normal way to stop, not an interruption.
  await withGracefulStop(async (signal) => {
    while (!signal.aborted) {
      await round();
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  });
}

function render(out: Output, report: HealthReport): void {
  out.table(report.checks.map((check) => [out.status(check.status), check.title, colourMessage(out, check)]));
  for (const check of report.checks) {
    if (check.status === 'ok' || check.findings.length < 2) continue;
    out.line(out.c.dim(`  ${check.title}:`));
    out.table(check.findings.map((f) => [out.status(f.status), f.object, out.c.dim(f.message)]), '      ');
  }
  out.result(summary(out, report));
  const next = report.checks.find((c) => c.status === 'fail') ?? report.checks.find((c) => c.status === 'warn');
  if (next?.fix) out.result(`Next: ${next.title}: ${next.fix}.`);
}

function colourMessage(out: Output, check: CheckResult): string {
  return check.status === 'n/a' || check.status === 'info' ? out.c.dim(check.message) : check.message;
}

function summary(out: Output, report: HealthReport): string {
  const { counts } = report;
  return `${counts.ok} ok · ${counts.warn} warn · ${counts.fail} fail · ${counts.info} info · ${counts['n/a']} n/a ${out.c.dim(`(${formatMs(report.durationMs)})`)}`;
}

/** One line per check, cut to the terminal width: for watching a load test. */
function renderCompact(out: Output, report: HealthReport): void {
  const tty = process.stdout.isTTY === true;
  const width = tty ? process.stdout.columns : 120;
  if (tty) out.stdout.write('\u001b[2J\u001b[H');
  out.line(out.c.dim(new Date().toISOString().replace('T', ' ').slice(0, 19)));
  out.table(report.checks.filter((c) => c.status !== 'n/a').map((c) => [out.status(c.status), c.title, cut(c.message, width - 40)]));
  out.result(summary(out, report));
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(width - 1, 10))}…` : text;
}
