import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  createTask,
  listTasks,
  migrateUp,
  migrationStatus,
  openDatabase,
  openReplicas,
  ReadOnlyServerError,
  ReplicaLagError,
  requireWritable,
  runHealth,
  seedDevelopment,
  verifySchema,
  waitForReplicas,
  withUser,
  type TodoDatabase,
} from '../src/index.js';
import { startReplicaPair, type ReplicaPair } from './support/replica-pair.js';

/**
 * The library on a primary and its hot standby (test/support/replica-pair.ts):
 * the app's reads on a replica (openDatabase, withUser, asUser), read-your-own-writes,
 * waiting for replay, the write guard and the read checks on the standby.
 * One pair for the file; replay is paused only inside a test and resumed in its finally.
 */
let pair: ReplicaPair;
let primary: TodoDatabase;
let standby: TodoDatabase;
const APP_ROLE = 'todo_replica_app';
let users: string[];

beforeAll(async () => {
  pair = await startReplicaPair({ label: 'replicas-lib' });
  primary = await openDatabase({ url: pair.primary.url() });
  await migrateUp(primary);
  await seedDevelopment(primary);
  await pair.primary.query(`create role ${APP_ROLE} login in role todo_app`);
  users = (await pair.primary.query<{ id: string }>('select id::text as id from users order by email')).map((r) => r.id);
  await pair.caughtUp();
  standby = await openDatabase({ url: pair.standby.url() });
});

afterAll(async () => {
  await standby?.close();
  await primary?.close();
  pair?.stop();
});

async function paused<T>(fn: () => Promise<T>): Promise<T> {
  await pair.standby.query('select pg_wal_replay_pause()');
  try {
    return await fn();
  } finally {
    await pair.standby.query('select pg_wal_replay_resume()');
  }
}

describe('a replica URL in the library', () => {
  it('openDatabase says it is a standby; withUser and asUser read there under RLS, and a write is refused by the server', async () => {
    expect(standby.server).toMatchObject({ standby: true, readOnly: true });
    expect(primary.server).toMatchObject({ standby: false, readOnly: false });
    const app = await openDatabase({ url: pair.standby.url('postgres', APP_ROLE) });
    try {
      const [a, b] = users as [string, string];
      const own = await withUser(app.db, a, (trx) => trx.selectFrom('tasks').select(['user_id']).execute());
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((t) => t.user_id === a)).toBe(true);
      expect((await asUser(app, b).listTasks()).every((t) => t.user_id === b)).toBe(true);
      // Without a user the policies show nothing, as on the primary.
      expect((await app.db.selectFrom('tasks').selectAll().execute()).length).toBe(0);
      await expect(withUser(app.db, a, (trx) => createTask(trx, { user_id: a, title: 'on a replica' }))).rejects.toMatchObject({ code: '25006' });
    } finally {
      await app.close();
    }
  });

  it('read-your-own-writes: a task created on the primary is on the replica once its replay reaches the commit', async () => {
    const a = users[0]!;
    const title = `ryow ${Date.now()}`;
    const onReplica = async () => (await withUser(standby.db, a, (trx) => listTasks(trx, a, 500))).some((t) => t.title === title);
    await paused(async () => {
      await withUser(primary.db, a, (trx) => createTask(trx, { user_id: a, title }));
      // Replay paused: the replica does not have it yet, the primary does.
      expect(await onReplica()).toBe(false);
      expect((await withUser(primary.db, a, (trx) => listTasks(trx, a, 500))).some((t) => t.title === title)).toBe(true);
    });
    const replicas = await openReplicas([pair.standby.url()]);
    try {
      const wait = await waitForReplicas(primary, { replicas, timeoutMs: 30_000 });
      expect(wait.replicas.map((r) => [r.via, r.caughtUp])).toEqual([
        ['pg_stat_replication', true],
        ['replica-url', true],
      ]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
    expect(await onReplica()).toBe(true);
  });
});

describe('waiting for replicas', () => {
  it('times out naming the standby and its lag while its replay is paused', async () => {
    await paused(async () => {
      await pair.primary.query('create table wait_probe (id int); drop table wait_probe;');
      const error = await waitForReplicas(primary, { timeoutMs: 500, pollMs: 50 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplicaLagError);
      const lag = error as ReplicaLagError;
      expect(lag.message).toMatch(new RegExp(`^standby ${pair.standbyName} has not replayed \\d+/[0-9A-F]+ after \\d+ ms: ${pair.standbyName}: [\\d.]+ k?B behind`));
      expect(lag.exitCode).toBe(1);
      expect(lag.wait.replicas[0]).toMatchObject({ name: pair.standbyName, caughtUp: false, connected: true });
      expect(lag.wait.replicas[0]!.behindBytes).toBeGreaterThan(0);
    });
    await pair.caughtUp();
  });

  it('refuses a URL that is not a replica, and waiting on a standby', async () => {
    await expect(openReplicas([pair.primary.url()])).rejects.toThrow(/is not a replica: it is not in recovery/);
    await expect(waitForReplicas(standby)).rejects.toThrow(/is itself a standby/);
  });
});

describe('the standby itself', () => {
  it('refuses writes in one place, naming the primary', async () => {
    const refused = await requireWritable(standby, 'seed').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReadOnlyServerError);
    expect((refused as ReadOnlyServerError).exitCode).toBe(2);
    expect((refused as ReadOnlyServerError).hint).toContain(`127.0.0.1:${pair.primary.port}`);
    await expect(migrateUp(standby)).rejects.toThrow(/migrate up writes, and .* is a standby/);
    await expect(seedDevelopment(standby)).rejects.toBeInstanceOf(ReadOnlyServerError);
    await expect(requireWritable(primary, 'seed')).resolves.toBeUndefined();
  });

  it('answers migration status, verify and health as of what it replayed', async () => {
    const status = await migrationStatus(standby);
    expect(status.pending).toBe(0);
    expect(status.standby).toMatchObject({ paused: false, receiver: 'streaming', primary: `127.0.0.1:${pair.primary.port}` });
    expect(status.standby!.replayLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect((await verifySchema(standby)).ok).toBe(true);
    const onStandby = await runHealth(standby);
    expect(onStandby.checks.find((c) => c.id === 'standby-replay')).toMatchObject({ status: 'ok' });
    expect(onStandby.ok).toBe(true);
    const onPrimary = await runHealth(primary);
    const standbys = onPrimary.checks.find((c) => c.id === 'replication-standbys')!;
    expect(standbys.details.findings.map((f) => f.object)).toEqual([`standby ${pair.standbyName}`]);
    expect(onPrimary.checks.find((c) => c.id === 'standby-replay')?.status).toBe('n/a');
    expect(await sql`select 1 as one`.execute(standby.db)).toMatchObject({ rows: [{ one: 1 }] });
  });
});
