import { CamelCasePlugin, sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTasksByStatus, createTask, listTasks, openDatabase, toggleTask, updateTask, withUser, type TodoDatabase } from '../src/index.js';
import { openRlsFixture, type RlsFixture } from './support/rls-fixture.js';
import { withRoleLock } from './support/role-lock.js';

/**
 * withUser on a server opened by openDatabase (src/rls/user-connection.ts): the
 * transaction opens with the callback's first statement, in the same simple query
 * when that statement is a typed pattern. What the app relies on: the round trips,
 * atomicity, errors, concurrency inside the callback and nesting.
 */
describe('withUser on a server database (the transaction opened with the first statement)', () => {
  let fx: RlsFixture;
  let fresh: RlsFixture['fresh'];
  let A: string;
  let B: string;
  let app: TodoDatabase;
  /** every query text the pool's clients were sent, in order */
  const sent: string[] = [];
  const intact = <T>(fn: () => Promise<T>) => withRoleLock('shared', fn);

  beforeAll(async () => {
    fx = await openRlsFixture('wus');
    ({ fresh, A, B } = fx);
    app = await openDatabase({ url: fx.roleUrl });
    if (app.raw.kind !== 'postgres') throw new Error('expected a server');
    const spied = new WeakSet<object>();
    (app.raw.pool as unknown as pg.Pool).on('acquire', (client) => {
      if (spied.has(client)) return;
      spied.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        sent.push(text);
        return query(...args);
      };
    });
  });
  afterAll(async () => {
    await app?.close();
    await fx?.close();
  });
  const counted = async <T>(fn: () => Promise<T>): Promise<{ result: T; texts: string[] }> => {
    sent.length = 0;
    const result = await fn();
    return { result, texts: [...sent] };
  };
  const setting = async () => (await sql<{ v: string | null }>`select current_setting('app.current_user_id', true) as v`.execute(app.db)).rows[0]?.v ?? '';

  it('costs two round trips with a typed function first, three with any other first statement, none when the callback sends nothing', async () => {
    await intact(async () => {
      await withUser(app.db, A, (trx) => listTasks(trx, A, 5)); // the pool's connection exists from here on
      const typed = await counted(() => withUser(app.db, A, (trx) => createTask(trx, { user_id: A, title: "it's mine" })));
      expect(typed.texts).toHaveLength(2);
      expect(typed.texts[0]).toMatch(/^begin; select set_config\('app\.current_user_id', '[0-9a-f-]{36}', true\); insert into "tasks"/);
      expect(typed.texts[1]).toBe('commit');
      const other = await counted(() => withUser(app.db, A, (trx) => trx.selectFrom('tasks').select('title').execute()));
      expect(other.texts).toHaveLength(3);
      expect(other.result).toEqual([{ title: "it's mine" }]);
      // A value with no literal (an integer past 2^53) goes as a bound parameter after the opening query.
      const bound = await counted(() => withUser(app.db, A, (trx) => listTasks(trx, A, 2 ** 53 + 2)));
      expect(bound.texts).toHaveLength(3);
      expect(bound.result.map((t) => t.title)).toEqual(["it's mine"]);
      const nothing = await counted(() => withUser(app.db, A, async () => 42));
      expect(nothing).toEqual({ result: 42, texts: [] });
      expect(await setting()).toBe('');
      await withUser(app.db, A, (trx) => trx.deleteFrom('tasks').execute());
    });
  });

  it('rolls back everything when the callback throws after its first statement, and passes the error on', async () => {
    await intact(async () => {
      const boom = new Error('boom');
      await expect(
        withUser(app.db, A, async (trx) => {
          await createTask(trx, { user_id: A, title: 'never kept' });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await fresh.handle.db.selectFrom('tasks').select('title').where('user_id', '=', A).execute()).toEqual([]);
    });
  });

  it('passes on a failing first statement, leaves no transaction open, and the next call works on the same connection', async () => {
    await intact(async () => {
      await expect(withUser(app.db, A, (trx) => toggleTask(trx, 'not-a-uuid', A))).rejects.toThrow(/invalid input syntax for type uuid/);
      expect(app.raw.kind === 'postgres' && (app.raw.pool as unknown as pg.Pool).totalCount).toBe(1);
      expect(await setting()).toBe('');
      const task = await withUser(app.db, A, (trx) => createTask(trx, { user_id: A, title: 'after the error' }));
      expect(await withUser(app.db, A, (trx) => updateTask(trx, task.id, A, { title: 'edited', description: null }))).toMatchObject({ title: 'edited' });
      await withUser(app.db, A, (trx) => trx.deleteFrom('tasks').execute());
    });
  });

  it('runs statements fired together as the first ones inside the transaction, as the user', async () => {
    await intact(async () => {
      await withUser(app.db, A, (trx) => createTask(trx, { user_id: A, title: 'one' }));
      const [list, counts, mine] = await withUser(app.db, A, (trx) =>
        Promise.all([listTasks(trx, A, 10), countTasksByStatus(trx, A), sql<{ v: string }>`select current_setting('app.current_user_id') as v`.execute(trx)]),
      );
      expect(list.map((t) => t.title)).toEqual(['one']);
      expect(counts).toEqual({ completed: 0, open: 1 });
      expect(mine.rows[0]?.v).toBe(A);
      // B sees only B's task through the same cached text.
      expect((await withUser(app.db, B, (trx) => Promise.all([listTasks(trx, B, 10), listTasks(trx, A, 10)]))).map((l) => l.map((t) => t.title))).toEqual([['b only'], []]);
      await withUser(app.db, A, (trx) => trx.deleteFrom('tasks').execute());
    });
  });

  it('nests: an inner withUser for another user is a savepoint, and the outer user is back after it', async () => {
    await intact(async () => {
      const seen = await withUser(app.db, A, async (trx) => {
        const before = await listTasks(trx, A, 10);
        const inner = await withUser(trx, B, (t) => listTasks(t, B, 10));
        const after = (await sql<{ v: string }>`select current_setting('app.current_user_id') as v`.execute(trx)).rows[0]?.v;
        return { before: before.length, inner: inner.map((t) => t.title), after };
      });
      expect(seen).toEqual({ before: 0, inner: ['b only'], after: A });
    });
  });

  it('keeps to a reserved connection: inside db.connection() it runs on that connection, and a derived instance takes the three-round-trip path', async () => {
    await intact(async () => {
      const pid = sql<{ pid: number }>`select pg_backend_pid() as pid`;
      const [outer, inner] = await app.db.connection().execute(async (conn) => {
        const before = (await pid.execute(conn)).rows[0]!.pid;
        const during = await withUser(conn, A, async (trx) => ({ pid: (await pid.execute(trx)).rows[0]!.pid, tasks: await listTasks(trx, A, 5) }));
        return [before, during] as const;
      });
      expect(inner).toEqual({ pid: outer, tasks: [] });
      const derived = app.db.withPlugin(new CamelCasePlugin());
      const { result, texts } = await counted(() => withUser(derived, B, (trx) => listTasks(trx, B, 5)));
      expect(result.map((t) => t.title)).toEqual(['b only']);
      expect(texts).toHaveLength(3);
    });
  });
});
