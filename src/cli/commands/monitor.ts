import { InvalidArgumentError, Option, type Command } from 'commander';
import type { IndexesResult, QueriesResult } from '../../index.js';
import { formatBytes } from '../../health/format.js';
import { formatMs, plural, type Output } from '../output.js';
import type { App } from '../app.js';
import { handle } from '../command.js';
import type { CliContext } from '../context.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

export function registerMonitor(program: Command, app: App): void {
  const monitor = program.command('monitor').description("index usage and the query patterns' plans");

  monitor
    .command('indexes')
    .description('every index of users, tasks and tasks_archive: scans, tuples read, size, and used / unused / redundant / invalid')
    .action(
      handle(app, {
        run: async (ctx: CliContext) => {
          const { monitorIndexes } = await import('../../index.js');
          return ctx.withDb('inspect', (db) => monitorIndexes(db));
        },
        render: renderIndexes,
      }),
    );

  monitor
    .command('queries')
    .description('EXPLAIN (ANALYZE, BUFFERS) of the seven query patterns, in a rolled-back transaction: index used and time against target')
    .addOption(new Option('--limit <rows>', 'rows the list pattern asks for').default(50).argParser(positiveInteger))
    .action(
      handle(app, {
        run: async (ctx: CliContext, options: { limit: number }) => {
          const { monitorQueries, patternItems } = await import('../../index.js');
          const result = await ctx.withDb('inspect', (db) => monitorQueries(db, { limit: options.limit }));
          return { ...result, checks: patternItems(result.patterns) };
        },
        render: renderQueries,
      }),
    );
}

function renderIndexes(out: Output, result: IndexesResult): void {
  const paint = { used: out.c.green, unused: out.c.yellow, redundant: out.c.yellow, invalid: out.c.red } as const;
  out.table([
    ['table', 'index', 'scans', 'tuples read', 'size', 'verdict'].map((h) => out.c.dim(h)),
    ...result.indexes.map((i) => [
      i.table,
      i.index,
      i.scans.toLocaleString('en-US'),
      i.tuplesRead.toLocaleString('en-US'),
      formatBytes(i.bytes),
      paint[i.verdict](i.verdict) + (i.coveredBy.length ? out.c.dim(`: covered by ${i.coveredBy.join(', ')}`) : ''),
    ]),
  ]);
  const count = (v: string) => result.indexes.filter((i) => i.verdict === v).length;
  out.result(
    `${plural(result.indexes.length, 'index', 'indexes')}: ${count('used')} used, ${count('unused')} unused, ${count('redundant')} redundant, ${count('invalid')} invalid.`,
  );
  if (!result.ok) out.result('Next: DROP INDEX CONCURRENTLY each invalid index, fix the cause, and create it again.');
}

function renderQueries(out: Output, result: QueriesResult): void {
  if (result.note) out.note(result.note);
  out.table(
    result.patterns.map((p) => [
      out.status(p.status),
      `${p.id} ${p.name}`,
      p.root,
      p.indexes.join(', ') || (p.seqScans.length ? out.c.red(`seq scan ${p.seqScans.join(', ')}`) : out.c.dim('no index read')),
      p.executionMs === null ? out.c.dim(`target ${p.targetMs} ms`) : `${formatMs(p.executionMs)} / ${p.targetMs} ms`,
      p.problem ? out.c.yellow(p.problem) : p.note ? out.c.dim(p.note) : '',
    ]),
  );
  const failing = result.patterns.filter((p) => p.status === 'fail');
  if (!result.meaningful) out.result('Plans shown without execution: seed data first for meaningful plans.');
  else if (failing.length === 0) out.result(`All ${result.patterns.length} ${result.skipped.length ? 'read ' : ''}patterns on their expected indexes and within target.`);
  else
    out.result(
      `${plural(failing.length, 'pattern')} off target: ${failing.map((p) => p.id).join(', ')}. Next: check the indexes with \`todo-db verify\` and \`todo-db monitor indexes\`; run ANALYZE tasks.`,
    );
}
