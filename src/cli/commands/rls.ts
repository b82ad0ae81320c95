import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ApplyRlsResult, RlsFinding, RlsStatus, VerifyRlsResult } from '../../index.js';
import { plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';

interface StatusOptions {
  appUrl?: string;
  appRole?: string;
}

/** Registers `todo-db rls apply | status | verify`. */
export function registerRls(program: Command, app: App): void {
  const rls = program.command('rls').description('row-level security: apply the setup, show and lint it, prove isolation');

  rls
    .command('apply')
    .description('re-apply sql/rls.sql when the setup has drifted (a no-op on an intact database); says what changed')
    .action(
      handle(app, {
        run: async (ctx: CliContext) => {
          const { applyRls, rlsFindingItems } = await import('../../index.js');
          const result = await ctx.withDb('schema', async (db) => ({ ...(await applyRls(db)), superuser: db.server.superuser }));
          return { ...result, ok: result.remaining.length === 0, findings: rlsFindingItems(result.remaining) };
        },
        render: renderApply,
        document: ({ remaining: _remaining, ...result }) => result,
      }),
    );

  rls
    .command('status')
    .description("RLS flags, policies, todo_app and its grants, a lint of the policies, and the application role's assessment")
    .option('--app-url <url>', 'the URL the application connects with; its user is assessed (default: DATABASE_URL)')
    .option('--app-role <name>', 'the role the application logs in as')
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: StatusOptions) => {
          const { rlsStatus, describeRlsStatus, resolveAppRole, rlsFindingItems } = await import('../../index.js');
          const appUrl = options.appUrl ?? (options.appRole === undefined ? ctx.settings.appUrl : undefined);
          // Bad input fails before connecting.
          resolveAppRole({ ...options, ...(appUrl !== undefined ? { appUrl } : {}) });
          const { status, server } = await ctx.withDb('inspect', async (db) => ({
            status: await rlsStatus(db, { ...options, ...(appUrl !== undefined ? { appUrl } : {}) }),
            server: db.server,
          }));
          const bypass = server.superuser ? 'a superuser' : server.bypassRls ? 'BYPASSRLS' : '';
          const connected = `todo-db is connected as ${server.user}${bypass ? `, ${bypass}: it bypasses RLS (right for maintenance, wrong for the application)` : ': RLS applies to it'}`;
          return {
            ...status,
            appNamed: options.appRole !== undefined || appUrl !== undefined,
            connected,
            facts: describeRlsStatus(status),
            items: rlsFindingItems(status.findings),
          };
        },
        render: renderStatus,
        document: ({ appNamed: _named, connected: _connected, facts: _facts, items, ...status }) => ({ ...status, findings: items }),
      }),
    );

  rls
    .command('verify')
    .description(
      'prove isolation: as todo_app, every read and write across users on every tenant table, in a transaction always rolled back; plus every other way in; exit 1 on any leak',
    )
    .option('--app-url <url>', 'the URL the application connects with; its role is judged too (default: DATABASE_URL when --url names this connection)')
    .option('--app-role <name>', 'the role the application logs in as')
    .option('--require-app-role', 'fail when no application role can be known')
    .addOption(new Option('--sample <n>', 'real users to probe as, besides the probe users').default(20).argParser(count))
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: VerifyOptions) => {
          const { verifyRls } = await import('../../index.js');
          // DATABASE_URL is the application's when this run's own connection came from --url.
          const appUrl = options.appUrl ?? (options.appRole === undefined && ctx.global.url !== undefined ? ctx.settings.appUrl : undefined);
          return ctx.withDb('data', (db) =>
            verifyRls(db, {
              ...(appUrl !== undefined ? { appUrl } : {}),
              ...(options.appRole !== undefined ? { appRole: options.appRole } : {}),
              requireAppRole: options.requireAppRole === true,
              sample: options.sample,
            }),
          );
        },
        render: renderVerify,
        document: ({ probes: _probes, ...result }) => result,
      }),
    );
}

function renderFindings(out: Output, findings: readonly RlsFinding[]): void {
  for (const f of findings) {
    out.line(`  ${out.c.red('✗')} ${f.message}`);
    out.line(out.c.dim(`      fix: ${f.fix}`));
  }
}

function renderStatus(out: Output, result: RlsStatus & { appNamed: boolean; connected: string; facts: Map<string, string> }): void {
  const { appNamed, connected, facts } = result;
  const status = result;
  out.table([...facts].map(([subject, text]) => [subject, out.c.dim(text)]));
  if (status.appRole) {
    const a = status.appRole;
    const attrs = a.exists
      ? [
          a.superuser ? 'SUPERUSER' : 'NOSUPERUSER',
          a.bypassRls ? 'BYPASSRLS' : 'NOBYPASSRLS',
          a.inheritsAppRole ? 'in todo_app' : 'not in todo_app',
          a.owns.length ? `owns ${a.owns.join(', ')}` : 'owns nothing',
        ]
      : ['does not exist'];
    out.table([[`application role ${a.name}`, out.c.dim(`${attrs.join(' ')} (from ${a.source === 'app-url' ? 'the application URL' : '--app-role'})`)]]);
  }
  for (const note of status.notes) out.note(note);
  out.note(connected);
  if (!appNamed) out.note('no application role named (--app-url, --app-role or DATABASE_URL): its RLS bypass was not checked');
  renderFindings(out, status.findings);
  if (status.ok)
    out.result(
      `RLS intact: ${plural(status.tables.length, 'table')} forced, ${plural(status.policies.length, 'policy', 'policies')}${status.appRole ? `; ${status.appRole.name} is subject to it` : ''}.`,
    );
  else out.result(`${plural(status.findings.length, 'problem')}. ${status.findings[0]?.fix ?? ''}`);
}

function renderApply(out: Output, result: ApplyRlsResult & { superuser: boolean }): void {
  const { superuser } = result;
  for (const change of result.changes) {
    out.line(`  ${out.c.green('✓')} ${change.subject}`);
    out.line(out.c.dim(`      before: ${change.before ?? '(none)'}`));
    out.line(out.c.dim(`      after:  ${change.after ?? '(none)'}`));
  }
  for (const statement of result.roleStatements) out.note(`ran as a superuser: ${statement}`);
  if (!superuser && result.remaining.some((f) => f.repair === 'superuser')) out.note('role attributes are left alone: only a superuser may change them');
  renderFindings(out, result.remaining);
  const done =
    !result.ranScript && result.roleStatements.length === 0 ? 'RLS setup intact: nothing to apply, nothing changed.' : `Applied: ${plural(result.changes.length, 'change')}.`;
  out.result(result.remaining.length === 0 ? done : `${done} ${plural(result.remaining.length, 'problem')} left: ${result.remaining[0]?.fix}`);
}

function renderVerify(out: Output, result: VerifyRlsResult): void {
  const groups = new Map<string, VerifyRlsResult['checks']>();
  for (const check of result.checks) groups.set(check.object, [...(groups.get(check.object) ?? []), check]);
  const mark = (s: string) => (s === 'ok' ? out.c.green('✓') : s === 'fail' ? out.c.red('✗') : s === 'n/a' ? out.c.dim('·') : out.c.yellow('!'));
  for (const [object, checks] of groups) {
    out.line(`  ${out.c.bold(object)}`);
    out.table(
      checks.map((c) => {
        const d = c.details as { as?: string; expected?: string; observed?: string; command?: string };
        const what = d.command ? `${d.command} ${out.c.dim(`as ${d.as}`)}` : c.message;
        const seen =
          d.observed === undefined ? '' : c.status === 'ok' || c.status === 'n/a' ? out.c.dim(d.observed) : `${out.c.red(d.observed)} ${out.c.dim(`(expected ${d.expected})`)}`;
        return [`${mark(c.status)} ${c.id.replace(`${object}:`, '')}`, what, seen];
      }),
      '    ',
    );
    for (const c of checks) if (c.status !== 'ok' && c.fix && !Object.hasOwn(c.details, 'command')) out.line(out.c.dim(`      fix: ${c.fix}`));
  }
  for (const note of result.notes) out.note(note);
  const rows = result.checks.length;
  const skipped = result.checks.filter((c) => c.status === 'n/a' && (c.details as { observed?: string }).observed === 'not run: read-only server').length;
  if (result.ok && result.readOnly)
    out.result(
      `Read-only mode: all ${rows - skipped} read probes and checks passed on ${plural(result.tenants.length, 'tenant table')} (todo_app sees only its own user's rows); ${skipped} write probes did not run here. Nothing changed.`,
    );
  else if (result.ok)
    out.result(
      `All ${rows} probes and checks passed on ${plural(result.tenants.length, 'tenant table')}: todo_app sees and changes only its own user's rows. Rolled back; nothing changed.`,
    );
  else {
    const leaks = result.checks.filter((c) => c.status === 'fail').length;
    const notRun = result.notRun ? `, ${result.notRun} could not run` : '';
    out.result(
      `LEAK: ${leaks} of ${rows} probes and checks failed${notRun} (${result.failed.slice(0, 8).join(', ')}${result.failed.length > 8 ? ', …' : ''}). Rolled back. See \`todo-db rls status\`; \`todo-db rls apply\` restores the setup.`,
    );
  }
}

interface VerifyOptions {
  appUrl?: string;
  appRole?: string;
  requireAppRole?: boolean;
  sample: number;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}
