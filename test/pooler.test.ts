import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, detectTransactionPooler, listTasks, migrateDown, migrateUp, openDatabase, withUser, type TodoDatabase } from '../src/index.js';
import { startPgbouncer, type Pgbouncer } from './support/pgbouncer.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/postgres.js';
import { withRoleLock } from './support/role-lock.js';

const USERS = 8;
const CALLS = 200;
const TASKS_EACH = 3;

/**
 * The library through PgBouncer in transaction mode with two server connections
 * (Neon's `-pooler` endpoint is the same): many client connections, many users,
 * each transaction on whichever server connection is free.
 */
describe('through a transaction pooler (PgBouncer, 2 server connections)', () => {
  let db: TestDatabase;
  let bouncer: Pgbouncer;
  let admin: TodoDatabase;
  let app: TodoDatabase;
  const role = `tododb_pooler_${process.pid}`;
  const users = Array.from({ length: USERS }, () => randomUUID());

  beforeAll(async () => {
    db = await createTestDatabase('pooler');
    admin = await openDatabase({ url: db.url });
    await migrateUp(admin);
    await sql.raw(`create role ${role} login nosuperuser nobypassrls; grant todo_app to ${role}`).execute(admin.db);
    await admin.db
      .insertInto('users')
      .values(users.map((id) => ({ id, email: `pooler-${id}@example.com` })))
      .execute();
    await admin.db
      .insertInto('tasks')
      .values(users.flatMap((user_id) => Array.from({ length: TASKS_EACH }, (_, i) => ({ user_id, title: `task ${i}` }))))
      .execute();
    bouncer = await startPgbouncer({ users: [role] });
    app = await openDatabase({ url: bouncer.url(db.name, role) });
  });
  afterAll(async () => {
    await app?.close();
    bouncer?.stop();
    await admin?.close();
    await adminQuery(`drop owned by ${role}; drop role if exists ${role}`, db.name).catch(() => undefined);
    await db?.drop();
  });

  it('is detected as a transaction pooler, while the server itself and a plain proxy in front of it are sessions', async () => {
    expect(await detectTransactionPooler(app)).toMatchObject({ pooled: true });
    expect(await detectTransactionPooler(admin)).toEqual({ pooled: false });
    // Neon's direct endpoint is a proxy too: one client connection, one backend.
    const proxy = await tcpProxy(5432);
    try {
      const viaProxy = await openDatabase({ url: `postgres://postgres@127.0.0.1:${proxy.port}/${db.name}` });
      try {
        expect(await detectTransactionPooler(viaProxy)).toEqual({ pooled: false });
      } finally {
        await viaProxy.close();
      }
    } finally {
      proxy.server.close();
    }
  });

  it(`withUser: ${USERS} users × ${CALLS} transactions never see another user's rows, and the id never outlives its transaction`, async () => {
    await withRoleLock('shared', async () => {
      const tally = { foreign: 0, leaked: 0, bareRows: 0, mismatched: 0, pids: new Set<number>() };
      await Promise.all(
        users.map(async (me, u) => {
          for (let call = 0; call < CALLS; call++) {
            const seen = await withUser(app.db, me, async (trx) => {
              const { rows } = await sql<{ setting: string; pid: number }>`select current_setting('app.current_user_id', true) as setting, pg_backend_pid() as pid`.execute(trx);
              const tasks = await trx.selectFrom('tasks').select('user_id').execute();
              const visible = await trx.selectFrom('users').select('id').execute();
              if (call % 10 === u % 10) {
                const made = await trx.insertInto('tasks').values({ user_id: me, title: 'through the pooler' }).returning('id').executeTakeFirstOrThrow();
                await trx.deleteFrom('tasks').where('id', '=', made.id).execute();
              }
              return { ...rows[0]!, owners: [...tasks.map((t) => t.user_id), ...visible.map((v) => v.id)], count: tasks.length };
            });
            tally.pids.add(seen.pid);
            if (seen.setting !== me) tally.mismatched++;
            if (seen.count !== TASKS_EACH) tally.mismatched++;
            tally.foreign += seen.owners.filter((id) => id !== me).length;
            // A typed function first: its statement travels with the BEGIN in one simple query.
            const listed = await withUser(app.db, me, (trx) => listTasks(trx, me, 50));
            if (listed.length !== TASKS_EACH) tally.mismatched++;
            tally.foreign += listed.filter((t) => t.user_id !== me).length;
            // Outside a transaction, on whichever server connection comes next.
            tally.leaked += await leakedSetting(app);
            tally.bareRows += Number(
              (
                await app.db
                  .selectFrom('tasks')
                  .select((e) => e.fn.countAll().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            );
          }
        }),
      );
      expect({ foreign: tally.foreign, leaked: tally.leaked, bareRows: tally.bareRows, mismatched: tally.mismatched }).toEqual({
        foreign: 0,
        leaked: 0,
        bareRows: 0,
        mismatched: 0,
      });
      expect(tally.pids.size).toBeLessThanOrEqual(2);
      expect(await serverConnections(db.name, role)).toBeLessThanOrEqual(2);
    });
  });

  it(`asUser (one round trip a call): ${USERS} users × ${CALLS} calls, the same`, async () => {
    await withRoleLock('shared', async () => {
      const tally = { foreign: 0, leaked: 0, wrongCount: 0, lost: 0 };
      await Promise.all(
        users.map(async (me) => {
          const mine = asUser(app, me);
          for (let call = 0; call < CALLS; call++) {
            switch (call % 4) {
              case 0:
                tally.foreign += (await mine.listTasks(50)).filter((t) => t.user_id !== me).length;
                break;
              case 1:
                tally.foreign += (await mine.listIncompleteTasks()).filter((t) => t.user_id !== me).length;
                break;
              case 2: {
                const counts = await mine.countTasksByStatus();
                if (counts.open + counts.completed !== TASKS_EACH) tally.wrongCount++;
                break;
              }
              default: {
                const made = await mine.createTask({ title: 'fast path through the pooler' });
                if (made.user_id !== me) tally.foreign++;
                if (!(await mine.toggleTask(made.id)) || !(await mine.deleteTask(made.id))) tally.lost++;
              }
            }
            tally.leaked += await leakedSetting(app);
          }
        }),
      );
      expect(tally).toEqual({ foreign: 0, leaked: 0, wrongCount: 0, lost: 0 });
      expect(await serverConnections(db.name, role)).toBeLessThanOrEqual(2);
    });
  });

  it("another user's task cannot be changed through the pooler, by either path", async () => {
    await withRoleLock('shared', async () => {
      const [a, b] = users as [string, string];
      const theirs = await admin.db.selectFrom('tasks').select('id').where('user_id', '=', b).executeTakeFirstOrThrow();
      expect(await asUser(app, a).toggleTask(theirs.id)).toBe(false);
      expect(await asUser(app, a).deleteTask(theirs.id)).toBe(false);
      const changed = await withUser(app.db, a, (trx) => trx.updateTable('tasks').set({ title: 'taken' }).where('id', '=', theirs.id).executeTakeFirst());
      expect(Number(changed.numUpdatedRows)).toBe(0);
      expect((await admin.db.selectFrom('tasks').select('title').where('id', '=', theirs.id).executeTakeFirstOrThrow()).title).not.toBe('taken');
    });
  });

  it('sees a leak when there is one: a session-level setting shows up in the next client connection', async () => {
    // The control for the two tests above: their leak counter is not blind.
    const other = randomUUID();
    await sql`select set_config('app.current_user_id', ${other}, false)`.execute(app.db);
    try {
      expect(await leakedSetting(app)).toBe(1);
    } finally {
      // Clear it on both server connections: two transactions open at once take both.
      const clear = () =>
        app.db.transaction().execute(async (trx) => {
          await sql`select set_config('app.current_user_id', '', false), pg_sleep(0.05)`.execute(trx);
        });
      await Promise.all([clear(), clear()]);
    }
    expect(await leakedSetting(app)).toBe(0);
  });
});

/** 1 when a statement outside any transaction still sees a user id (a leak from an earlier transaction on that server connection). */
async function leakedSetting(handle: TodoDatabase): Promise<number> {
  const { rows } = await sql<{ setting: string | null }>`select current_setting('app.current_user_id', true) as setting`.execute(handle.db);
  return rows[0]?.setting ? 1 : 0;
}

/** Backends PgBouncer opened to the database for the role. */
async function serverConnections(database: string, role: string): Promise<number> {
  const rows = await adminQuery<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1 and usename = $2', undefined, [database, role]);
  return rows[0]!.n;
}

/** A byte-for-byte TCP proxy: what sits between a client and a session on Neon's direct endpoint. */
async function tcpProxy(targetPort: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/** The `pooler` setting declares what the probe would find, and the probe is skipped. */
describe('a declared pooler mode (no probe)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pooler_declared');
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** The probe's setting on two connections of the pool at once (the probe holds two). */
  const probeSettings = (database: TodoDatabase) =>
    database.db.connection().execute((one) =>
      database.db.connection().execute(async (two) => {
        const read = async (c: typeof one) =>
          (await sql<{ probe: string | null }>`select current_setting('todo_db.pooler_probe', true) as probe`.execute(c)).rows[0]?.probe ?? null;
        return [await read(one), await read(two)];
      }),
    );

  it('direct: not pooled, and the probe never ran (its session setting was never made)', async () => {
    const direct = await openDatabase({ url: db.url, pooler: 'direct' });
    try {
      expect(await detectTransactionPooler(direct)).toEqual({ pooled: false });
      expect(await probeSettings(direct)).toEqual([null, null]);
    } finally {
      await direct.close();
    }
    // auto on the same server probes: the placeholder it leaves behind is there
    const probed = await openDatabase({ url: db.url });
    try {
      expect(await detectTransactionPooler(probed)).toEqual({ pooled: false });
      expect(await probeSettings(probed)).toContain('');
    } finally {
      await probed.close();
    }
  });

  it('transaction: migrate up takes the per-migration lock path and applies everything once; migrate down is refused (exit 2)', async () => {
    const pooled = await openDatabase({ url: db.url, pooler: 'transaction' });
    try {
      expect(await detectTransactionPooler(pooled)).toEqual({ pooled: true, evidence: 'the pooler setting says so', declared: true });
      const up = await migrateUp(pooled);
      expect(up.steps.length).toBeGreaterThan(0);
      const applied = await adminQuery<{ n: number }>('select count(*)::int as n from kysely_migration', db.name);
      expect(applied[0]?.n).toBe(up.steps.length);
      const down = await migrateDown(pooled).catch((e: unknown) => e);
      expect(down).toMatchObject({
        exitCode: 2,
        message: expect.stringMatching(/goes through a transaction pooler \(the pooler setting says so\): migrate down needs one session/),
        hint: expect.stringMatching(/set the pooler setting \(TODO_DB_POOLER\) to auto or direct$/),
      });
    } finally {
      await pooled.close();
    }
  });
});
