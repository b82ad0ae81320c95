import type { Command } from 'commander';
import type { Finding, VerifyMigrationsResult, VerifyResult } from '../../index.js';
import { plural, type Output } from '../../output/output.js';
import { action, type App } from '../app.js';
import { CliContext } from '../context.js';

interface VerifyOptions {
  migrations?: boolean;
}

/** Registers `todo-db verify [--migrations]`. */
export function registerVerify(program: Command, app: App): void {
  program
    .command('verify')
    .description('compare the live schema with the contract: tables, columns, constraints, indexes, triggers, RLS, policies, grants, the app role')
    .option('--migrations', 'instead: on a scratch database, apply every migration, verify, revert each (checking it leaves nothing), apply and verify again')
    .action(
      action(app, async (options: VerifyOptions, command: Command) => {
        const ctx = CliContext.from(command, app.secrets);
        const lib = await import('../../index.js');
        if (options.migrations) {
          const dir = ctx.global.migrationsDir !== undefined ? { dir: ctx.global.migrationsDir } : {};
          const result = await ctx.withDb('schema', (handle) => lib.verifyMigrations(handle, dir));
          renderMigrations(ctx.out, result);
          return result.ok ? 0 : 1;
        }
        const result = await ctx.withDb('inspect', (handle) => lib.verifySchema(handle));
        renderFindings(ctx.out, result);
        return result.ok ? 0 : 1;
      }),
    );
}

function renderFindings(out: Output, result: VerifyResult): void {
  out.document({ ok: result.ok, contractVersion: result.contractVersion, findings: result.findings, earlierVersion: result.earlierVersion });
  if (result.ok) {
    out.result(`${out.c.green('✓')} schema matches contract v${result.contractVersion}`);
    return;
  }
  if (result.earlierVersion) {
    const { version, upTo } = result.earlierVersion;
    out.result(`The database is exactly contract v${version}, not v${result.contractVersion}: run \`todo-db migrate up\` (through ${upTo.at(-1)}).`);
    return;
  }
  findingLines(out, result.findings, '  ');
  out.result(
    `${plural(result.findings.length, 'difference')} from contract v${result.contractVersion}. ` +
      'Repair the database (the fix lines above), or change the schema through a new migration and the contract together.',
  );
}

/** Grouped by table; functions and the role under "database". */
function findingLines(out: Output, findings: Finding[], indent: string): void {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.table ?? 'database', [...(groups.get(f.table ?? 'database') ?? []), f]);
  for (const [group, list] of groups) {
    out.line(`${indent}${out.c.bold(group)}`);
    out.table(
      list.map((f) => [`${out.c.red('✗')} ${f.kind}`, f.object, f.kind === 'different' ? f.message.slice(f.object.length + 2) : f.message]),
      indent + '  ',
    );
    for (const f of list) if (f.fix) out.line(out.c.dim(`${indent}    fix ${f.object}: ${f.fix}`));
  }
}

const LABEL: Record<string, string> = { up: 'up', down: 'down', verify: 'verify against the contract', reapply: 'apply all again', reverify: 'verify again' };

function renderMigrations(out: Output, result: VerifyMigrationsResult): void {
  out.document(result);
  for (const step of result.steps) {
    const mark = step.ok ? out.c.green('✓') : out.c.red('✗');
    out.line(`  ${mark} ${LABEL[step.phase] ?? step.phase}${step.migration ? ` ${step.migration}` : ''}`);
    if (step.phase === 'verify' && !step.ok) findingLines(out, result.findings, '      ');
    else for (const problem of step.problems) out.line(out.c.dim(`      ${problem}`));
  }
  const failed = result.steps.filter((s) => !s.ok);
  if (failed.length === 0) {
    out.result(`${plural(result.migrations.length, 'migration')} apply, match contract v${result.contractVersion}, revert without a trace and apply again.`);
    return;
  }
  const named = failed.map((s) => `${LABEL[s.phase] ?? s.phase}${s.migration ? ` ${s.migration}` : ''}`);
  out.result(`${plural(failed.length, 'step')} failed: ${named.join(', ')}. Fix ${failed.some((s) => s.migration) ? 'the migration named' : 'the migrations or the contract'}, then run \`todo-db verify --migrations\` again.`);
}
