import { randomUUID } from 'node:crypto';
import { sql, type Kysely as KyselyType } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProblemError, UnsupportedError, UsageError, archiveTasks, migrateUp, openDatabase, parseBatchSize, parseCutoff, withUser } from '../src/index.js';
import { appConnection } from './support/app-connection.js';
import { SERVER_BACKENDS, openFresh, type BackendName } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

const DAY = 86_400_000;

/** Tasks of one user: `due` completed ones last updated 100+ days ago, and others that must stay. */
async function addTasks(db: KyselyType<any>, userId: string, due: number): Promise<void> {
  await sql`
    insert into tasks (user_id, title, completed, created_at, updated_at)
    select ${userId}::uuid, 'old done ' || i, true, now() - interval '200 days', now() - interval '100 days' - i * interval '1 minute'
    from generate_series(1, ${due}::int) as i`.execute(db);
  await sql`
    insert into tasks (user_id, title, description, completed, created_at, updated_at) values
      (${userId}::uuid, 'recent done', null, true, now() - interval '200 days', now() - interval '1 day'),
      (${userId}::uuid, 'old but open', 'still to do', false, now() - interval '300 days', now() - interval '300 days')`.execute(db);
}

/** Every task row as text (archived_at aside), wherever it lives, sorted: equal means nothing lost, changed or doubled. */
async function everyTask(db: KyselyType<any>): Promise<string[]> {
  const { rows } = await sql<{ row: string }>`
    select row(id, user_id, title, description, completed, created_at, updated_at)::text as row from tasks
    union all
    select row(id, user_id, title, description, completed, created_at, updated_at)::text from tasks_archive
    order by 1`.execute(db);
  return rows.map((r) => r.row);
}

async function count(db: KyselyType<any>, table: 'tasks' | 'tasks_archive'): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return rows[0]!.n;
}

describe('--completed-before and --batch-size', () => {
  it('reads durations back from now and dates as midnight UTC', () => {
    expect(parseCutoff('90d')).toEqual({ input: '90d', interval: '90 days' });
    expect(parseCutoff('36h')).toEqual({ input: '36h', interval: '36 hours' });
    expect(parseCutoff('12w')).toEqual({ input: '12w', interval: '12 weeks' });
    expect(parseCutoff('6mo')).toEqual({ input: '6mo', interval: '6 months' });
    expect(parseCutoff('1 year')).toEqual({ input: '1 year', interval: '1 years' });
    expect(parseCutoff('2026-01-31')).toEqual({ input: '2026-01-31', date: new Date('2026-01-31T00:00:00Z') });
    expect(parseCutoff('2026-01-31T12:30+02:00')).toEqual({ input: '2026-01-31T12:30+02:00', date: new Date('2026-01-31T10:30:00Z') });
  });

  it.each([
    ['soon', /expects a duration .* or a date/],
    ['', /expects a duration/],
    ['0d', /would archive every completed task/],
    ['5m', /"m" is ambiguous: write 6mo for months/],
    ['-3d', /expects a duration/],
    ['2026-02-30', /no such day/],
    ['2026-01-31T12:00', /expects a duration/],
    ['90d; drop table tasks', /expects a duration/],
    ['9\u0000d', /expects a duration/],
  ])('refuses %j in one line', (input, message) => {
    expect(() => parseCutoff(input)).toThrow(UsageError);
    expect(() => parseCutoff(input)).toThrow(message);
  });

  it.each(['0', '-1', '1.5', '100001', 'ten', ''])('refuses a batch size of %j', (value) => {
    expect(() => parseBatchSize(value)).toThrow(/--batch-size expects a whole number from 1 to 100000/);
  });
});

describe.each(SERVER_BACKENDS)('archive on %s', (backend: BackendName) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let db: KyselyType<any>;
  const a = randomUUID();
  const b = randomUUID();

  beforeAll(async () => {
    fresh = await openFresh(backend, 'archive');
    db = fresh.handle.db;
    await migrateUp(fresh.handle);
  });
  afterAll(async () => {
    await fresh?.close();
  });
  beforeEach(async () => {
    await sql`delete from users`.execute(db);
    await db
      .insertInto('users')
      .values([
        { id: a, email: `a-${a}@example.com` },
        { id: b, email: `b-${b}@example.com` },
      ])
      .execute();
    await addTasks(db, a, 1500);
    await addTasks(db, b, 1000);
  });

  it('moves exactly the completed tasks last updated before the cutoff, in batches, and nothing else', async () => {
    const before = await everyTask(db);
    const batches: number[] = [];
    const result = await archiveTasks(fresh.handle, { completedBefore: '30d', batchSize: 1000, onBatch: (p) => batches.push(p.moved) });
    expect(result).toMatchObject({ pending: 2500, moved: 2500, batches: 3, remaining: 0, dryRun: false });
    expect(batches).toEqual([1000, 2000, 2500]);
    expect(await everyTask(db)).toEqual(before);
    expect(await count(db, 'tasks_archive')).toBe(2500);
    const left = await db.selectFrom('tasks').select(['title']).orderBy('title').execute();
    expect(left.map((t) => t.title)).toEqual(['old but open', 'old but open', 'recent done', 'recent done']);
    const archived = await sql<{ oldest: Date }>`select min(archived_at) as oldest from tasks_archive`.execute(db);
    expect(Date.now() - new Date(archived.rows[0]!.oldest).getTime()).toBeLessThan(DAY);
    // A second run finds nothing: resuming a finished run is a no-op.
    expect(await archiveTasks(fresh.handle, { completedBefore: '30d' })).toMatchObject({ pending: 0, moved: 0, batches: 0 });
  });

  it('with a date, moves what was last updated before that moment; a dry run only counts', async () => {
    // Half a minute before A's task 500 (tasks are a minute apart), as a timestamp with a zone.
    const { updated_at } = await db.selectFrom('tasks').select('updated_at').where('user_id', '=', a).where('title', '=', 'old done 500').executeTakeFirstOrThrow();
    const cutoff = new Date(new Date(updated_at).getTime() - 30_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const dry = await archiveTasks(fresh.handle, { completedBefore: cutoff, dryRun: true });
    // A: tasks 501..1500 are older; B: tasks 501..1000
    expect(dry).toMatchObject({ dryRun: true, moved: 0, pending: 1500 });
    expect(await count(db, 'tasks_archive')).toBe(0);
    const real = await archiveTasks(fresh.handle, { completedBefore: cutoff, batchSize: 400 });
    expect(real.moved).toBe(dry.pending);
    expect(real.oldest!.getTime()).toBeLessThan(real.newest!.getTime());
  });

  it('refuses a cutoff in the future, changing nothing', async () => {
    await expect(archiveTasks(fresh.handle, { completedBefore: '2999-01-01' })).rejects.toThrow(/is in the future/);
    expect(await count(db, 'tasks_archive')).toBe(0);
  });

  it('never overwrites or doubles: a task already archived fails its batch, and the batch moves nothing', async () => {
    const victim = await db.selectFrom('tasks').select(['id', 'user_id']).where('title', '=', 'old done 1500').executeTakeFirstOrThrow();
    await db
      .insertInto('tasks_archive')
      .values({ id: victim.id, user_id: victim.user_id, title: 'an earlier copy', completed: true, created_at: new Date(), updated_at: new Date() })
      .execute();
    const before = await count(db, 'tasks');
    await expect(archiveTasks(fresh.handle, { completedBefore: '30d', batchSize: 1000 })).rejects.toThrow(/tasks_archive_pkey/);
    expect(await count(db, 'tasks')).toBe(before);
    expect(await count(db, 'tasks_archive')).toBe(1);
  });

  it('keeps archived tasks apart per user, as todo_app: read and delete own, write nothing', async () => {
    await archiveTasks(fresh.handle, { completedBefore: '30d' });
    const intact = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());
    await intact(async () => {
      // Read as the maintenance role first: on PGlite the app shares this one session.
      const bTask = await db.selectFrom('tasks_archive').select('id').where('user_id', '=', b).executeTakeFirstOrThrow();
      const role = `tododb_archive_${process.pid}_${Date.now()}`;
      await sql.raw(`create role ${role} login nosuperuser nobypassrls; grant todo_app to ${role}`).execute(db);
      const app = await appConnection(backend, fresh.handle, fresh.backend.url, role);
      try {
        const seen = await withUser(app, a, (trx) => trx.selectFrom('tasks_archive').select('user_id').execute());
        expect(seen).toHaveLength(1500);
        expect(new Set(seen.map((r) => r.user_id))).toEqual(new Set([a]));
        expect(await withUser(app, a, (trx) => trx.selectFrom('tasks_archive').select('id').where('id', '=', bTask.id).execute())).toEqual([]);
        const stolen = await withUser(app, a, (trx) => trx.deleteFrom('tasks_archive').where('user_id', '=', b).executeTakeFirst());
        expect(Number(stolen.numDeletedRows)).toBe(0);
        await expect(withUser(app, a, (trx) => trx.updateTable('tasks_archive').set({ title: 'rewritten' }).where('user_id', '=', a).execute())).rejects.toMatchObject({
          code: '42501',
        });
        await expect(
          withUser(app, a, (trx) =>
            trx.insertInto('tasks_archive').values({ id: randomUUID(), user_id: a, title: 'forged', completed: true, created_at: new Date(), updated_at: new Date() }).execute(),
          ),
        ).rejects.toMatchObject({ code: '42501' });
        const mine = await withUser(app, a, (trx) => trx.deleteFrom('tasks_archive').where('title', '=', 'old done 1').executeTakeFirst());
        expect(Number(mine.numDeletedRows)).toBe(1);
        const nobody = await app.transaction().execute((trx) => trx.selectFrom('tasks_archive').select('id').execute());
        expect(nobody).toEqual([]);
        // The archive command itself refuses a role under RLS, rather than moving nothing.
        if (backend === 'postgres') {
          const appUrl = new URL(fresh.backend.url);
          appUrl.username = role;
          const asApp = await openDatabase({ url: appUrl.toString() });
          try {
            await expect(archiveTasks(asApp, { completedBefore: '1d' })).rejects.toThrow(/must run as the maintenance role/);
          } finally {
            await asApp.close();
          }
        }
      } finally {
        if (app !== db) await app.destroy();
        else await sql.raw('reset role').execute(db);
        await sql.raw(`drop owned by ${role}; drop role ${role}`).execute(db);
      }
    });
    expect(await count(db, 'tasks_archive')).toBe(2499);
  });

  it('says what to run when tasks_archive does not exist yet', async () => {
    const older = await openFresh(backend, 'archive-old');
    try {
      await migrateUp(older.handle, { to: '0004_row_level_security' });
      const error = await archiveTasks(older.handle, { completedBefore: '30d' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).message).toMatch(/, and (\w+, )*tasks_archive( and \w+)* do(es)? not exist here$/);
      expect((error as ProblemError).hint).toMatch(/todo-db migrate up/);
    } finally {
      await older.close();
    }
  });
});

describe('archive on pg-mem', () => {
  it('is refused: its data-modifying CTEs would not move tasks atomically', async () => {
    const handle = await openDatabase({ url: 'pgmem:' });
    try {
      await migrateUp(handle);
      await expect(archiveTasks(handle, { completedBefore: '30d' })).rejects.toThrow(UnsupportedError);
    } finally {
      await handle.close();
    }
  });
});
