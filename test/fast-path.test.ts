import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, asUser, createTask, migrateUp, openDatabase, updateTask, withUser, type FastTarget, type TodoDatabase } from '../src/index.js';
import { SERVER_BACKENDS, openFresh } from './support/backends.js';
import { openRlsFixture, type RlsFixture } from './support/rls-fixture.js';
import { withRoleLock } from './support/role-lock.js';

/**
 * Text that breaks naive string building: quotes, backslashes in every escape
 * form, dollar quoting, statement and comment syntax, placeholders, and unicode
 * (astral characters are surrogate pairs in JavaScript).
 */
const HOSTILE = [
  `it's`,
  `''`,
  `'`,
  `'; drop table tasks; --`,
  `x' or '1'='1`,
  `\\`,
  `\\'`,
  `\\\\'; select 1; --`,
  `back\\slash' || (select current_user) || '`,
  `E'\\x41'`,
  `E'\\''; delete from tasks; --`,
  `e'\\n' and E'\\\\'`,
  `$$`,
  `$$; drop table users; $$`,
  `$tag$ x $tag$`,
  `$1 $2 $3`,
  `;`,
  `;;; select pg_sleep(10);`,
  `-- a comment`,
  `/* open`,
  `*/ close /* nested /* */ */`,
  `\\N`,
  `\\.`,
  `tab\there`,
  `new\nline`,
  `crlf\r\nend`,
  `%s %d %% {0}`,
  `😀 surrogate pair \uD83D\uDE00 and 🎉✅`,
  `𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈 👩‍👩‍👧‍👦`,
  `e\u0301 combining, \u202Eright-to-left, zero\u200Bwidth, \uFEFFbom`,
  `日本語 — ünïcödé — ＡＢＣ`,
  `"double" and \`back\` quotes`,
  '😀'.repeat(200),
];

const withApp = async <T>(backend: string, fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());
let counter = 0;

describe.each(SERVER_BACKENDS)('asUser (one round trip) on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let role: string;
  let app: TodoDatabase;
  const pools: pg.Pool[] = [];
  const databases: TodoDatabase[] = [];
  const A = randomUUID();
  const B = randomUUID();
  /** The app's connection: a LOGIN role in todo_app (PGlite: the one session switched to it). */
  const target = async (options: { standardConformingStrings?: boolean; max?: number; planCache?: boolean } = {}): Promise<FastTarget> => {
    if (backend === 'postgres') {
      const url = new URL(fresh.backend.url);
      url.username = role;
      const off = options.standardConformingStrings === false;
      if (options.planCache) {
        // The plan cache's path: `execute <name>(<literals>)` of a statement prepared once (docs/plan-cache.md).
        if (off) url.searchParams.set('options', '-c standard_conforming_strings=off');
        const database = await openDatabase({ url: url.toString(), preparedStatements: true });
        databases.push(database);
        const { rows } = await sql<{ standard_conforming_strings: string }>`show standard_conforming_strings`.execute(database.db);
        expect({ cache: database.preparedStatements, scs: rows[0]?.standard_conforming_strings }).toEqual({ cache: true, scs: off ? 'off' : 'on' });
        return database;
      }
      const pool = new pg.Pool({ connectionString: url.toString(), max: options.max ?? 2, ...(off ? { options: '-c standard_conforming_strings=off' } : {}) });
      // As an app's pool would: an idle client the server ends (the database dropped at the end) is not a crash.
      pool.on('error', () => undefined);
      pools.push(pool);
      return pool;
    }
    await sql.raw(`set standard_conforming_strings = ${options.standardConformingStrings === false ? 'off' : 'on'}`).execute(fresh.handle.db);
    return fresh.handle;
  };
  const ownerRows = async (userId: string) =>
    (await sql<{ title: string; description: string | null }>`select title, description from tasks where user_id = ${userId} order by created_at, id`.execute(fresh.handle.db))
      .rows;
  const asOwner = async <T>(fn: () => Promise<T>) => {
    if (backend === 'pglite') await sql.raw('reset role').execute(fresh.handle.db);
    try {
      return await fn();
    } finally {
      if (backend === 'pglite') await sql.raw(`set role ${role}`).execute(fresh.handle.db);
    }
  };

  beforeAll(async () => {
    fresh = await openFresh(backend, 'fastpath');
    await migrateUp(fresh.handle);
    role = `tododb_fastpath_${process.pid}_${++counter}`;
    await sql.raw(`create role ${role} login nosuperuser nobypassrls; grant todo_app to ${role}`).execute(fresh.handle.db);
    await fresh.handle.db
      .insertInto('users')
      .values([
        { id: A, email: `a-${A}@example.com` },
        { id: B, email: `b-${B}@example.com` },
      ])
      .execute();
    await fresh.handle.db.insertInto('tasks').values({ user_id: B, title: 'b only' }).execute();
    if (backend === 'postgres') {
      const url = new URL(fresh.backend.url);
      url.username = role;
      app = await openDatabase({ url: url.toString() });
    } else {
      await sql.raw(`set role ${role}`).execute(fresh.handle.db);
      app = fresh.handle;
    }
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    for (const database of databases) await database.close();
    if (app && app !== fresh?.handle) await app.close();
    if (fresh) {
      await sql.raw('reset role').execute(fresh.handle.db);
      await sql.raw(`drop owned by ${role}; drop role ${role}`).execute(fresh.handle.db);
      await fresh.close();
    }
  });

  for (const [standardConformingStrings, planCache] of [
    [true, false],
    [false, false],
    ...(backend === 'postgres' ? [[true, true] as const, [false, true] as const] : []),
  ] as const) {
    it(`round-trips hostile titles and descriptions unchanged and injects nothing (standard_conforming_strings ${standardConformingStrings ? 'on' : 'off'}${planCache ? ', plan cache' : ''})`, async () => {
      await withApp(backend, async () => {
        const me = asUser(await target({ standardConformingStrings, planCache }), A);
        const before = await asOwner(async () => (await sql<{ n: number }>`select count(*)::int as n from tasks`.execute(fresh.handle.db)).rows[0]!.n);
        const created = [];
        for (const [i, text] of HOSTILE.entries()) {
          const title = text.trim() === '' ? `t${i}` : text;
          const task = await me.createTask({ title, description: text });
          expect({ title: task.title, description: task.description, user: task.user_id }).toEqual({ title, description: text, user: A });
          created.push(task);
        }
        // Read back three ways: the fast path, the owner's own query, and after an edit.
        const listed = await me.listTasks(HOSTILE.length + 10);
        expect(new Map(listed.map((t) => [t.id, [t.title, t.description]]))).toEqual(new Map(created.map((t) => [t.id, [t.title, t.description]])));
        const stored = await asOwner(() => ownerRows(A));
        expect(stored.map((r) => r.description).sort()).toEqual([...HOSTILE].sort());
        for (const [i, text] of HOSTILE.entries()) {
          const edited = await me.updateTask(created[i]!.id, { title: `${text}`.trim() === '' ? 'x' : `${text}`, description: `${text}${text}`.slice(0, 1000) });
          expect(edited?.description).toBe(`${text}${text}`.slice(0, 1000));
        }
        // Nothing else happened: B's task and the tables are as they were.
        const after = await asOwner(async () => (await sql<{ n: number }>`select count(*)::int as n from tasks`.execute(fresh.handle.db)).rows[0]!.n);
        expect(after).toBe(before + HOSTILE.length);
        expect(await asOwner(() => ownerRows(B))).toEqual([{ title: 'b only', description: null }]);
        for (const task of created) expect(await me.deleteTask(task.id)).toBe(true);
        expect(await me.countTasksByStatus()).toEqual({ completed: 0, open: 0 });
      });
    });
  }

  it('runs all seven patterns for the user only, through a handle too, and leaves no user set behind', async () => {
    await withApp(backend, async () => {
      const pool = await target({ max: 1 });
      for (const where of [pool, app]) {
        const me = asUser(where, A);
        const other = asUser(where, B);
        const first = await me.createTask({ title: 'first' });
        const second = await me.createTask({ title: 'second', description: 'detail' });
        expect((await me.listTasks(10)).map((t) => t.id).sort()).toEqual([first.id, second.id].sort());
        expect(await me.toggleTask(second.id)).toBe(true);
        expect((await me.listIncompleteTasks()).map((t) => t.id)).toEqual([first.id]);
        expect(await me.countTasksByStatus()).toEqual({ completed: 1, open: 1 });
        expect(await me.updateTask(first.id, { title: 'first, edited', description: null })).toMatchObject({ id: first.id, title: 'first, edited', description: null });
        // Another user's id reaches nothing: RLS and the user_id filter both stand in the way.
        expect(await other.toggleTask(first.id)).toBe(false);
        expect(await other.updateTask(first.id, { title: 'stolen', description: null })).toBeUndefined();
        expect(await other.deleteTask(first.id)).toBe(false);
        expect((await other.listTasks(10)).map((t) => t.title)).toEqual(['b only']);
        expect(await me.deleteTask(first.id)).toBe(true);
        expect(await me.deleteTask(second.id)).toBe(true);
        expect(await me.deleteTask(second.id)).toBe(false);
      }
      // The setting was transaction-local: the next query on the same (only) connection has no user.
      const text = `select current_setting('app.current_user_id', true) as v`;
      const { rows } = pool instanceof pg.Pool ? await pool.query<{ v: string | null }>(text) : await sql.raw<{ v: string | null }>(text).execute(fresh.handle.db);
      expect([null, '']).toContain(rows[0]?.v ?? null);
    });
  });

  it('refuses a NUL, a bad id or a bad limit in one line, and writes nothing', async () => {
    await withApp(backend, async () => {
      const me = asUser(await target(), A);
      await expect(me.createTask({ title: 'nul\0here' })).rejects.toThrow(/cannot contain a NUL byte/);
      await expect(me.createTask({ title: 'ok', description: 'nul\0' })).rejects.toThrow(UsageError);
      await expect(me.toggleTask(`x' or '1'='1`)).rejects.toThrow(/task id must be a uuid/);
      await expect(me.updateTask('not-a-uuid', { title: 'x', description: null })).rejects.toThrow(UsageError);
      await expect(me.listTasks(1.5)).rejects.toThrow(/whole number/);
      await expect(me.listTasks(Number.NaN)).rejects.toThrow(UsageError);
      expect(() => asUser(fresh.handle, "1' or '1'='1")).toThrow(/asUser needs a user id that is a uuid/);
      expect(await me.countTasksByStatus()).toEqual({ completed: 0, open: 0 });
    });
  });
});

/**
 * withUser on a server opens its transaction with the callback's first statement
 * and, for the seven patterns, writes its values as literals the same way: the
 * hostile texts go through that path, with and without the plan cache.
 */
describe('withUser with a typed function first (literals in the opening query)', () => {
  let fx: RlsFixture;
  beforeAll(async () => {
    fx = await openRlsFixture('firststatement');
  });
  afterAll(async () => {
    await fx?.close();
  });

  for (const [standardConformingStrings, preparedStatements] of [
    [true, false],
    [false, false],
    [false, true],
  ] as const) {
    it(`round-trips every hostile text through create and update (standard_conforming_strings ${standardConformingStrings ? 'on' : 'off'}${preparedStatements ? ', plan cache' : ''})`, async () => {
      await withRoleLock('shared', async () => {
        const { fresh, A } = fx;
        const url = new URL(fx.roleUrl);
        if (!standardConformingStrings) url.searchParams.set('options', '-c standard_conforming_strings=off');
        const app = await openDatabase({ url: url.toString(), preparedStatements });
        try {
          for (const text of HOSTILE) {
            const title = text.trim() === '' ? 'x' : text;
            const task = await withUser(app.db, A, (trx) => createTask(trx, { user_id: A, title, description: text }));
            expect([task.title, task.description, task.user_id]).toEqual([title, text, A]);
            const edited = await withUser(app.db, A, (trx) => updateTask(trx, task.id, A, { title, description: `${text}!` }));
            expect(edited?.description).toBe(`${text}!`);
            const stored = await fresh.handle.db.selectFrom('tasks').select(['title', 'description']).where('id', '=', task.id).executeTakeFirstOrThrow();
            expect(stored).toEqual({ title, description: `${text}!` });
          }
          expect(
            await fresh.handle.db
              .selectFrom('tasks')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow(),
          ).toEqual({ n: String(HOSTILE.length + 1) }); // and B's one task: nothing else was written
          // PostgreSQL text cannot hold a NUL: the typed function's own check refuses it in one line, before anything is sent.
          await expect(withUser(app.db, A, (trx) => createTask(trx, { user_id: A, title: 'nul\0' }))).rejects.toThrow(/cannot contain a NUL byte/);
        } finally {
          await app.close();
          await fresh.handle.db.deleteFrom('tasks').where('user_id', '=', A).execute();
        }
      });
    });
  }
});
