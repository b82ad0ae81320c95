import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CheckResult, HealthReport, Thresholds } from '../../index.js';
// Registration needs the threshold table for its flags: a tiny module with no drivers behind it.
import { HEALTH_THRESHOLDS, THRESHOLD_KEYS } from '../../health/thresholds.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';
import { formatMs, type Output } from '../output.js';
import { withGracefulStop } from '../graceful-stop.js';
import { seconds } from '../options.js';

interface HealthFlags {
  strict?: boolean;
  appUrl?: string;
  appRole?: string;
  watch?: number;
  deadline?: number;
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
    .addOption(new Option('--watch <seconds>', 'refresh a compact table every SECONDS until Ctrl-C (with --json: one JSON document per round, one per line)').argParser(seconds))
    .addOption(new Option('--deadline <seconds>', 'stop after this long and print what was found (default 10)').argParser(seconds));
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
        const thresholds: Partial<Thresholds> = {};
        for (const { key, attribute } of flags) if (typeof options[attribute] === 'number') thresholds[key] = options[attribute] as number;
        // As for `rls status`: the application's role is the one whose RLS bypass matters. DATABASE_URL is
        // only a fallback (implicit): when it is health's own connection, the app role is simply not named.
        const named = options.appUrl !== undefined || options.appRole !== undefined;
        const appUrl = options.appUrl ?? (options.appRole === undefined ? ctx.settings.appUrl : undefined);
        const application = { ...(appUrl !== undefined ? { appUrl } : {}), ...(options.appRole !== undefined ? { appRole: options.appRole } : {}), implicit: !named };
        const { runHealth, resolveAppRole } = await import('../../index.js');
        // Bad input fails before connecting (exit 2), as in `rls status`.
        resolveAppRole(application);
        const healthOptions = {
          thresholds,
          app: application,
          ...(options.deadline !== undefined ? { deadlineMs: options.deadline * 1000 } : {}),
          ...(ctx.global.migrationsDir ? { migrationsDir: ctx.global.migrationsDir } : {}),
        };
        const strict = options.strict === true;
        const verdict = (report: HealthReport) => (strict ? report.strictOk : report.ok);
        if (options.watch !== undefined) {
          const every = options.watch;
          return ctx.withDb('inspect', async (db) => {
            let last: HealthReport | undefined;
            await watch(every, async (signal) => {
              last = await runHealth(db, { ...healthOptions, signal });
              // --json: one document per round, one per line (NDJSON), for a pipe into jq or a log.
              if (ctx.out.json) ctx.out.stdout.write(JSON.stringify(documentOf(last, strict, app)) + '\n');
              else renderCompact(ctx.out, last);
            });
            return { ...last!, ok: verdict(last!), strict, printed: true };
          });
        }
        // Ctrl-C cancels the query in flight and still prints what was found.
        const report = await withGracefulStop((signal) => ctx.withDb('inspect', (db) => runHealth(db, { ...healthOptions, signal })));
        if (report.stopped === 'interrupted') process.stderr.write('todo-db: interrupted; the check in progress was cancelled on the server\n');
        return { ...report, ok: verdict(report), strict, interrupted: report.stopped === 'interrupted' };
      },
      render: (out, report) => render(out, report),
      document: ({ strictOk: _s, ...report }) => ({ ...report, durationMs: Math.round(report.durationMs) }),
    }),
  );
}

type HealthRun = HealthReport & { strict: boolean; printed?: boolean; interrupted?: boolean };

/** One round's document under --watch --json, with the fields every command's document has. */
function documentOf(report: HealthReport, strict: boolean, app: App): Record<string, unknown> {
  const { ok: _ok, ...rest } = report;
  return { ...rest, ok: strict ? report.strictOk : report.ok, command: app.command || 'health', durationMs: Math.round(report.durationMs), strict };
}

/** Runs `round` every `seconds` until Ctrl-C, then returns (so the database is closed cleanly). */
async function watch(seconds: number, round: (signal: AbortSignal) => Promise<void>): Promise<void> {
  // Here Ctrl-C is the normal way to stop, not an interruption.
  await withGracefulStop(async (signal) => {
    while (!signal.aborted) {
      await round(signal);
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  });
}

function render(out: Output, report: HealthReport): void {
  out.table(report.checks.map((check) => [label(out, check.status), check.object, colourMessage(out, check)]));
  for (const check of report.checks) {
    if (check.status === 'ok' || check.details.findings.length < 2) continue;
    out.line(out.c.dim(`  ${check.object}:`));
    out.table(
      check.details.findings.map((f) => [label(out, f.status), f.object, out.c.dim(f.message)]),
      '      ',
    );
  }
  if (!report.complete)
    out.result(
      report.stopped === 'deadline'
        ? `Stopped at the ${formatMs(report.deadlineMs)} deadline (--deadline): the checks not run are marked.`
        : 'Interrupted: the checks not run are marked.',
    );
  out.result(summary(out, report));
  const next = report.checks.find((c) => c.status === 'fail') ?? report.checks.find((c) => c.status === 'warn');
  if (next?.fix) out.result(`Next: ${next.object}: ${next.fix}${next.fix.endsWith('.') || next.fix.endsWith(';') ? '' : '.'}`);
}

function label(out: Output, status: CheckResult['status']): string {
  return status === 'not-run' ? out.c.dim(status) : out.status(status);
}

function colourMessage(out: Output, check: CheckResult): string {
  return check.status === 'n/a' || check.status === 'not-run' ? out.c.dim(check.message) : check.message;
}

function summary(out: Output, report: HealthReport): string {
  const { counts } = report;
  const notRun = counts['not-run'] ? ` · ${counts['not-run']} not run` : '';
  return `${counts.ok} ok · ${counts.warn} warn · ${counts.fail} fail · ${counts['n/a']} n/a${notRun} ${out.c.dim(`(${formatMs(report.durationMs)})`)}`;
}

/** One line per check, cut to the terminal width: for watching a load test. */
function renderCompact(out: Output, report: HealthReport): void {
  const tty = process.stdout.isTTY === true;
  const width = tty ? process.stdout.columns : 120;
  if (tty) out.stdout.write('\u001b[2J\u001b[H');
  out.line(out.c.dim(new Date().toISOString().replace('T', ' ').slice(0, 19)));
  out.table(report.checks.filter((c) => c.status !== 'n/a').map((c) => [label(out, c.status), c.object, cut(c.message, width - 40)]));
  out.result(summary(out, report));
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(width - 1, 10))}…` : text;
}
