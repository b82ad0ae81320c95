import { sql } from 'kysely';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateUp, runHealth, type CheckResult, type HealthReport } from '../src/index.js';
import { openFresh } from './support/backends.js';
import { session, stateOf, until } from './support/health-fixtures.js';

/**
 * Session checks need other sessions, which only a server has (PGlite is one
 * in-process backend: health marks these n/a there, see health.test.ts). Every
 * induced session is bounded (statement and lock timeouts) and ended in afterEach.
 */
const check = (report: HealthReport, id: string): CheckResult => report.checks.find((c) => c.id === id)!;

describe('health session checks on postgres', () => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let clients: (pg.Client & { pid: number })[];
  let observer: pg.Client & { pid: number };
  beforeEach(async () => {
    fresh = await openFresh('postgres', 'health-sessions');
    await migrateUp(fresh.handle);
    clients = [];
    observer = await session(fresh.backend.url);
  });
  afterEach(async () => {
    for (const client of [...clients, observer]) await client.end().catch(() => undefined);
    await fresh?.close();
  });
  const open = async () => {
    const client = await session(fresh.backend.url);
    // Bounded whatever happens to the test: nothing waits or holds on for long.
    await client.query("set statement_timeout = '30s'; set lock_timeout = '30s'; set idle_in_transaction_session_timeout = '60s'");
    clients.push(client);
    return client;
  };

  it('warns on a long-running query, and fails past the fail threshold, naming the session', async () => {
    const sleeper = await open();
    const running = sleeper.query('select pg_sleep(25)').catch(() => undefined);
    await until(async () => (await stateOf(observer, sleeper.pid))?.state === 'active', 'the sleeping query');
    const warned = check(await runHealth(fresh.handle, { thresholds: { longQueryWarnSeconds: 0 } }), 'long-queries');
    expect(warned.status).toBe('warn');
    expect(warned.details.findings).toEqual([
      expect.objectContaining({ object: `pid ${sleeper.pid} (postgres, health-test)`, status: 'warn', message: expect.stringMatching(/running \d+ s: select pg_sleep\(25\)/) }),
    ]);
    const failed = check(await runHealth(fresh.handle, { thresholds: { longQueryWarnSeconds: 0, longQueryFailSeconds: 0 } }), 'long-queries');
    expect(failed.status).toBe('fail');
    await observer.query('select pg_cancel_backend($1)', [sleeper.pid]);
    await running;
  });

  it('warns on a session idle in transaction and on a query blocked by it, naming both', async () => {
    const { id: userId } = await fresh.handle.db.insertInto('users').values({ email: 'lock@example.com' }).returning('id').executeTakeFirstOrThrow();
    const holder = await open();
    await holder.query('begin');
    await holder.query('update users set name = $1 where id = $2', ['holder', userId]);
    const waiter = await open();
    const waiting = waiter.query('update users set name = $1 where id = $2', ['waiter', userId]).catch(() => undefined);
    await until(async () => (await stateOf(observer, waiter.pid))?.blocked === true, 'the blocked update');

    const report = await runHealth(fresh.handle, { thresholds: { idleInTransactionWarnSeconds: 0, blockedWarnSeconds: 0 } });
    const idle = check(report, 'idle-in-transaction');
    expect(idle.status).toBe('warn');
    expect(idle.details.findings).toEqual([
      expect.objectContaining({
        object: `pid ${holder.pid} (postgres, health-test)`,
        status: 'warn',
        message: expect.stringMatching(/^idle in transaction for \d+ s, last: update users/),
      }),
    ]);
    const blocked = check(report, 'blocked-queries');
    expect(blocked.status).toBe('warn');
    expect(blocked.details.findings).toEqual([
      expect.objectContaining({
        object: `pid ${waiter.pid} (postgres, health-test)`,
        status: 'warn',
        message: expect.stringContaining(`held by pid ${holder.pid} (postgres, health-test) (idle in transaction: update users`),
      }),
    ]);

    await holder.query('rollback');
    await waiting;
  });

  it('fails on an invalid index left by a failed CREATE UNIQUE INDEX CONCURRENTLY', async () => {
    const { id: userId } = await fresh.handle.db.insertInto('users').values({ email: 'dup@example.com' }).returning('id').executeTakeFirstOrThrow();
    await fresh.handle.db
      .insertInto('tasks')
      .values([
        { user_id: userId, title: 'same' },
        { user_id: userId, title: 'same' },
      ])
      .execute();
    // CONCURRENTLY cannot run in a transaction: a plain session of its own.
    const ddl = await open();
    await expect(ddl.query('create unique index concurrently idx_tasks_title_unique on tasks (title)')).rejects.toThrow(/could not create unique index/);
    const report = await runHealth(fresh.handle);
    const invalid = check(report, 'invalid-indexes');
    expect(invalid).toMatchObject({ status: 'fail', message: 'invalid: idx_tasks_title_unique' });
    expect(invalid.details.findings[0]).toMatchObject({ object: 'idx_tasks_title_unique', status: 'fail' });
    expect(report.ok).toBe(false);
    await sql`drop index idx_tasks_title_unique`.execute(fresh.handle.db);
    expect(check(await runHealth(fresh.handle), 'invalid-indexes').status).toBe('ok');
  });

  it('counts connections against max_connections', async () => {
    await open();
    const connections = check(await runHealth(fresh.handle, { thresholds: { connectionsWarnPercent: 0 } }), 'connections');
    expect(connections).toMatchObject({ status: 'warn', message: expect.stringMatching(/^\d+ of max_connections \d+/) });
  });
});
