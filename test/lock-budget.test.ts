import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { DdlLockBudgetError, migrateUp, migrationStatus, openDatabase, type LockRetryEvent, type TodoDatabase } from '../src/index.js';
import { startCli } from './support/cli.js';
import { copyMigrations } from './support/migrations-copy.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { CONCURRENT_INDEX } from './support/migration-snippets.js';

const ADD_COLUMN = `export async function up(db) {
  const { sql } = await import('kysely');
  await sql\`alter table tasks add column note text\`.execute(db);
}
export async function down(db) {
  const { sql } = await import('kysely');
  await sql\`alter table tasks drop column note\`.execute(db);
}
`;

const USER = '00000000-0000-4000-8000-0000000000b1';
/** Many times the 200 ms DDL lock timeout: an app query queued behind the migration for good would blow it. */
const APP_QUERY_BOUND_MS = 5_000;

async function withBound<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a lock budget for every DDL statement (PostgreSQL)', () => {
  let database: TestDatabase;
  let handle: TodoDatabase;
  let copy: ReturnType<typeof copyMigrations>;
  let blocker: pg.Client;
  let app: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase('locks');
    handle = await openDatabase({ url: database.url });
    await migrateUp(handle);
    await sql`insert into users (id, email) values (${USER}, 'locks@example.com')`.execute(handle.db);
    await sql`insert into tasks (user_id, title) select ${USER}, 'task ' || i from generate_series(1, 20) i`.execute(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    await database.drop();
  });
  beforeEach(async () => {
    blocker = new pg.Client({ connectionString: database.url, application_name: 'lock-test-blocker' });
    app = new pg.Client({ connectionString: database.url, application_name: 'lock-test-app' });
    await Promise.all([blocker.connect(), app.connect()]);
  });
  afterEach(async () => {
    await blocker.end().catch(() => undefined);
    await app.end().catch(() => undefined);
    copy?.remove();
  });

  const pid = async (client: pg.Client) => (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  /** The blocker opens a transaction that keeps a lock on tasks (a read, or a write) and goes idle. */
  const holdTasks = async (statement = 'select count(*) from tasks') => {
    await blocker.query('begin');
    await blocker.query(statement);
    return pid(blocker);
  };
  /** Undoes a test migration's bookkeeping so the next test starts where this one did. */
  const forget = async (name: string, undo: string) => {
    await sql.raw(undo).execute(handle.db);
    await sql`delete from kysely_migration where name = ${name}`.execute(handle.db);
    await sql`delete from todo_db_migration_checksum where name = ${name}`.execute(handle.db);
  };
  const hasNote = async () =>
    (
      await handle.db
        .selectFrom('information_schema.columns' as any)
        .select('column_name')
        .where('table_name', '=', 'tasks')
        .where('column_name', '=', 'note')
        .execute()
    ).length === 1;

  it('retries while an idle transaction holds tasks, names it, keeps app queries flowing, and applies once it ends', async () => {
    copy = copyMigrations({ '0007_add_note.js': ADD_COLUMN });
    const blockerPid = await holdTasks();
    const cli = startCli(['migrate', 'up', '--url', database.url, '--migrations-dir', copy.dir, '--ddl-lock-timeout', '0.2', '--ddl-lock-budget', '120']);
    try {
      await cli.waitFor(`held by pid ${blockerPid} (lock-test-blocker, idle in transaction`);
      await cli.waitFor('lock timeout on attempt');
      // The migration's ACCESS EXCLUSIVE request keeps coming back while the blocker stays;
      // without the lock timeout each of these reads would queue behind it until the blocker ends.
      for (let i = 0; i < 10; i++) {
        await withBound(app.query('select count(*) from tasks'), APP_QUERY_BOUND_MS, `app select ${i}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(cli.running()).toBe(true);
      expect(await hasNote()).toBe(false);
      await blocker.query('commit');
      expect(await cli.exited).toBe(0);
    } finally {
      await blocker.query('rollback').catch(() => undefined);
    }
    expect(cli.output()).toMatch(/0007_add_note\s+applied in .* after \d+ lock timeouts?/);
    expect(await hasNote()).toBe(true);
    expect((await migrationStatus(handle, { dir: copy.dir })).pending).toBe(0);
    await forget('0007_add_note', 'alter table tasks drop column note');
  });

  it('gives up when the budget is spent: exit 1, the blocker named, nothing applied', async () => {
    copy = copyMigrations({ '0007_add_note.js': ADD_COLUMN });
    const blockerPid = await holdTasks();
    const cli = startCli(['migrate', 'up', '--url', database.url, '--migrations-dir', copy.dir, '--ddl-lock-timeout', '0.1', '--ddl-lock-budget', '2']);
    expect(await cli.exited).toBe(1);
    const line = cli.output().trim().split('\n').at(-1)!;
    expect(line).toMatch(/^todo-db: migration 0007_add_note could not take its locks within the 2 s lock budget \(\d+ attempts, lock_timeout 100 ms each\) and was not applied/);
    expect(line).toContain(`blocked by pid ${blockerPid} (lock-test-blocker, idle in transaction`);
    expect(line).toContain(`pg_terminate_backend(${blockerPid})`);
    await blocker.query('rollback');
    expect(await hasNote()).toBe(false);
    expect((await migrationStatus(handle, { dir: copy.dir })).pending).toBe(1);
  });

  it('drops the invalid index a timed-out concurrent build leaves before it retries', async () => {
    copy = copyMigrations({ '0007_concurrent_index.js': CONCURRENT_INDEX });
    // A writer in an open transaction: CREATE INDEX CONCURRENTLY waits for it after creating the (invalid) index.
    await holdTasks(`update tasks set title = title where user_id = '${USER}'`);
    const events: LockRetryEvent[] = [];
    let sawInvalid = false;
    const run = migrateUp(handle, {
      dir: copy.dir,
      ddlLockTimeoutMs: 100,
      ddlLockBudgetMs: 60_000,
      onLockEvent: (event) => events.push(event),
    });
    const deadline = Date.now() + 20_000;
    while (!events.some((e) => e.kind === 'retry') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events.some((e) => e.kind === 'retry')).toBe(true);
    const invalid = await app.query(`select 1 from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'idx_tasks_title' and not i.indisvalid`);
    sawInvalid = invalid.rowCount === 1;
    await blocker.query('commit');
    const result = await run;
    expect(sawInvalid).toBe(true);
    expect(result.steps[0]?.lockRetries?.lockTimeouts).toBeGreaterThan(0);
    const { rows } = await app.query<{ valid: boolean }>(
      `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'idx_tasks_title'`,
    );
    expect(rows).toEqual([{ valid: true }]);
    await forget('0007_concurrent_index', 'drop index idx_tasks_title');
  });

  it('a concurrent build that runs out of budget says which invalid index it left', async () => {
    copy = copyMigrations({ '0007_concurrent_index.js': CONCURRENT_INDEX });
    await holdTasks(`update tasks set title = title where user_id = '${USER}'`);
    const error = await migrateUp(handle, { dir: copy.dir, ddlLockTimeoutMs: 100, ddlLockBudgetMs: 1_500 }).catch((e: unknown) => e);
    await blocker.query('rollback');
    expect(error).toBeInstanceOf(DdlLockBudgetError);
    expect((error as DdlLockBudgetError).message).toMatch(/left the invalid index idx_tasks_title behind/);
    expect((error as DdlLockBudgetError).hint).toMatch(/DROP INDEX CONCURRENTLY idx_tasks_title/);
    expect((await migrationStatus(handle, { dir: copy.dir })).pending).toBe(1);
    await sql`drop index concurrently idx_tasks_title`.execute(handle.db);
  });
});
