import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { readSql } from '../sql-file.js';
import { QUERY_PATTERNS, type PatternParams, type QueryPattern } from '../queries/patterns.js';
import type { Database } from '../schema.js';
import { sameAccessPath, summarizePlan, type IndexShape, type PlanNode } from './explain-plan.js';
import { requireCapabilities } from '../connection/capabilities.js';

export interface PatternReport {
  id: number;
  name: string;
  kind: QueryPattern['kind'];
  targetMs: number;
  expectedIndexes: readonly string[];
  /** plan root: Limit, Sort, Insert, Update, ... */
  root: string;
  indexes: string[];
  seqScans: string[];
  onExpectedIndex: boolean;
  /** EXPLAIN ANALYZE execution time, the better of two runs (one for the delete); null when the plan was not executed (empty database) */
  executionMs: number | null;
  withinTarget: boolean | null;
  /** n/a on an empty database, where plans say nothing about production */
  status: 'ok' | 'fail' | 'n/a';
  problem: string | null;
  /** ok, but on another index with the same leading column and access path as the expected one: both named */
  note: string | null;
}

export interface QueriesResult {
  ok: boolean;
  /** false on a database without tasks: plans are not meaningful until data is seeded */
  meaningful: boolean;
  note: string | null;
  /** the user the patterns ran for: one with a typical number of tasks (sql/monitor/pattern-params.sql) */
  userId: string;
  /** how many tasks that user has (counted up to 10,000); null when picked as the newest task's owner */
  userTasks: number | null;
  patterns: PatternReport[];
  /** a standby (read-only): only the read patterns ran; these did not */
  skipped: { id: number; name: string }[];
}

export interface QueriesOptions {
  /** the patterns to explain (default QUERY_PATTERNS) */
  patterns?: readonly QueryPattern[];
  /** rows requested by the list pattern */
  limit?: number;
}

class Rollback extends Error {}

/**
 * Runs each query pattern through EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) for a
 * real task and its owner, inside one transaction that is rolled back, so the
 * write patterns change nothing. Reports the index each plan uses against the
 * one schema.md names, and the time against its target.
 */
export async function monitorQueries(database: TodoDatabase, options: QueriesOptions = {}): Promise<QueriesResult> {
  requireCapabilities(database, ['catalog', 'statistics'], 'monitor queries');
  let result: QueriesResult | undefined;
  await database.db
    .transaction()
    .execute(async (trx) => {
      const picked = (await sql.raw<{ task_id: string; user_id: string; user_tasks: number | null }>(readSql('monitor/pattern-params.sql')).execute(trx)).rows[0];
      const catalog = await indexShapes(trx);
      const meaningful = picked !== undefined;
      const params: PatternParams = { userId: picked?.user_id ?? randomUUID(), taskId: picked?.task_id ?? randomUUID(), limit: options.limit ?? 50 };
      // The plan the app gets: its policies see this user (owners bypassing RLS ignore it).
      if (database.capabilities.rls) await sql`select set_config('app.current_user_id', ${params.userId}, true)`.execute(trx);
      const patterns: PatternReport[] = [];
      const all = options.patterns ?? QUERY_PATTERNS;
      // A standby takes no write, not even one rolled back: EXPLAIN ANALYZE of an insert fails there.
      const runnable = database.server.readOnly ? all.filter((p) => !p.writes) : all;
      for (const pattern of runnable) patterns.push(await explain(trx, pattern, params, meaningful, catalog));
      const skipped = all.filter((p) => !runnable.includes(p)).map((p) => ({ id: p.id, name: p.name }));
      const notes = [
        ...(meaningful ? [] : ['the database has no tasks: plans are not meaningful until data is seeded (`todo-db seed --users N --tasks-per-user M`)']),
        ...(skipped.length
          ? [
              `read patterns only: this server is ${database.server.standby ? 'a standby' : 'read-only'}, so the ${skipped.length} write patterns (${skipped.map((p) => p.id).join(', ')}) did not run; run monitor queries on the primary for them`,
            ]
          : []),
      ];
      result = {
        ok: patterns.every((p) => p.status !== 'fail'),
        meaningful,
        note: notes.length ? notes.join('; ') : null,
        skipped,
        userId: params.userId,
        userTasks: picked?.user_tasks ?? null,
        patterns,
      };
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result!;
}

/** Each index of tasks: method and first column, for telling a coin toss from a missing index. */
async function indexShapes(trx: Kysely<Database>): Promise<Map<string, IndexShape>> {
  const { rows } = await sql<IndexShape>`
    select c.relname as name, am.amname as method, a.attname as leading
    from pg_index i
    join pg_class c on c.oid = i.indexrelid
    join pg_am am on am.oid = c.relam
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
    where i.indrelid = 'tasks'::regclass`.execute(trx);
  return new Map(rows.map((r) => [r.name, r]));
}

async function explain(trx: Kysely<Database>, pattern: QueryPattern, params: PatternParams, analyze: boolean, catalog: ReadonlyMap<string, IndexShape>): Promise<PatternReport> {
  const compiled = pattern.build(trx, params).compile();
  // Without data there is no real user, so inserting would break the foreign key: plan only.
  const explainOptions = analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON';
  let warmMs: number | undefined;
  if (analyze) {
    // One run first: the first call in a session pays for compiling the
    // trigger functions and the foreign key's query (tens of ms on PGlite), which the
    // app's long-lived connections pay once, not per request. Its writes go with the
    // rollback of the whole run; a delete warms up on a task id that does not exist, so
    // the measured one still has its row (no savepoint: on PGlite, writes after a
    // rolled-back savepoint slow down).
    const deletes = /^\s*delete\b/i.test(compiled.sql);
    const warm = deletes ? pattern.build(trx, { ...params, taskId: randomUUID() }).compile() : compiled;
    const { rows: first } = await trx.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${warm.sql}`, [...warm.parameters]));
    // Same statement, same row: its time is a second sample (the best of two, so one
    // stall of a busy machine does not fail a pattern).
    if (!deletes) warmMs = executionTime(first[0]?.['QUERY PLAN']);
  }
  const { rows } = await trx.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`EXPLAIN (${explainOptions}) ${compiled.sql}`, [...compiled.parameters]));
  const raw = rows[0]?.['QUERY PLAN'];
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode; 'Execution Time'?: number }];
  const plan = summarizePlan(doc[0].Plan);
  const measured = doc[0]['Execution Time'] ?? null;
  const executionMs = measured === null || warmMs === undefined ? measured : Math.min(measured, warmMs);
  const onExpectedIndex = pattern.expectedIndexes.length ? plan.indexes.some((i) => pattern.expectedIndexes.includes(i)) && plan.seqScans.length === 0 : plan.seqScans.length === 0;
  const withinTarget = executionMs === null ? null : executionMs <= pattern.targetMs;
  const standIn =
    onExpectedIndex || plan.seqScans.length
      ? undefined
      : plan.scans.map((scan) => ({ scan, expected: sameAccessPath(scan, pattern.expectedIndexes, catalog) })).find((x) => x.expected);
  const note = standIn
    ? `uses ${standIn.scan.index} (${standIn.scan.node}), not ${standIn.expected}: both start with ${catalog.get(standIn.expected!)?.leading} and are read the same way, so the planner's pick between them is a matter of close costs`
    : null;
  const problem =
    !onExpectedIndex && !standIn
      ? plan.seqScans.length
        ? `sequential scan on ${plan.seqScans.join(', ')}${pattern.expectedIndexes.length ? `; expected ${pattern.expectedIndexes.join(' or ')}` : ''}`
        : `uses ${plan.indexes.join(', ') || 'no index'}; expected ${pattern.expectedIndexes.join(' or ')}`
      : withinTarget === false
        ? `${executionMs!.toFixed(1)} ms, over the ${pattern.targetMs} ms target`
        : null;
  return {
    id: pattern.id,
    name: pattern.name,
    kind: pattern.kind,
    targetMs: pattern.targetMs,
    expectedIndexes: pattern.expectedIndexes,
    root: plan.root,
    indexes: plan.indexes,
    seqScans: plan.seqScans,
    onExpectedIndex,
    executionMs,
    withinTarget,
    status: !analyze ? 'n/a' : problem ? 'fail' : 'ok',
    problem,
    note,
  };
}

function executionTime(raw: unknown): number | undefined {
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ 'Execution Time'?: number }] | undefined;
  return doc?.[0]?.['Execution Time'];
}
