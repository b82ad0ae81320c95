import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { UsageError, migrateUp, withUser, type Database, type TodoDatabase } from '../src/index.js';
import { appConnection } from './support/app-connection.js';
import { SERVER_BACKENDS, openFresh } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

const A = randomUUID();
const B = randomUUID();
let counter = 0;

describe.each(SERVER_BACKENDS)('withUser on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let role: string;
  const opened: Kysely<Database>[] = [];
  const connect = async (max: number) => {
    const db = await appConnection(backend, fresh.handle, fresh.backend.url, role, max);
    if (db !== fresh.handle.db) opened.push(db);
    return db;
  };
  // Isolation depends on todo_app being intact (no BYPASSRLS from another test).
  const intact = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());

  beforeAll(async () => {
    fresh = await openFresh(backend, 'withuser');
    await migrateUp(fresh.handle);
    role = `tododb_withuser_${process.pid}_${++counter}`;
    await sql.raw(`create role ${role} login nosuperuser nobypassrls; grant todo_app to ${role}`).execute(fresh.handle.db);
    await fresh.handle.db
      .insertInto('users')
      .values([
        { id: A, email: `a-${A}@example.com` },
        { id: B, email: `b-${B}@example.com` },
      ])
      .execute();
    await fresh.handle.db
      .insertInto('tasks')
      .values([...[1, 2, 3].map((i) => ({ user_id: A, title: `a ${i}` })), ...[1, 2].map((i) => ({ user_id: B, title: `b ${i}` }))])
      .execute();
  });
  afterAll(async () => {
    for (const db of opened) await db.destroy();
    if (fresh) {
      await sql.raw(`reset role`).execute(fresh.handle.db);
      await sql.raw(`drop owned by ${role}; drop role ${role}`).execute(fresh.handle.db);
      await fresh.close();
    }
  });

  it('keeps two users apart across interleaved transactions on one pool', async () => {
    await intact(async () => {
      const db = await connect(4);
      let open = 0;
      let overlapped = 0;
      // On the server both transactions of a pair wait for each other mid-way, so
      // they are open at the same time; PGlite runs one transaction at a time.
      const pairs = Array.from({ length: 4 }, () => barrier(backend === 'postgres' ? 2 : 1));
      const session = (userId: string, meet: () => Promise<void>) =>
        withUser(db, userId, async (trx) => {
          open++;
          overlapped = Math.max(overlapped, open);
          const first = await trx.selectFrom('tasks').select('user_id').execute();
          await meet();
          const second = await trx.selectFrom('users').select('id').execute();
          const inserted = await trx.insertInto('tasks').values({ user_id: userId, title: 'mine' }).returning('user_id').execute();
          open--;
          return [...first.map((r) => r.user_id), ...second.map((r) => r.id), ...inserted.map((r) => r.user_id)];
        });
      const runs = pairs.flatMap((meet) => [session(A, meet), session(B, meet)]);
      const seen = await Promise.all(runs);
      seen.forEach((ids, i) => {
        const me = i % 2 === 0 ? A : B;
        expect(new Set(ids)).toEqual(new Set([me]));
        expect(ids.length).toBeGreaterThan(2);
      });
      if (backend === 'postgres') expect(overlapped).toBeGreaterThanOrEqual(2);
      // Without a user, the same role sees nothing at all.
      expect(await db.selectFrom('tasks').select('id').execute()).toEqual([]);
    });
  });

  it('does not leak the user into the next transaction on the same connection', async () => {
    await intact(async () => {
      const db = await connect(1);
      const setting = async (q: Kysely<Database>) => (await sql<{ v: string | null }>`select current_setting('app.current_user_id', true) as v`.execute(q)).rows[0]?.v ?? null;
      expect(await withUser(db, A, async (trx) => [await setting(trx), (await trx.selectFrom('tasks').select('id').execute()).length])).toEqual([A, expect.any(Number)]);
      // Same (only) connection, next transaction: unset, and RLS shows nothing.
      expect([null, '']).toContain(await setting(db));
      expect(await db.transaction().execute((trx) => trx.selectFrom('tasks').select('id').execute())).toEqual([]);
      // A failed transaction does not leave it behind either.
      await expect(withUser(db, B, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect([null, '']).toContain(await setting(db));
      // Inside an outer transaction it sets the id there, locally.
      const owners = (trx: Transaction<Database>) => withUser(trx, B, async (t) => (await t.selectFrom('tasks').select('user_id').execute()).map((r) => r.user_id));
      const inner = await db.transaction().execute(owners);
      expect(new Set(inner)).toEqual(new Set([B]));
      expect([null, '']).toContain(await setting(db));
    });
  });

  it('takes three round trips (begin with the user, the query, commit), and inside a transaction restores the outer user', async () => {
    await intact(async () => {
      const db = await connect(1);
      const sent: string[] = [];
      const stop = countQueries(backend, backend === 'postgres' ? db : fresh.handle, sent);
      try {
        const rows = await withUser(db, A, (trx) => trx.selectFrom('tasks').select('user_id').execute());
        expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set([A]));
      } finally {
        stop();
      }
      expect(sent).toHaveLength(3);
      expect(sent[0]).toMatch(/^begin; select set_config\('app.current_user_id', '[0-9a-f-]{36}', true\)$/);
      expect(sent[2]).toBe('commit');

      const setting = async (q: Kysely<Database>) => (await sql<{ v: string | null }>`select current_setting('app.current_user_id', true) as v`.execute(q)).rows[0]?.v ?? null;
      const seen = await withUser(db, A, async (outer) => {
        const inner = await withUser(outer, B, async (trx) => [await setting(trx), (await trx.selectFrom('tasks').select('user_id').execute()).map((r) => r.user_id)] as const);
        const back = await setting(outer);
        // A failing inner callback is rolled back to its savepoint; the outer transaction goes on as A.
        await expect(
          withUser(outer, B, async (trx) => {
            await trx.insertInto('tasks').values({ user_id: B, title: 'rolled back' }).execute();
            throw new Error('inner boom');
          }),
        ).rejects.toThrow('inner boom');
        return { inner, back, after: await setting(outer), mine: (await outer.selectFrom('tasks').select('user_id').execute()).map((r) => r.user_id) };
      });
      expect(seen.inner[0]).toBe(B);
      expect(new Set(seen.inner[1])).toEqual(new Set([B]));
      expect(seen).toMatchObject({ back: A, after: A });
      expect(new Set(seen.mine)).toEqual(new Set([A]));
      const titles = await withUser(db, B, (trx) => trx.selectFrom('tasks').select('title').execute());
      expect(titles.map((t) => t.title)).not.toContain('rolled back');
      // A transaction object kept past the callback refuses to run on the pooled connection.
      let kept: Transaction<Database> | undefined;
      await withUser(db, A, async (trx) => void (kept = trx));
      await expect(kept!.selectFrom('tasks').select('id').execute()).rejects.toThrow(/already committed or rolled back/);
    });
  });

  it('rejects a user id that is not a uuid before touching the database', async () => {
    let ran = false;
    for (const bad of ['', 'alice', "1' or '1'='1", `${A}x`]) {
      await expect(withUser(fresh.handle.db, bad, async () => (ran = true))).rejects.toThrow(UsageError);
    }
    expect(ran).toBe(false);
  });
});

/** Records each query text sent to the server (a pg pool's clients, or PGlite's client) until the returned stop(). */
function countQueries(backend: string, where: Kysely<Database> | TodoDatabase, sent: string[]): () => void {
  if (backend === 'postgres') {
    const restore: (() => void)[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      if (text) sent.push(text);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    restore.push(() => (pg.Client.prototype.query = original));
    return () => {
      for (const r of restore) r();
    };
  }
  const client = (where as TodoDatabase).raw.kind === 'pglite' ? ((where as TodoDatabase).raw as unknown as { client: PGlite }).client : undefined;
  if (!client) throw new Error('countQueries: no PGlite client');
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  client.query = ((text: string, ...rest: unknown[]) => {
    sent.push(text);
    return (query as (...a: unknown[]) => unknown)(text, ...rest);
  }) as typeof client.query;
  client.exec = ((text: string, ...rest: unknown[]) => {
    sent.push(text);
    return (exec as (...a: unknown[]) => unknown)(text, ...rest);
  }) as typeof client.exec;
  return () => {
    client.query = query;
    client.exec = exec;
  };
}

/** Resolves for everyone once `n` callers have arrived. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived >= n) release();
    return all;
  };
}
