import { sql, type Transaction } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  UsageError,
  asUser,
  countTasksByStatus,
  createTask,
  deleteTask,
  listIncompleteTasks,
  listTasks,
  openDatabase,
  toggleTask,
  updateTask,
  withUser,
  type Database,
  type TodoDatabase,
} from '../src/index.js';
import { TEMPLATES } from '../src/queries/templates.js';
import { openRlsFixture, type RlsFixture } from './support/rls-fixture.js';

/**
 * The plan cache (docs/plan-cache.md) on a real server, as a LOGIN role in
 * todo_app so row-level security applies: the seven patterns run as prepared
 * statements, a generic plan serves every user without leaking one user's rows
 * to another, and a statement gone stale (DISCARD ALL, a new column) is prepared
 * again instead of failing forever.
 */
describe('the plan cache on PostgreSQL', () => {
  let fx: RlsFixture;
  let fresh: RlsFixture['fresh'];
  let roleUrl: string;
  let A: string;
  let B: string;
  let cached: TodoDatabase;

  /** The prepared statements of the session `query` runs on (pg_prepared_statements is per session). */
  const prepared = async (database: TodoDatabase) =>
    (
      await sql<{ name: string; statement: string; generic_plans: number; custom_plans: number }>`
        select name, statement, generic_plans::int, custom_plans::int from pg_prepared_statements where name like 'todo_db_%' order by name`.execute(database.db)
    ).rows;

  beforeAll(async () => {
    fx = await openRlsFixture('plancache');
    ({ fresh, roleUrl, A, B } = fx);
    cached = await openDatabase({ url: roleUrl, preparedStatements: true });
  });
  afterAll(async () => {
    await cached?.close();
    await fx?.close();
  });

  it('runs the patterns inside withUser as prepared statements, planned once, and a generic plan still sees only its own user', async () => {
    const mine = await withUser(cached.db, A, (trx) => createTask(trx, { user_id: A, title: 'mine' }));
    try {
      // First in the callback: opened together with the transaction, `execute` of an SQL-level statement.
      for (let i = 0; i < 12; i++) expect((await withUser(cached.db, A, (trx) => listTasks(trx, A, 10))).map((t) => t.id)).toEqual([mine.id]);
      // After another statement: a protocol-level named statement.
      for (let i = 0; i < 12; i++) {
        const listed = await withUser(cached.db, A, async (trx) => {
          await sql`select 1`.execute(trx);
          return listTasks(trx, A, 10);
        });
        expect(listed.map((t) => t.id)).toEqual([mine.id]);
      }
      // One connection served every call, so its statements tell the story.
      expect(cached.raw.kind === 'postgres' && (cached.raw.pool as unknown as pg.Pool).totalCount).toBe(1);
      const statements = await prepared(cached);
      const listSql = TEMPLATES.list().compiled.sql;
      const sqlLevel = statements.find((s) => s.name.endsWith('_q') && s.statement.includes(`as ${listSql};`));
      const protocol = statements.find((s) => s.statement === listSql);
      expect({ sqlLevel, protocol }, JSON.stringify(statements)).toEqual({
        sqlLevel: expect.objectContaining({ custom_plans: 5, generic_plans: 7 }),
        protocol: expect.objectContaining({ custom_plans: 5, generic_plans: 7 }),
      });
      // The same cached plans for B: RLS's current_setting is read at execution, not planning.
      expect((await withUser(cached.db, B, (trx) => listTasks(trx, B, 10))).map((t) => t.title)).toEqual(['b only']);
      expect(await withUser(cached.db, B, (trx) => listTasks(trx, A, 10))).toEqual([]);
      expect(
        await withUser(cached.db, B, async (trx) => {
          await sql`select 1`.execute(trx);
          return listTasks(trx, A, 10);
        }),
      ).toEqual([]);
    } finally {
      await fresh.handle.db.deleteFrom('tasks').where('id', '=', mine.id).execute();
    }
  });

  it('answers all seven patterns as without the cache, on both paths, for the user only', async () => {
    const plain = await openDatabase({ url: roleUrl });
    try {
      for (const database of [cached, plain]) {
        const general = {
          create: (title: string) => withUser(database.db, A, (trx) => createTask(trx, { user_id: A, title })),
          toggle: (user: string, id: string) => withUser(database.db, user, (trx) => toggleTask(trx, id, user)),
        };
        const me = asUser(database, A);
        const first = await general.create('first');
        const second = await me.createTask({ title: 'second', description: 'detail' });
        expect(await general.toggle(A, second.id)).toBe(true);
        expect(await general.toggle(B, second.id)).toBe(false);
        expect((await me.listIncompleteTasks()).map((t) => t.id)).toEqual([first.id]);
        expect((await withUser(database.db, A, (trx) => listIncompleteTasks(trx, A))).map((t) => t.id)).toEqual([first.id]);
        expect(await me.countTasksByStatus()).toEqual({ completed: 1, open: 1 });
        expect(await withUser(database.db, A, (trx) => countTasksByStatus(trx, A))).toEqual({ completed: 1, open: 1 });
        expect(await withUser(database.db, A, (trx) => updateTask(trx, first.id, A, { title: 'edited', description: null }))).toMatchObject({ title: 'edited' });
        expect(await asUser(database, B).updateTask(first.id, { title: 'stolen', description: null })).toBeUndefined();
        expect(await asUser(database, B).deleteTask(first.id)).toBe(false);
        expect((await asUser(database, B).listTasks(10)).map((t) => t.title)).toEqual(['b only']);
        expect(await me.deleteTask(first.id)).toBe(true);
        expect(await withUser(database.db, A, (trx) => deleteTask(trx, second.id, A))).toBe(true);
        expect(await me.countTasksByStatus()).toEqual({ completed: 0, open: 0 });
      }
      // Only the cached database prepared anything.
      expect((await prepared(plain)).length).toBe(0);
      expect((await prepared(cached)).some((s) => s.name.endsWith('_q'))).toBe(true);
    } finally {
      await plain.close();
    }
  });

  it('prepares again after DISCARD ALL and after a migration changes a column type, instead of failing on every call; a new column changes nothing', async () => {
    const me = asUser(cached, A);
    const task = await me.createTask({ title: 'survives' });
    await me.listTasks(5);
    await sql.raw('discard all').execute(cached.db);
    expect((await me.listTasks(5)).map((t) => t.id)).toEqual([task.id]);
    expect((await withUser(cached.db, A, (trx) => listTasks(trx, A, 5))).map((t) => t.id)).toEqual([task.id]);

    const second = (trx: Transaction<Database>) => sql`select 1`.execute(trx).then(() => listTasks(trx, A, 5));
    expect((await withUser(cached.db, A, second)).map((t) => t.id)).toEqual([task.id]);

    // A new column changes nothing the patterns return (they name their columns): nothing goes stale.
    await sql.raw('alter table tasks add column plan_cache_probe integer').execute(fresh.handle.db);
    try {
      expect((await me.listTasks(5)).map((t) => Object.keys(t).sort())).toEqual([['completed', 'created_at', 'description', 'id', 'title', 'updated_at', 'user_id']]);
      expect((await withUser(cached.db, A, second)).map((t) => t.id)).toEqual([task.id]);
    } finally {
      await sql.raw('alter table tasks drop column if exists plan_cache_probe').execute(fresh.handle.db);
    }

    // A wider title changes the result type: PostgreSQL refuses the old plans from now on.
    await sql.raw('alter table tasks alter column title type varchar(300)').execute(fresh.handle.db);
    try {
      // asUser's call, and a typed function first in withUser, failed before anything else ran: prepared afresh and sent once more.
      expect((await me.listTasks(5)).map((t) => t.id)).toEqual([task.id]);
      expect((await withUser(cached.db, A, (trx) => listTasks(trx, A, 5))).map((t) => t.id)).toEqual([task.id]);
      // After another statement the transaction is already aborted: that call fails, the next one works.
      await expect(withUser(cached.db, A, second)).rejects.toThrow(/cached plan must not change result type/);
      expect((await withUser(cached.db, A, second)).map((t) => t.id)).toEqual([task.id]);
      // Outside a transaction (no user: RLS shows nothing) the typed function is sent once more, too.
      await sql.raw('alter table tasks alter column title type varchar(200)').execute(fresh.handle.db);
      expect(await listTasks(cached.db, A, 5)).toEqual([]);
    } finally {
      await sql.raw('alter table tasks alter column title type varchar(200)').execute(fresh.handle.db);
    }
    expect(await me.deleteTask(task.id)).toBe(true);
  });

  it('refuses a task for another user on its first, prepared use and on later ones, writes nothing, and the connection goes on', async () => {
    const before = await fresh.handle.db.selectFrom('tasks').select('id').execute();
    for (let i = 0; i < 3; i++) {
      // RLS's WITH CHECK in the opening query (prepared on the first call), and as a later statement (named).
      await expect(withUser(cached.db, A, (trx) => createTask(trx, { user_id: B, title: 'not mine' }))).rejects.toThrow(/row-level security/);
      await expect(withUser(cached.db, A, (trx) => sql`select 1`.execute(trx).then(() => createTask(trx, { user_id: B, title: 'not mine' })))).rejects.toThrow(
        /row-level security/,
      );
    }
    expect(await fresh.handle.db.selectFrom('tasks').select('id').execute()).toEqual(before);
    const mine = await withUser(cached.db, A, (trx) => createTask(trx, { user_id: A, title: 'mine after all' }));
    expect(await asUser(cached, A).deleteTask(mine.id)).toBe(true);
  });

  it('is on for a declared direct connection, off by default, never on PGlite, and refused with a declared transaction pooler', async () => {
    await expect(openDatabase({ url: roleUrl, pooler: 'transaction', preparedStatements: true })).rejects.toThrow(UsageError);
    await expect(openDatabase({ url: roleUrl, pooler: 'transaction', preparedStatements: true })).rejects.toThrow(/preparedStatements cannot be used with pooler: transaction/);
    for (const [options, expected] of [
      [{ pooler: 'direct' }, true],
      [{ pooler: 'direct', preparedStatements: false }, undefined],
      [{}, undefined],
      [{ pooler: 'auto' }, undefined],
    ] as const) {
      const database = await openDatabase({ url: roleUrl, ...options });
      try {
        expect(database.preparedStatements, JSON.stringify(options)).toBe(expected);
      } finally {
        await database.close();
      }
    }
    const embedded = await openDatabase({ url: 'pglite:memory', preparedStatements: true });
    try {
      expect(embedded.preparedStatements).toBeUndefined();
    } finally {
      await embedded.close();
    }
  });
});
