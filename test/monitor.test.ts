import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_PATTERNS, UnsupportedError, migrateUp, monitorIndexes, monitorQueries } from '../src/index.js';
import { SERVER_BACKENDS, openFresh } from './support/backends.js';
import { fillTasks } from './support/health-fixtures.js';
import { sameAccessPath } from '../src/monitor/explain-plan.js';

/** 100k tasks: enough for the planner to prefer indexes, small enough for a shared machine. */
const USERS = 200;
const TASKS_PER_USER = 500;

describe.each(SERVER_BACKENDS)('monitor on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeAll(async () => {
    fresh = await openFresh(backend, 'monitor');
    await migrateUp(fresh.handle);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('says plans are not meaningful on an empty database', async () => {
    const result = await monitorQueries(fresh.handle);
    expect(result).toMatchObject({ ok: true, meaningful: false, note: expect.stringMatching(/not meaningful until data is seeded/) });
    expect(result.patterns.map((p) => [p.id, p.status, p.executionMs])).toEqual(QUERY_PATTERNS.map((p) => [p.id, 'n/a', null]));
  });

  it("lists every index of the contract's tables with a verdict; idx_tasks_user_id is redundant", async () => {
    const { ok, indexes } = await monitorIndexes(fresh.handle);
    expect(ok).toBe(true);
    expect(indexes.map((i) => i.index).sort()).toEqual(
      [
        ...[
          'idx_tasks_created_at',
          'idx_tasks_updated_at',
          'idx_tasks_user_completed',
          'idx_tasks_user_created',
          'idx_tasks_user_id',
          'idx_users_created_at',
          'idx_users_email',
          'tasks_pkey',
          'users_pkey',
        ],
        ...['idx_tasks_archive_user_archived', 'tasks_archive_pkey'],
        ...['accounts_pkey', 'idx_accounts_provider_account', 'idx_accounts_user_id', 'idx_sessions_token', 'idx_sessions_user_id', 'sessions_pkey'],
        ...['idx_verifications_identifier', 'verifications_pkey'],
      ].sort(),
    );
    expect(indexes.find((i) => i.index === 'idx_tasks_user_id')).toMatchObject({
      verdict: 'redundant',
      coveredBy: ['idx_tasks_user_completed', 'idx_tasks_user_created'],
      bytes: expect.any(Number),
    });
    expect(indexes.filter((i) => i.verdict === 'redundant').map((i) => i.index)).toEqual(['idx_tasks_user_id']);
    expect(indexes.find((i) => i.index === 'tasks_pkey')?.verdict).toBe('used');
  });

  it('with 100k tasks, runs all seven patterns on their expected indexes and changes nothing', async () => {
    await fillTasks(fresh.handle, USERS, TASKS_PER_USER);
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from tasks`.execute(fresh.handle.db)).rows[0]!.n);
    expect(await count()).toBe(USERS * TASKS_PER_USER);
    const result = await monitorQueries(fresh.handle);
    expect(result.meaningful).toBe(true);
    for (const p of result.patterns) {
      const expected = QUERY_PATTERNS.find((q) => q.id === p.id)!.expectedIndexes;
      const onIt = expected.length === 0 || p.indexes.some((i) => expected.includes(i));
      expect({ id: p.id, onExpectedIndex: p.onExpectedIndex, onIt, seqScans: p.seqScans }).toEqual({ id: p.id, onExpectedIndex: true, onIt: true, seqScans: [] });
    }
    expect(result.patterns.every((p) => typeof p.executionMs === 'number')).toBe(true);
    expect(result.patterns.map((p) => p.root)).toEqual(['Limit', expect.any(String), 'Insert', 'Update', 'Update', 'Delete', expect.any(String)]);
    expect(await count()).toBe(USERS * TASKS_PER_USER);
  });

  it("runs the patterns for a user with a typical number of tasks, not the newest task's owner", async () => {
    // A user with three tasks that are the newest of all: the old choice.
    const [few] = await fresh.handle.db.insertInto('users').values({ email: 'few-tasks@example.com' }).returning('id').execute();
    await fresh.handle.db
      .insertInto('tasks')
      .values([1, 2, 3].map((i) => ({ user_id: few!.id, title: `newest ${i}`, created_at: new Date(Date.now() + i * 1000) })))
      .execute();
    const result = await monitorQueries(fresh.handle);
    expect(result.userId).not.toBe(few!.id);
    expect(result.userTasks).toBe(TASKS_PER_USER);
  });

  it('reports pattern 1 when idx_tasks_user_created is gone', async () => {
    await sql`drop index idx_tasks_user_created`.execute(fresh.handle.db);
    const result = await monitorQueries(fresh.handle);
    const first = result.patterns.find((p) => p.id === 1)!;
    expect(first).toMatchObject({ status: 'fail', onExpectedIndex: false, problem: expect.stringMatching(/expected idx_tasks_user_created/) });
    expect(result.ok).toBe(false);
  });
});

describe('same access path', () => {
  const catalog = new Map([
    ['idx_tasks_user_id', { name: 'idx_tasks_user_id', method: 'btree', leading: 'user_id' }],
    ['idx_tasks_user_completed', { name: 'idx_tasks_user_completed', method: 'btree', leading: 'user_id' }],
    ['idx_tasks_created_at', { name: 'idx_tasks_created_at', method: 'btree', leading: 'created_at' }],
    ['hash_user', { name: 'hash_user', method: 'hash', leading: 'user_id' }],
  ]);
  it('accepts another index with the same leading column and method read by an index scan, and nothing else', () => {
    const expected = ['idx_tasks_user_completed'];
    expect(sameAccessPath({ index: 'idx_tasks_user_id', node: 'Index Only Scan' }, expected, catalog)).toBe('idx_tasks_user_completed');
    expect(sameAccessPath({ index: 'idx_tasks_user_id', node: 'Index Scan' }, expected, catalog)).toBe('idx_tasks_user_completed');
    expect(sameAccessPath({ index: 'idx_tasks_user_id', node: 'Bitmap Index Scan' }, expected, catalog)).toBeUndefined();
    expect(sameAccessPath({ index: 'idx_tasks_created_at', node: 'Index Scan' }, expected, catalog)).toBeUndefined();
    expect(sameAccessPath({ index: 'hash_user', node: 'Index Scan' }, expected, catalog)).toBeUndefined();
    // The expected index is gone: that is a finding, not a coin toss.
    expect(sameAccessPath({ index: 'idx_tasks_user_id', node: 'Index Scan' }, ['idx_tasks_user_created'], catalog)).toBeUndefined();
  });
});

describe('monitor on pgmem', () => {
  it('says it needs a catalog', async () => {
    const fresh = await openFresh('pgmem', 'monitor');
    try {
      await expect(monitorIndexes(fresh.handle)).rejects.toThrow(UnsupportedError);
      await expect(monitorQueries(fresh.handle)).rejects.toThrow(/needs PostgreSQL's catalog/);
    } finally {
      await fresh.close();
    }
  });
});
