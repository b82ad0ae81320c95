import { describe, expect, it } from 'vitest';
import { LOCKS_SQL, type LockRow } from '../../src/health/blockers.js';
import { rlsRole, TABLES_SQL, type Outcome } from '../../src/health/checks-contract.js';
import { unusedIndexes } from '../../src/health/checks-indexes.js';
import { DATABASE_SQL, serverVersion, type DatabaseRow } from '../../src/health/checks-server.js';
import { ACTIVITY_SQL, blockedQueries, idleInTransaction, type ActivityRow } from '../../src/health/checks-sessions.js';
import { cacheHit, seqScans, tableSizes, vacuum, type TableRow } from '../../src/health/checks-tables.js';
import {
  BLOAT_SQL,
  bloat,
  PREPARED_SQL,
  preparedTransactions,
  SEQUENCES_SQL,
  sequences,
  type BloatRow,
  type PreparedRow,
  type SequenceRow,
} from '../../src/health/checks-trouble.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../src/health/thresholds.js';
import type { CheckInput, HealthCheck, Verdict } from '../../src/health/types.js';
import { INDEXES_SQL, type IndexRow } from '../../src/monitor/index-verdicts.js';

/**
 * Each check's `evaluate` on fixture rows, without a database: the rows are what
 * its SQL file returns (sql/health/*.sql), so a threshold or message is tested in
 * milliseconds, at its edges. The SQL itself is tested on PostgreSQL in test/health*.test.ts.
 */
const SERVER = { version: 'PostgreSQL 15.20', versionNum: 150_020, user: 'postgres', database: 'todo', superuser: true, bypassRls: true, standby: false, readOnly: false };
const DAY = 86_400;

function evaluate<D>(
  check: HealthCheck<D>,
  rows: Record<string, unknown[]>,
  options: { data?: D; thresholds?: Partial<Thresholds>; server?: Partial<typeof SERVER> } = {},
): Verdict {
  const server = { ...SERVER, ...options.server };
  const input: CheckInput<D> = { rows: <R>(file: string) => (rows[file] ?? []) as R[], data: options.data as D, server, serverVersionNum: server.versionNum };
  return check.evaluate(input, { ...DEFAULT_THRESHOLDS, ...options.thresholds });
}

const table = (over: Partial<TableRow> = {}): TableRow => ({
  table: 'tasks',
  live: 1_000_000,
  dead: 0,
  seq_scans: 0,
  idx_scans: 5_000,
  modified_since_analyze: 0,
  analyzed_seconds_ago: 60,
  vacuumed_seconds_ago: 60,
  heap_hit: 0,
  heap_read: 0,
  idx_hit: 0,
  idx_read: 0,
  size_locked: false,
  table_bytes: 100 * 1024 * 1024,
  index_bytes: 50 * 1024 * 1024,
  ...over,
});
const index = (over: Partial<IndexRow> = {}): IndexRow => ({
  table: 'tasks',
  index: 'idx_tasks_title',
  primary: false,
  unique: false,
  valid: true,
  keys: '3',
  options: '0',
  opclasses: '3126',
  method: 'btree',
  expression: false,
  predicate: null,
  scans: 0,
  tuples_read: 0,
  bytes: 8192,
  oid: 1,
  ...over,
});
const database = (over: Partial<DatabaseRow> = {}): DatabaseRow => ({
  database: 'todo',
  xid_age: 1000,
  max_connections: 100,
  connections: 5,
  stats_age_seconds: 30 * DAY,
  ...over,
});

describe('server-version', () => {
  it('is ok from the minimum major on and warns below it', () => {
    expect(evaluate(serverVersion, {})).toMatchObject({ status: 'ok', value: 150_020, message: 'PostgreSQL 15.20' });
    expect(evaluate(serverVersion, {}, { server: { versionNum: 140_000 } }).status).toBe('ok');
    expect(evaluate(serverVersion, {}, { server: { versionNum: 130_011, version: 'PostgreSQL 13.11' } })).toMatchObject({ status: 'warn', message: 'PostgreSQL 13.11' });
  });
});

describe('unused-indexes', () => {
  const rows = (stats: number | null, live = 1_000_000) => ({
    [INDEXES_SQL]: [index()],
    [TABLES_SQL]: [table({ live })],
    [DATABASE_SQL]: [database({ stats_age_seconds: stats })],
  });
  it('warns on a never-scanned index of a large table once the statistics are old enough', () => {
    const verdict = evaluate(unusedIndexes, rows(30 * DAY));
    expect(verdict).toMatchObject({ status: 'warn', message: '1 never scanned (statistics 30 days old)' });
    expect(verdict.findings).toEqual([{ object: 'idx_tasks_title', status: 'warn', message: '0 scans, 8.19 kB on tasks' }]);
  });
  it('only reports (ok) with young or unknown statistics, or on a small table', () => {
    expect(evaluate(unusedIndexes, rows(DAY))).toMatchObject({ status: 'ok', message: expect.stringMatching(/too young to be sure/) });
    // stats_reset null: the age is unknown, not the server's uptime
    expect(evaluate(unusedIndexes, rows(null))).toMatchObject({ status: 'ok', message: expect.stringMatching(/statistics never reset: their age is unknown/) });
    expect(evaluate(unusedIndexes, rows(30 * DAY, 500)).status).toBe('ok');
  });
  it('ignores primary keys, unique and scanned indexes', () => {
    const verdict = evaluate(unusedIndexes, {
      [INDEXES_SQL]: [index({ primary: true, unique: true }), index({ index: 'b', unique: true }), index({ index: 'c', scans: 3 })],
      [DATABASE_SQL]: [database()],
    });
    expect(verdict).toMatchObject({ status: 'ok', message: 'every index has been scanned (statistics 30 days old)' });
  });
});

describe('seq-scans', () => {
  it('warns when sequential scans dominate on a large table past the minimum count', () => {
    const verdict = evaluate(seqScans, { [TABLES_SQL]: [table({ seq_scans: 500, idx_scans: 20 })] });
    expect(verdict).toMatchObject({ status: 'warn', message: 'dominate on tasks' });
    expect(verdict.findings?.[0]?.message).toBe('500 sequential vs 20 index scans on 1,000,000 rows');
  });
  it('is ok below the count, on a small table, or when index scans dominate', () => {
    for (const over of [
      { seq_scans: 99, idx_scans: 0 },
      { seq_scans: 500, idx_scans: 20, live: 9_999 },
      { seq_scans: 500, idx_scans: 501 },
    ]) {
      expect(evaluate(seqScans, { [TABLES_SQL]: [table(over)] }).status).toBe('ok');
    }
  });
});

describe('vacuum', () => {
  it('warns past the dead-row share and fails past the fail share', () => {
    const warned = evaluate(vacuum, { [TABLES_SQL]: [table({ live: 700_000, dead: 300_000 })] });
    expect(warned).toMatchObject({ status: 'warn', message: 'tasks: 30 % dead rows (300,000), vacuumed 60 s ago' });
    const failed = evaluate(vacuum, { [TABLES_SQL]: [table({ live: 400_000, dead: 600_000, vacuumed_seconds_ago: null })] });
    expect(failed).toMatchObject({ status: 'fail', message: 'tasks: 60 % dead rows (600,000), never vacuumed' });
  });
  it('warns on a large table never analyzed or much changed since, and ignores small tables', () => {
    expect(evaluate(vacuum, { [TABLES_SQL]: [table({ analyzed_seconds_ago: null })] }).findings?.[0]?.message).toMatch(/never analyzed/);
    expect(evaluate(vacuum, { [TABLES_SQL]: [table({ modified_since_analyze: 300_000 })] }).status).toBe('warn');
    expect(evaluate(vacuum, { [TABLES_SQL]: [table({ live: 10, dead: 9_000, analyzed_seconds_ago: null })] }).status).toBe('ok');
    expect(evaluate(vacuum, { [TABLES_SQL]: [table()] })).toMatchObject({ status: 'ok', message: 'autovacuum and analyze keep up' });
  });
});

describe('table-sizes', () => {
  it('reports the contract tables with data and index size, never warning', () => {
    const verdict = evaluate(tableSizes, {
      [TABLES_SQL]: [table(), table({ table: 'users', live: 10_000, table_bytes: 1024 * 1024, index_bytes: 1024 * 1024 }), table({ table: 'kysely_migration' })],
    });
    expect(verdict).toMatchObject({ status: 'ok', message: 'tasks 157 MB · users 2.1 MB' });
    expect(verdict.findings?.map((f) => f.object)).toEqual(['tasks', 'users']);
  });
  it('fails, naming the holder, when a table is under an ACCESS EXCLUSIVE lock', () => {
    const lock: LockRow = {
      granted: true,
      table: 'tasks',
      pid: 4242,
      gid: null,
      state: 'idle in transaction',
      user: 'postgres',
      application: 'psql',
      age_seconds: 42,
      query: 'lock table tasks',
    };
    const verdict = evaluate(tableSizes, { [TABLES_SQL]: [table({ size_locked: true, table_bytes: null, index_bytes: null })], [LOCKS_SQL]: [lock] });
    expect(verdict).toMatchObject({
      status: 'fail',
      message: 'sizes not read: blocked by a lock on tasks held by pid 4242 (postgres, psql), idle in transaction for 42 s: lock table tasks',
    });
    expect(verdict.fix).toMatch(/pg_terminate_backend\(4242\)/);
    const prepared = evaluate(tableSizes, { [TABLES_SQL]: [table({ size_locked: true })], [LOCKS_SQL]: [{ ...lock, pid: null, gid: 'tx-9', state: null, user: null }] });
    expect(prepared.message).toMatch(/held by prepared transaction 'tx-9' \(prepared 42 s ago\)/);
    expect(prepared.fix).toMatch(/ROLLBACK PREPARED 'tx-9'/);
  });
});

describe('cache-hit', () => {
  it('judges only after enough block reads', () => {
    expect(evaluate(cacheHit, { [TABLES_SQL]: [table({ heap_hit: 10, heap_read: 90 })] })).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/too little traffic yet to judge/),
    });
    expect(evaluate(cacheHit, { [TABLES_SQL]: [table({ heap_hit: 900, heap_read: 100, idx_hit: 1000 })] })).toMatchObject({ status: 'warn', value: 90 });
    expect(evaluate(cacheHit, { [TABLES_SQL]: [table({ heap_hit: 100_000, heap_read: 10, idx_hit: 100_000 })] }).status).toBe('ok');
  });
});

describe('sessions', () => {
  const activity = (over: Partial<ActivityRow>): ActivityRow => ({
    pid: 7,
    user: 'app',
    application: 'web',
    state: 'active',
    query_seconds: 1,
    state_seconds: 1,
    blocked_by: [],
    blocked_by_prepared: null,
    query: 'update tasks',
    ...over,
  });
  it('idle in transaction warns at the first threshold and fails at the second', () => {
    const rows = (s: number) => ({ [ACTIVITY_SQL]: [activity({ state: 'idle in transaction', state_seconds: s })] });
    expect(evaluate(idleInTransaction, rows(59)).status).toBe('ok');
    expect(evaluate(idleInTransaction, rows(60)).status).toBe('warn');
    expect(evaluate(idleInTransaction, rows(300)).status).toBe('fail');
  });
  it('a query blocked by a prepared transaction names it, never pid 0', () => {
    const verdict = evaluate(blockedQueries, { [ACTIVITY_SQL]: [activity({ query_seconds: 61, blocked_by: [0], blocked_by_prepared: ['tx-9'] })] });
    expect(verdict.status).toBe('fail');
    expect(verdict.message).toBe("1 blocked: pid 7 (app, web) waiting 61 s for a lock held by prepared transaction 'tx-9': update tasks");
  });
});

describe('prepared-transactions, sequences, bloat', () => {
  it('prepared transactions warn and fail by age, each with its COMMIT/ROLLBACK PREPARED', () => {
    const row = (age: number): PreparedRow => ({ gid: 'tx-1', owner: 'app', database: 'todo', xid: '991', age_seconds: age });
    expect(evaluate(preparedTransactions, { [PREPARED_SQL]: [row(10)] }).status).toBe('ok');
    expect(evaluate(preparedTransactions, { [PREPARED_SQL]: [row(60)] }).status).toBe('warn');
    const failed = evaluate(preparedTransactions, { [PREPARED_SQL]: [row(3600)] });
    expect(failed).toMatchObject({ status: 'fail', message: expect.stringMatching(/^1 left open: prepared transaction 'tx-1' prepared 60 min ago on todo by app/) });
    expect(failed.findings?.[0]?.fix).toMatch(/ROLLBACK PREPARED 'tx-1'/);
  });
  it('sequences warn at 75 % and fail at 90 % of the range, either direction', () => {
    const seq = (last: number, over: Partial<SequenceRow> = {}): SequenceRow => ({
      sequence: 's',
      column: 't.id',
      last_value: last,
      unused: false,
      increment_by: 1,
      min_value: 1,
      max_value: 101,
      ...over,
    });
    const status = (s: SequenceRow) => evaluate(sequences, { [SEQUENCES_SQL]: [s] }).status;
    expect([status(seq(70)), status(seq(76)), status(seq(91)), status(seq(101, { unused: true }))]).toEqual(['ok', 'warn', 'fail', 'ok']);
    expect(status(seq(-95, { increment_by: -1, min_value: -101, max_value: -1 }))).toBe('fail');
  });
  it('bloat is judged only past the minimum waste', () => {
    const row = (factor: number, mb: number): BloatRow => ({ kind: 'table', table: 'tasks', object: 'tasks', factor, waste_bytes: mb * 1024 * 1024 });
    const status = (r: BloatRow) => evaluate(bloat, { [BLOAT_SQL]: [r] }).status;
    expect([status(row(1.2, 500)), status(row(3, 500)), status(row(6, 500)), status(row(20, 5))]).toEqual(['ok', 'warn', 'fail', 'ok']);
    const index = evaluate(bloat, { [BLOAT_SQL]: [{ ...row(3, 50), kind: 'index', object: 'idx_tasks_title' }] });
    expect(index.findings?.[0]).toMatchObject({ object: 'idx_tasks_title (index on tasks)', fix: 'REINDEX INDEX CONCURRENTLY idx_tasks_title' });
  });
});

describe('rls-app-role', () => {
  const outcome = (over: Partial<Extract<Outcome, { available: true }>['result']>): Outcome => ({ available: true, result: { ok: true, findings: [], ...over } });
  it('is n/a with a hint when no application role is named, and fails with the finding and its own fix when it is', () => {
    expect(evaluate(rlsRole, {}, { data: outcome({}) })).toMatchObject({ status: 'n/a', message: expect.stringMatching(/--app-role NAME or --app-url URL/) });
    expect(evaluate(rlsRole, {}, { data: outcome({ appRole: { name: 'app' } }) }).status).toBe('ok');
    const failed = evaluate(
      rlsRole,
      {},
      {
        data: outcome({
          ok: false,
          appRole: { name: 'postgres' },
          findings: [
            { subject: 'postgres', message: 'the application connects as postgres, a superuser: RLS never applies', fix: 'connect as a login role granted todo_app' },
            { subject: 'postgres', message: 'the application role postgres owns tasks', fix: 'ALTER TABLE tasks OWNER TO x;' },
          ],
        }),
      },
    );
    expect(failed).toMatchObject({
      status: 'fail',
      message: 'the application connects as postgres, a superuser: RLS never applies (and 1 more)',
      fix: 'connect as a login role granted todo_app',
    });
  });
});
