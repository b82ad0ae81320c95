import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, openDatabase } from '../src/index.js';
import { BIN, cliEnv, runCli } from './support/cli.js';
import { until } from './support/health-fixtures.js';
import { startPrivateCluster, type PrivateCluster } from './support/private-cluster.js';

/**
 * Each problem health must see, induced on a real PostgreSQL: a private cluster,
 * because prepared transactions need max_prepared_transactions > 0 and
 * pg_stat_statements needs shared_preload_libraries (both need a restart).
 * Every case gets a fresh migrated database, runs the built CLI (`npm run build`
 * first) and asserts the exit code and the check that names the problem.
 */
const PORT = 55_410;

interface Item {
  id: string;
  object: string;
  status: string;
  message: string;
  fix: string | null;
  details: { findings: Item[] } & Record<string, unknown>;
}
interface Doc {
  ok: boolean;
  command: string;
  complete: boolean;
  stopped: string | null;
  checks: Item[];
}

let cluster: PrivateCluster;
let counter = 0;
const sessions: pg.Client[] = [];

beforeAll(() => {
  cluster = startPrivateCluster({ port: PORT, label: 'health', settings: { max_prepared_transactions: 5, shared_preload_libraries: 'pg_stat_statements', autovacuum: 'off' } });
});
afterAll(async () => {
  for (const client of sessions) await client.end().catch(() => undefined);
  cluster?.stop();
});

/** A fresh database on the cluster with the schema migrated. */
async function freshDatabase(): Promise<{ url: string; sql: (text: string) => Promise<any[]> }> {
  const name = `trouble_${++counter}`;
  await cluster.query(`create database ${name}`);
  const url = cluster.url(name);
  const handle = await openDatabase({ url });
  try {
    await migrateUp(handle);
  } finally {
    await handle.close();
  }
  return { url, sql: (text) => cluster.query(text, name) };
}

/** A second session that stays open (bounded: it cannot outlive the test by much). */
async function session(url: string): Promise<pg.Client & { pid: number }> {
  const client = new pg.Client({ connectionString: url, application_name: 'trouble-test' });
  await client.connect();
  await client.query("set idle_in_transaction_session_timeout = '120s'; set statement_timeout = '120s'");
  sessions.push(client);
  const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  return Object.assign(client, { pid });
}

async function health(url: string, flags: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; doc: Doc; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['--url', url, '--json', 'health', ...flags], { env });
  return { code, doc: JSON.parse(stdout) as Doc, stderr };
}
const check = (doc: Doc, id: string): Item => {
  const found = doc.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};
/** The sessions todo-db itself left on the cluster (its application_name). */
const leftBehind = async () => (await cluster.query<{ pid: number }>("select pid from pg_stat_activity where application_name = 'todo-db'")).length;

interface Case {
  name: string;
  induce(db: { url: string; sql: (text: string) => Promise<any[]> }): Promise<void>;
  flags: string[];
  code: number;
  check: string;
  status: string;
  message: RegExp;
  more?: (doc: Doc) => void;
}

const CASES: Case[] = [
  {
    name: 'an ACCESS EXCLUSIVE lock held by an idle transaction fails health, naming the blocker and the table',
    induce: async ({ url }) => {
      const holder = await session(url);
      await holder.query('begin');
      await holder.query('lock table tasks in access exclusive mode');
    },
    flags: [],
    code: 1,
    check: 'table-sizes',
    status: 'fail',
    message: /lock on tasks held by pid \d+ \(postgres, trouble-test\), idle in transaction for \d+ s: lock table tasks in access exclusive mode/,
    more: (doc) => {
      // Answered well within the deadline, and every check that needed the table says why it could not run.
      expect(doc.complete).toBe(true);
      for (const id of ['schema', 'rls-app-role'])
        expect(check(doc, id)).toMatchObject({ status: 'fail', message: expect.stringMatching(/blocked after \d+ ms by a lock on tasks held by pid \d+/) });
      expect(check(doc, 'table-sizes').fix).toMatch(/pg_terminate_backend\(\d+\)/);
    },
  },
  {
    name: 'an orphaned prepared transaction fails, and the query it blocks names it (not pid 0)',
    induce: async ({ url, sql }) => {
      await sql("insert into users (email) values ('prepared@example.com')");
      const preparer = await session(url);
      await preparer.query('begin');
      await preparer.query("update users set name = 'held' where email = 'prepared@example.com'");
      await preparer.query("prepare transaction 'forgotten-1'");
      const waiter = await session(url);
      void waiter.query("update users set name = 'waiting' where email = 'prepared@example.com'").catch(() => undefined);
      const observer = await session(url);
      await until(
        async () => (await observer.query('select 1 from pg_stat_activity where pid = $1 and wait_event_type = $2', [waiter.pid, 'Lock'])).rowCount === 1,
        'the blocked update',
      );
    },
    flags: ['--prepared-warn', '0', '--prepared-fail', '0', '--blocked-warn', '0', '--blocked-fail', '0'],
    code: 1,
    check: 'prepared-transactions',
    status: 'fail',
    message: /prepared transaction 'forgotten-1' prepared \d+ s ago on trouble_\d+ by postgres/,
    more: (doc) => {
      const blocked = check(doc, 'blocked-queries');
      expect(blocked.status).toBe('fail');
      expect(blocked.message, blocked.message).toMatch(/held by prepared transaction 'forgotten-1'/);
      expect(blocked.message).not.toMatch(/pid 0/);
      expect(check(doc, 'prepared-transactions').details.findings[0]!.fix).toMatch(/ROLLBACK PREPARED 'forgotten-1'/);
    },
  },
  {
    name: 'sequences near their maximum: an identity column fails at 90 %, a bigint sequence behind an integer column warns',
    induce: async ({ sql }) => {
      await sql('create table counters (id int generated always as identity)');
      await sql("select setval(pg_get_serial_sequence('counters', 'id'), 2000000000)");
      await sql('create table tickets (id int); create sequence tickets_seq as bigint owned by tickets.id');
      await sql("select setval('tickets_seq', 1700000000)");
    },
    flags: [],
    code: 1,
    check: 'sequences',
    status: 'fail',
    message: /counters\.id 93\.1 % of its range used/,
    more: (doc) => {
      expect(check(doc, 'sequences').details.findings.map((f) => [f.object, f.status])).toEqual([
        ['counters.id', 'fail'],
        ['tickets.id', 'warn'],
      ]);
    },
  },
  {
    name: 'a bloated table is estimated from the statistics and fails past the fail factor',
    induce: async ({ sql }) => {
      await sql("create table junk as select i as id, repeat('x', 200) as pad from generate_series(1, 100000) i");
      await sql('delete from junk where id % 20 <> 0');
      await sql('analyze junk');
    },
    flags: ['--bloat-min', '1'],
    code: 1,
    check: 'bloat',
    status: 'fail',
    message: /junk estimated \d+\.\d× its packed size, [\d.]+ MB wasted/,
  },
  {
    name: 'a foreign key served only by a partial or an expression index is unindexed',
    induce: async ({ sql }) => {
      await sql('create table notes (id serial primary key, user_id uuid references users (id))');
      await sql('create index notes_user_partial on notes (user_id) where user_id is not null');
      await sql('create table labels (id serial primary key, user_id uuid references users (id))');
      await sql('create index labels_user_text on labels ((user_id::text))');
    },
    flags: ['--strict'],
    code: 1,
    check: 'foreign-key-indexes',
    status: 'warn',
    message: /unindexed: labels_user_id_fkey, notes_user_id_fkey/,
  },
  {
    name: 'slow statements are found, and maintenance and catalog statements are not',
    induce: async ({ url, sql }) => {
      await sql('create extension pg_stat_statements');
      await sql('select pg_stat_statements_reset()');
      const app = await session(url);
      await app.query('select pg_sleep(0.15)');
      await app.query('vacuum analyze tasks');
      // (dropped again: an extra index would be schema drift, a failure of its own)
      await app.query('create index tasks_title_probe on tasks (title); drop index tasks_title_probe');
      await app.query('copy (select 1) to stdout').catch(() => undefined);
    },
    flags: ['--slow-statement-warn', '100'],
    code: 0,
    check: 'slow-statements',
    status: 'warn',
    message: /1 slower than 100 ms on average \(maintenance and catalog statements ignored\)/,
    more: (doc) => {
      const objects = check(doc, 'slow-statements').details.findings.map((f) => f.object);
      expect(objects).toEqual([expect.stringMatching(/^select pg_sleep\(\$1\)/)]);
    },
  },
  {
    name: 'a session idle in transaction past the fail threshold fails',
    induce: async ({ url }) => {
      const idle = await session(url);
      await idle.query('begin');
      await idle.query('select 1');
    },
    flags: ['--idle-in-transaction-warn', '0', '--idle-in-transaction-fail', '0'],
    code: 1,
    check: 'idle-in-transaction',
    status: 'fail',
    message: /pid \d+ \(postgres, trouble-test\) idle in transaction for \d+ s/,
  },
  {
    name: 'connection pressure warns at the first threshold and fails at the second',
    induce: async () => undefined,
    flags: ['--connections-warn', '0', '--connections-fail', '0'],
    code: 1,
    check: 'connections',
    status: 'fail',
    message: /of max_connections 100/,
  },
];

describe('health on induced problems (private cluster)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const db = await freshDatabase();
    await c.induce(db);
    const { code, doc } = await health(db.url, c.flags);
    const named = check(doc, c.check);
    expect({ code, status: named.status }, JSON.stringify(named)).toEqual({ code: c.code, status: c.status });
    expect(named.message).toMatch(c.message);
    c.more?.(doc);
    // Nothing of health's is left on the server, waiting or not.
    await until(async () => (await leftBehind()) === 0, 'todo-db sessions to end');
    for (const client of sessions.splice(0)) await client.end().catch(() => undefined);
    await cluster.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'trouble-test'");
    for (const row of await cluster.query<{ gid: string; database: string }>('select gid, database from pg_prepared_xacts'))
      await cluster.query(`rollback prepared '${row.gid}'`, row.database);
  });

  it('at its deadline health stops, cancels its query on the server and prints what it found', async () => {
    const db = await freshDatabase();
    const holder = await session(db.url);
    await holder.query('begin');
    await holder.query('lock table tasks in access exclusive mode');
    // Each blocked check waits 100 ms per query behind the lock: 0.3 s ends the run inside the schema check.
    const { code, doc } = await health(db.url, ['--deadline', '0.3']);
    expect(code).toBe(1);
    expect(doc).toMatchObject({ ok: false, complete: false, stopped: 'deadline' });
    expect(doc.checks.some((c) => c.status === 'fail' && /did not finish within the 300 ms deadline/.test(c.message))).toBe(true);
    expect(doc.checks.at(-1)).toMatchObject({ status: 'not-run', message: expect.stringMatching(/deadline had passed/) });
    expect(check(doc, 'connection').status).toBe('ok');
    await until(async () => (await leftBehind()) === 0, 'todo-db sessions to end');
    await holder.query('rollback');
  });

  it('a killed inspect command leaves no backend waiting on the lock', async () => {
    const db = await freshDatabase();
    const holder = await session(db.url);
    await holder.query('begin');
    await holder.query('lock table tasks in access exclusive mode');
    // verify has no lock pre-check: with long timeouts it waits on the lock until killed.
    const child = spawn(process.execPath, [BIN, '--url', db.url, '--lock-timeout', '60', '--statement-timeout', '60', 'verify'], { env: cliEnv(), stdio: 'ignore' });
    try {
      await until(
        async () => (await cluster.query("select 1 from pg_stat_activity where application_name = 'todo-db' and wait_event_type = 'Lock'")).length > 0,
        'verify to wait on the lock',
        400,
      );
      child.kill('SIGKILL');
      // client_connection_check_interval: the server notices the closed socket while waiting.
      await until(async () => (await leftBehind()) === 0, 'the waiting backend to end', 200);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await holder.query('rollback');
    }
  });
});

describe('health on a healthy database (private cluster)', () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await freshDatabase());
    const seeded = await runCli(['--url', url, 'seed']);
    expect(seeded.code, seeded.stderr).toBe(0);
    await cluster.query('create extension pg_stat_statements', url.split('/').at(-1));
  });

  it('exits 0, also with --strict, with pg_stat_statements installed; verify calls it no drift', async () => {
    const plain = await health(url);
    expect(plain.code, JSON.stringify(plain.doc.checks.filter((c) => c.status !== 'ok'))).toBe(0);
    const strict = await health(url, ['--strict']);
    expect(strict.code, JSON.stringify(strict.doc.checks.filter((c) => c.status !== 'ok'))).toBe(0);
    expect(strict.doc).toMatchObject({ ok: true, command: 'health', complete: true });
    for (const c of strict.doc.checks) expect(Object.keys(c).sort()).toEqual(['details', 'fix', 'id', 'message', 'object', 'status']);
    expect(check(strict.doc, 'slow-statements').status).toBe('ok');
    const verified = await runCli(['--url', url, 'verify']);
    expect(verified.code, verified.stdout).toBe(0);
  });

  it('on a local setup (DATABASE_URL is the superuser it connects as) the app role is n/a with a hint', async () => {
    const { code, doc } = await health(url, [], { DATABASE_URL: url });
    expect(code).toBe(0);
    expect(check(doc, 'rls-app-role')).toMatchObject({
      status: 'n/a',
      message: expect.stringMatching(/not named \(name the role the application logs in as: --app-role NAME or --app-url URL\)/),
    });
  });

  it('a named app role that bypasses RLS fails with the fix rls status prints, in plain words', async () => {
    const { code, doc } = await health(url, ['--app-role', 'postgres']);
    expect(code).toBe(1);
    const role = check(doc, 'rls-app-role');
    expect(role.message).toMatch(/^the application connects as postgres, a superuser: RLS never applies \(and \d+ more\)$/);
    const status = await runCli(['--url', url, 'rls', 'status', '--app-role', 'postgres']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`fix: ${role.fix}`);
  });

  it('a bad --app-url or an empty --app-role is exit 2, as for rls status', async () => {
    for (const flags of [
      ['--app-url', 'not a url'],
      ['--app-role', ''],
    ]) {
      const result = await runCli(['--url', url, 'health', ...flags]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/^todo-db: .+ \(.+\)\n$/);
      expect((await runCli(['--url', url, 'rls', 'status', ...flags])).code).toBe(2);
    }
  });
});
