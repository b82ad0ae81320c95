import type { Command } from 'commander';
import type { ApplyRlsResult, RlsFinding, RlsStatus, VerifyRlsResult } from '../../index.js';
import { plural, type Output } from '../../output/output.js';
import { action, type App } from '../app.js';
import { CliContext } from '../context.js';

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
      action(app, async (_options: object, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const { applyRls } = await import('../../index.js');
        const result = await ctx.withDb('schema', async (handle) => ({ result: await applyRls(handle), superuser: handle.server.superuser }));
        renderApply(ctx.out, result.result, result.superuser);
        return result.result.remaining.length > 0 ? 1 : 0;
      }),
    );

  rls
    .command('status')
    .description("RLS flags, policies, todo_app and its grants, a lint of the policies, and the application role's assessment")
    .option('--app-url <url>', 'the URL the application connects with; its user is assessed (default: DATABASE_URL)')
    .option('--app-role <name>', 'the role the application logs in as')
    .action(
      action(app, async (options: StatusOptions, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const { rlsStatus, describeRlsStatus, resolveAppRole } = await import('../../index.js');
        const named = options.appRole !== undefined || options.appUrl !== undefined;
        const appUrl = options.appUrl ?? (options.appRole === undefined ? process.env.DATABASE_URL?.trim() || undefined : undefined);
        // Bad input fails before connecting.
        resolveAppRole({ ...options, ...(appUrl !== undefined ? { appUrl } : {}) });
        const { status, server } = await ctx.withDb('inspect', async (handle) => ({
          status: await rlsStatus(handle, { ...options, ...(appUrl !== undefined ? { appUrl } : {}) }),
          server: handle.server,
        }));
        const bypass = server.superuser ? 'a superuser' : server.bypassRls ? 'BYPASSRLS' : '';
        const connected = `todo-db is connected as ${server.user}${bypass ? `, ${bypass}: it bypasses RLS (right for maintenance, wrong for the application)` : ': RLS applies to it'}`;
        renderStatus(ctx.out, status, describeRlsStatus(status), named || appUrl !== undefined, connected);
        return status.ok ? 0 : 1;
      }),
    );

  rls
    .command('verify')
    .description('prove isolation as todo_app with two probe users, in a transaction that is always rolled back; exit 1 on any leak')
    .action(
      action(app, async (_options: object, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const { verifyRls } = await import('../../index.js');
        const result = await ctx.withDb('data', (handle) => verifyRls(handle));
        renderVerify(ctx.out, result);
        return result.ok ? 0 : 1;
      }),
    );
}

function renderFindings(out: Output, findings: readonly RlsFinding[]): void {
  for (const f of findings) {
    out.line(`  ${out.c.red('✗')} ${f.message}`);
    out.line(out.c.dim(`      fix: ${f.fix}`));
  }
}

function renderStatus(out: Output, status: RlsStatus, facts: Map<string, string>, appNamed: boolean, connected: string): void {
  out.document(status);
  out.table([...facts].map(([subject, text]) => [subject, out.c.dim(text)]));
  if (status.appRole) {
    const a = status.appRole;
    const attrs = a.exists ? [a.superuser ? 'SUPERUSER' : 'NOSUPERUSER', a.bypassRls ? 'BYPASSRLS' : 'NOBYPASSRLS', a.inheritsAppRole ? 'in todo_app' : 'not in todo_app', a.owns.length ? `owns ${a.owns.join(', ')}` : 'owns nothing'] : ['does not exist'];
    out.table([[`application role ${a.name}`, out.c.dim(`${attrs.join(' ')} (from ${a.source === 'app-url' ? 'the application URL' : '--app-role'})`)]]);
  }
  for (const note of status.notes) out.note(note);
  out.note(connected);
  if (!appNamed) out.note('no application role named (--app-url, --app-role or DATABASE_URL): its RLS bypass was not checked');
  renderFindings(out, status.findings);
  if (status.ok) out.result(`RLS intact: ${plural(status.tables.length, 'table')} forced, ${plural(status.policies.length, 'policy', 'policies')}${status.appRole ? `; ${status.appRole.name} is subject to it` : ''}.`);
  else out.result(`${plural(status.findings.length, 'problem')}. ${status.findings[0]?.fix ?? ''}`);
}

function renderApply(out: Output, result: ApplyRlsResult, superuser: boolean): void {
  out.document({ ok: result.remaining.length === 0, ...result });
  for (const change of result.changes) {
    out.line(`  ${out.c.green('✓')} ${change.subject}`);
    out.line(out.c.dim(`      before: ${change.before ?? '(none)'}`));
    out.line(out.c.dim(`      after:  ${change.after ?? '(none)'}`));
  }
  for (const statement of result.roleStatements) out.note(`ran as a superuser: ${statement}`);
  if (!superuser && result.remaining.some((f) => f.repair === 'superuser')) out.note('role attributes are left alone: only a superuser may change them');
  renderFindings(out, result.remaining);
  const done = !result.ranScript && result.roleStatements.length === 0 ? 'RLS setup intact: nothing to apply, nothing changed.' : `Applied: ${plural(result.changes.length, 'change')}.`;
  out.result(result.remaining.length === 0 ? done : `${done} ${plural(result.remaining.length, 'problem')} left: ${result.remaining[0]?.fix}`);
}

function renderVerify(out: Output, result: VerifyRlsResult): void {
  out.document(result);
  out.table(
    result.probes.map((p) => [
      `${p.pass ? out.c.green('✓') : out.c.red('✗')} ${p.id}`,
      out.c.dim(p.as),
      p.pass ? out.c.dim(p.observed) : `${out.c.red(p.observed)} ${out.c.dim(`(expected ${p.expected})`)}`,
    ]),
  );
  if (result.ok) out.result(`All ${result.probes.length} probes passed: todo_app sees and changes only its own user's rows. Rolled back; nothing changed.`);
  else out.result(`LEAK: ${result.failed.length} of ${result.probes.length} probes failed (${result.failed.join(', ')}). Rolled back. See \`todo-db rls status\`; \`todo-db rls apply\` restores the setup.`);
}
