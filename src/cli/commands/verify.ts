import type { Command } from 'commander';
import type { SchemaFinding, VerifyMigrationsResult, VerifyResult } from '../../index.js';
import { plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';

interface VerifyOptions {
  migrations?: boolean;
  snapshot?: string;
  allowExtension?: string[];
}

type VerifyRun = ({ mode: 'migrations' } & VerifyMigrationsResult) | ({ mode: 'schema' } & VerifyResult);

/** Registers `todo-db verify [--migrations]`. */
export function registerVerify(program: Command, app: App): void {
  program
    .command('verify')
    .description(
      'compare the live schema with the schema snapshot, over the whole catalog: tables, columns, constraints, indexes, triggers, functions, views, sequences, extensions, RLS, policies, grants, roles, settings',
    )
    .option('--migrations', 'instead: on a scratch database, apply every migration, verify, revert each (checking it leaves nothing), apply and verify again')
    .option('--snapshot <file>', "the schema snapshot to compare with (default: this package's schema/snapshot.json)")
    .option('--allow-extension <name...>', 'extensions that may be present without being in the snapshot (default: pg_stat_statements)')
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: VerifyOptions): Promise<VerifyRun> => {
          const lib = await import('../../index.js');
          const snapshot = lib.readSnapshot(options.snapshot ?? ctx.settings.snapshotPath);
          if (options.migrations) {
            const dir = ctx.global.migrationsDir !== undefined ? { dir: ctx.global.migrationsDir } : {};
            return { mode: 'migrations', ...(await ctx.withDb('schema', (db) => lib.verifyMigrations(db, { ...dir, snapshot }))) };
          }
          const allowed = options.allowExtension ? { allowedExtensions: options.allowExtension } : {};
          return { mode: 'schema', ...(await ctx.withDb('inspect', (db) => lib.verifySchema(db, { snapshot, ...allowed }))) };
        },
        render: (out, result) => (result.mode === 'migrations' ? renderMigrations(out, result) : renderFindings(out, result)),
        document: ({ mode: _mode, ...result }) => result,
      }),
    );
}

function renderFindings(out: Output, result: VerifyResult): void {
  for (const item of result.allowed) out.line(out.c.dim(`  ${item.message}`));
  const version = result.schemaVersion ? ` v${result.schemaVersion}` : '';
  if (result.ok) {
    out.result(`${out.c.green('✓')} schema matches the snapshot${version}`);
    return;
  }
  if (result.earlierVersion) {
    const { migration, version: earlier, upTo } = result.earlierVersion;
    out.result(
      `The database matches the schema after ${migration}${earlier !== 'unversioned' ? ` (v${earlier})` : ''}, not the latest${version}: run \`todo-db migrate up\` (through ${upTo.at(-1)}).`,
    );
    return;
  }
  findingLines(out, result.findings, '  ');
  out.result(
    `${plural(result.findings.length, 'difference')} from the schema snapshot${version}. ` +
      'Repair the database (the fix lines above), or change the schema through a new migration and `todo-db schema snapshot`.',
  );
}

/** Grouped by table; functions, roles and extensions under "database". */
function findingLines(out: Output, findings: SchemaFinding[], indent: string): void {
  const groups = new Map<string, SchemaFinding[]>();
  for (const f of findings) groups.set(f.details.table ?? 'database', [...(groups.get(f.details.table ?? 'database') ?? []), f]);
  for (const [group, list] of groups) {
    out.line(`${indent}${out.c.bold(group)}`);
    out.table(
      list.map((f) => [`${out.c.red('✗')} ${f.id}`, f.object, f.id === 'different' ? f.message.slice(f.object.length + 2) : f.message]),
      indent + '  ',
    );
    for (const f of list) if (f.fix) out.line(out.c.dim(`${indent}    fix ${f.object}: ${f.fix}`));
  }
}

const LABEL: Record<string, string> = { up: 'up', down: 'down', verify: 'verify against the snapshot', reapply: 'apply all again', reverify: 'verify again' };

function renderMigrations(out: Output, result: VerifyMigrationsResult): void {
  for (const step of result.steps) {
    const mark = step.ok ? out.c.green('✓') : out.c.red('✗');
    out.line(`  ${mark} ${LABEL[step.phase] ?? step.phase}${step.migration ? ` ${step.migration}` : ''}`);
    if (step.phase === 'verify' && !step.ok) findingLines(out, result.findings, '      ');
    else for (const problem of step.problems) out.line(out.c.dim(`      ${problem}`));
  }
  const failed = result.steps.filter((s) => !s.ok);
  if (failed.length === 0) {
    out.result(
      `${plural(result.migrations.length, 'migration')} apply, match the snapshot${result.schemaVersion ? ` v${result.schemaVersion}` : ''}, revert without a trace and apply again.`,
    );
    return;
  }
  const named = failed.map((s) => `${LABEL[s.phase] ?? s.phase}${s.migration ? ` ${s.migration}` : ''}`);
  out.result(
    `${plural(failed.length, 'step')} failed: ${named.join(', ')}. Fix ${failed.some((s) => s.migration) ? 'the migration named' : 'the migrations, or regenerate the snapshot'}, then run \`todo-db verify --migrations\` again.`,
  );
}
