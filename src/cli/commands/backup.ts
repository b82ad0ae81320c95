import type { Command } from 'commander';
import type { BackupProgress, BackupResult, BackupVerification, SchemaCheck } from '../../index.js';
import { formatBytes } from '../../health/format.js';
import { formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';

interface BackupOptions {
  out?: string;
  verify?: boolean;
}

/** Registers `todo-db backup [--out FILE] [--verify]`. */
export function registerBackup(program: Command, app: App): void {
  program
    .command('backup')
    .description('dump the database into one file (pg_dump custom format; PGlite: an SQL script); --verify proves it restores')
    .option('--out <file>', 'the backup file (default: todo-db-<db>-YYYYMMDD-HHMMSS.dump in the current folder); never overwritten')
    .option('--verify', 'restore the new backup into a scratch database, check schema and rows, drop the scratch database')
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: BackupOptions) => {
          const { backupDatabase } = await import('../../index.js');
          const progress = progressLine(ctx);
          try {
            const result = await ctx.withDb('schema', (db) => backupDatabase(db, { ...options, onProgress: progress.update }));
            return { ...result, ok: result.verification ? result.verification.ok : true };
          } finally {
            progress.clear();
          }
        },
        render,
      }),
    );
}

function render(out: Output, result: BackupResult): void {
  const v = result.verification;
  const c = out.c;
  out.table([
    [
      `${c.green('✓')} backup`,
      `${result.file} ${c.dim(`· ${formatBytes(result.bytes)} · ${result.format === 'custom' ? 'pg_dump custom format' : 'SQL script'} · ${formatMs(result.durationMs)}`)}`,
    ],
    ...result.tables.map((t) => [`${c.green('✓')} ${t.table}`, plural(t.rows, 'row')]),
  ]);
  if (!v) {
    out.result(`Backup written to ${result.file}. Prove it restores: \`todo-db backup --verify\`, or \`todo-db restore FILE --url <empty database>\`.`);
    return;
  }
  renderVerification(out, v);
  if (v.ok) out.result(`Backup written to ${result.file} and verified: it restores, the schema checks out, and every row of users, tasks and tasks_archive is identical.`);
  else out.result(`Backup written to ${result.file}, but it did NOT verify (see above). Do not rely on it; check the source with \`todo-db verify\`.`);
}

export function renderVerification(out: Output, v: BackupVerification): void {
  const c = out.c;
  const mark = (ok: boolean) => (ok ? c.green('✓') : c.red('✗'));
  out.line(c.dim('verification'));
  out.table([
    [`${c.green('✓')} scratch`, `${v.scratch} ${c.dim('· removed')}`],
    [`${mark(v.schema.ok)} schema`, schemaLine(out, v.schema)],
    ...v.tables.map((t) => [
      `${mark(t.ok)} ${t.table}`,
      `${plural(t.restored, 'row')} restored of ${t.source.toLocaleString('en-US')}${t.ok ? c.dim(' · identical') : c.red(' · rows differ')}`,
    ]),
  ]);
  renderFindings(out, v.schema);
}

export function schemaLine(_out: Output, schema: SchemaCheck): string {
  const m = schema.migrations;
  const history = `${plural(m.applied, 'migration')} applied${m.pending ? `, ${m.pending} pending` : ''}${m.edited ? `, ${m.edited} edited` : ''}`;
  return schema.ok ? `matches contract v${schema.contractVersion} · ${history}` : `${plural(schema.findings.length, 'finding')} · ${history}`;
}

export function renderFindings(out: Output, schema: SchemaCheck): void {
  for (const f of schema.findings.slice(0, 10)) out.line(`      ${out.c.red('✗')} ${f.object ? `${f.object}: ` : ''}${f.message}`);
  if (schema.findings.length > 10) out.line(out.c.dim(`      … ${schema.findings.length - 10} more (run \`todo-db verify --url <restored database>\`)`));
}

/** One self-rewriting line on stderr while the dump runs; only for a person at a terminal. */
function progressLine(ctx: CliContext): { update: (p: BackupProgress) => void; clear: () => void } {
  const enabled = process.stderr.isTTY === true && !ctx.global.json && !ctx.global.quiet;
  let shown = false;
  let lastDetail: string | undefined;
  return {
    update: (p) => {
      if (p.detail !== lastDetail && p.detail) ctx.out.debug(p.detail);
      lastDetail = p.detail;
      if (!enabled) return;
      const what = p.phase === 'dump' ? `dumping · ${formatBytes(p.bytes)}` : 'verifying';
      process.stderr.write(`\r\u001b[K  ${ctx.out.c.dim(`${what}${p.detail ? ` · ${p.detail}` : ''}`)}`);
      shown = true;
    },
    clear: () => {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}
