import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { copyMigrations } from './support/migrations-copy.js';
import { startReplicaPair, type ReplicaPair } from './support/replica-pair.js';

/**
 * The CLI on a primary and its hot standby (one pair for the file; the tests run
 * in order and the last one stops the standby). The migrations are a copy of the
 * package's, so a test can add one; nothing here counts migrations or lists tables.
 */
let pair: ReplicaPair;
let migrations: ReturnType<typeof copyMigrations>;
let work: string;
let P: string;
let S: string;

beforeAll(async () => {
  pair = await startReplicaPair({ label: 'replicas-cli' });
  migrations = copyMigrations();
  work = mkdtempSync(join(tmpdir(), 'todo-db-replicas-'));
  P = pair.primary.url();
  S = pair.standby.url();
});

afterAll(() => {
  pair?.stop();
  migrations?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

const cli = (url: string, ...args: string[]) => runCli(['--url', url, '--migrations-dir', migrations.dir, ...args], { timeoutMs: 120_000 });
const json = async (url: string, ...args: string[]) => {
  const result = await cli(url, '--json', ...args);
  return { ...result, doc: JSON.parse(result.stdout) as Record<string, any> };
};
const oneLine = (stderr: string) => stderr.trim().split('\n');

/** Every relation of the public schema, and the rows and migrations there: what a write would change. */
const FINGERPRINT = `
  select (select string_agg(relname || ':' || relkind::text, ',' order by relname) from pg_class where relnamespace = 'public'::regnamespace) as relations,
         (select count(*) from kysely_migration)::int as migrations,
         (select count(*) from users)::int as users, (select count(*) from tasks)::int as tasks, (select count(*) from tasks_archive)::int as archived,
         (select string_agg(polname, ',' order by polname) from pg_policy) as policies`;
const fingerprint = async (cluster: ReplicaPair['standby']) => (await cluster.query(FINGERPRINT))[0];
const relations = async (cluster: ReplicaPair['standby']) =>
  (await cluster.query<{ r: string }>("select string_agg(relname, ',' order by relname) as r from pg_class where relnamespace = 'public'::regnamespace"))[0]!.r;

async function paused<T>(fn: () => Promise<T>): Promise<T> {
  await pair.standby.query('select pg_wal_replay_pause()');
  try {
    return await fn();
  } finally {
    await pair.standby.query('select pg_wal_replay_resume()').catch(() => undefined);
  }
}

describe('migrate up --wait-replicas', () => {
  it('returns only once the standby has every table the run created (read on the standby right after)', async () => {
    const before = await relations(pair.standby);
    const run = await cli(P, 'migrate', 'up', '--wait-replicas');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`✓ ${pair.standbyName} +replayed \\d+/[0-9A-F]+`));
    expect(run.stdout).toMatch(/1 replica replayed the run in /);
    // No test-side wait: the command's return is the promise.
    const after = await relations(pair.standby);
    expect(after).toBe(await relations(pair.primary));
    expect(after).not.toBe(before);
    expect(await fingerprint(pair.standby)).toEqual(await fingerprint(pair.primary));
    expect((await cli(P, 'seed')).code).toBe(0);
    await pair.caughtUp();
  });
});

describe('read commands on the standby', () => {
  it('health, verify, rls status, monitor indexes, migrate status, schema diagram and backup pass there', async () => {
    for (const args of [['health'], ['verify'], ['rls', 'status'], ['monitor', 'indexes'], ['schema', 'diagram']]) {
      const run = await cli(S, ...args);
      expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
    const status = await json(S, 'migrate', 'status');
    expect(status.code).toBe(0);
    expect(status.doc.pending).toBe(0);
    expect(status.doc.standby).toMatchObject({ paused: false, receiver: 'streaming', primary: `127.0.0.1:${pair.primary.port}` });
    expect((await cli(S, 'migrate', 'status')).stdout).toMatch(/a standby \(read-only\): this is what it has replayed, up to \d+\/[0-9A-F]+/);
    const file = join(work, 'standby.dump');
    const backup = await cli(S, 'backup', '--out', file);
    expect(backup.code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('rls verify runs its read probes and says which write probes it could not run; monitor queries runs the reads only', async () => {
    const verify = await json(S, 'rls', 'verify');
    expect(verify.code).toBe(0);
    expect(verify.doc.readOnly).toBe(true);
    const skipped = verify.doc.checks.filter((c: any) => c.details.observed === 'not run: read-only server');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((c: any) => c.status === 'n/a' && c.details.command !== 'SELECT')).toBe(true);
    // The real users are the evidence there (the notes say how many were sampled, should this fail).
    const evidence = verify.doc.checks.filter((c: any) => c.details.as?.startsWith('sampled user')).map((c: any) => [c.id, c.status]);
    expect({ evidence, notes: verify.doc.notes }).toMatchObject({ evidence: [['existing-data:read-others', 'ok']] });
    expect(verify.doc.notes.join(' ')).toMatch(/read-only mode: .* is a standby, so no probe user can be inserted and \d+ write probes did not run/);
    const queries = await json(S, 'monitor', 'queries');
    expect(queries.doc.skipped.map((p: any) => p.id).sort()).toEqual([3, 4, 5, 6]);
    expect(queries.doc.patterns.every((p: any) => p.kind === 'list')).toBe(true);
    expect(queries.doc.note).toMatch(/read patterns only: this server is a standby/);
  });

  it('refuses every write command with exit 2 and one line pointing at the primary, changing nothing', async () => {
    const before = await fingerprint(pair.standby);
    const file = join(work, 'standby.dump');
    const writes = [
      ['migrate', 'up'],
      ['migrate', 'up', '--dry-run'],
      ['migrate', 'down', '--yes'],
      ['migrate', 'redo', '--yes'],
      ['rls', 'apply'],
      ['seed'],
      ['seed', '--users', '5', '--tasks-per-user', '2'],
      ['cleanup', '--yes'],
      ['archive', '--completed-before', '1d', '--yes'],
      ['restore', file, '--yes', '--clean'],
      ['verify', '--migrations'],
      ['backup', '--verify', '--out', join(work, 'never.dump')],
    ];
    for (const args of writes) {
      const run = await cli(S, ...args);
      const lines = oneLine(run.stderr);
      expect({ args, code: run.code, lines: lines.length }).toEqual({ args, code: 2, lines: 1 });
      expect(lines[0]).toMatch(
        new RegExp(`^todo-db: .* is a standby \\(read-only: it replays its primary's WAL\\) \\(run it against the primary, 127\\.0\\.0\\.1:${pair.primary.port}`),
      );
    }
    expect(existsSync(join(work, 'never.dump'))).toBe(false);
    expect(await fingerprint(pair.standby)).toEqual(before);
    expect(await fingerprint(pair.primary)).toEqual(before);
  });

  it('the same read-only path serves a primary role whose transactions are read-only', async () => {
    await pair.primary.query('create role todo_reader login in role pg_read_all_data; alter role todo_reader set default_transaction_read_only = on');
    const reader = pair.primary.url('postgres', 'todo_reader');
    expect((await cli(reader, 'verify')).code).toBe(0);
    const queries = await json(reader, 'monitor', 'queries');
    expect(queries.doc.skipped).toHaveLength(4);
    expect(queries.doc.note).toMatch(/this server is read-only/);
    const seed = await cli(reader, 'seed');
    expect(seed.code).toBe(2);
    expect(oneLine(seed.stderr)).toEqual([expect.stringMatching(/^todo-db: seed writes, and .* takes no writes \(default_transaction_read_only is on\)/)]);
  });
});

describe('replication in health', () => {
  it('on the primary: the standby and its lag, and an inactive slot retaining WAL as a warning; on the standby: replay paused', async () => {
    await pair.primary.query("select pg_create_physical_replication_slot('todo_gone_standby', true)");
    try {
      await paused(async () => {
        // WAL without a schema change: a logical message record.
        await pair.primary.query("select pg_logical_emit_message(false, 'todo-db-test', repeat('x', 300000))");
        const primary = await json(P, 'health', '--slot-retained-warn', '0');
        const check = (id: string) => primary.doc.checks.find((c: any) => c.id === id);
        const standby = check('replication-standbys').details.findings[0];
        expect(standby).toMatchObject({ object: `standby ${pair.standbyName}`, details: { name: pair.standbyName, state: 'streaming', syncState: 'async' } });
        expect(standby.details.replayLagBytes).toBeGreaterThan(0);
        expect(check('replication-slots').status).toBe('warn');
        const gone = check('replication-slots').details.findings.find((f: any) => f.object === 'slot todo_gone_standby');
        expect(gone).toMatchObject({
          status: 'warn',
          fix: "if its standby or subscriber is gone for good: select pg_drop_replication_slot('todo_gone_standby');",
          details: { active: false },
        });
        expect(gone.details.retainedBytes).toBeGreaterThan(0);
        expect(check('replication-slots').details.findings.find((f: any) => f.object === `slot ${pair.slot}`)).toMatchObject({ status: 'ok', details: { active: true } });
        expect(check('replication-settings')).toMatchObject({ status: 'ok', details: { value: 'replica' } });
        const onStandby = await json(S, 'health');
        expect(onStandby.doc.checks.find((c: any) => c.id === 'standby-replay')).toMatchObject({ status: 'warn', message: expect.stringMatching(/^replay paused/) });
      });
    } finally {
      await pair.primary.query("select pg_drop_replication_slot('todo_gone_standby')");
    }
    await pair.caughtUp();
    const text = await cli(P, 'health');
    expect(text.stdout).toMatch(new RegExp(`standbys +${pair.standbyName} streaming async`));
  });
});

const PROBE = (table: string) => `import { sql } from 'kysely';
export async function up(db) { await sql\`create table ${table} (id int primary key)\`.execute(db); }
export async function down(db) { await sql\`drop table ${table}\`.execute(db); }
`;

describe('migrate up --wait-replicas while the standby lags', () => {
  it('times out cleanly when replay is paused: exit 1 naming the standby and its lag, the migration applied on the primary', async () => {
    writeFileSync(join(migrations.dir, '9001_replica_probe.js'), PROBE('replica_probe'));
    await paused(async () => {
      const run = await cli(P, 'migrate', 'up', '--wait-replicas=2');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/✓ 9001_replica_probe +applied/);
      expect(oneLine(run.stderr)).toEqual([
        expect.stringMatching(new RegExp(`^todo-db: standby ${pair.standbyName} has not replayed \\d+/[0-9A-F]+ after \\d+ ms: ${pair.standbyName}: [\\d.]+ k?B behind`)),
      ]);
      expect((await pair.primary.query("select to_regclass('replica_probe') as t"))[0].t).toBe('replica_probe');
      expect((await pair.standby.query("select to_regclass('replica_probe') as t"))[0].t).toBeNull();
    });
    await pair.caughtUp();
    expect((await pair.standby.query("select to_regclass('replica_probe') as t"))[0].t).toBe('replica_probe');
  });

  it('bad input: a URL that is no replica, a bad wait, a replica list that is no URL are one line each, before migrating', async () => {
    const notReplica = await cli(P, 'migrate', 'up', '--replica-url', P);
    expect(notReplica.code).toBe(2);
    expect(oneLine(notReplica.stderr)).toEqual([expect.stringMatching(/^todo-db: --replica-url .* is not a replica: it is not in recovery/)]);
    const bad = await cli(P, 'migrate', 'up', '--wait-replicas=soon');
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toEqual([expect.stringMatching(/^todo-db: --wait-replicas is "soon", not a number of seconds to wait/)]);
    const notUrl = await runCli(['--url', P, 'migrate', 'up', '--wait-replicas'], { env: { TODO_DB_REPLICA_URLS: 'replica.example.com' } });
    expect(notUrl.code).toBe(2);
    expect(oneLine(notUrl.stderr)).toEqual([expect.stringMatching(/^todo-db: TODO_DB_REPLICA_URLS has "replica.example.com", not a postgres:\/\/ URL/)]);
    // A replica that cannot be reached: exit 3, the flag to check named, the password never shown.
    const gone = await cli(P, 'migrate', 'up', '--wait-replicas', '--replica-url', 'postgres://reader:s3cret-pw@127.0.0.1:1/x');
    expect(gone.code).toBe(3);
    expect(oneLine(gone.stderr)).toEqual([expect.stringMatching(/^todo-db: replica: cannot connect to 127\.0\.0\.1:1 .*--replica-url/)]);
    expect(gone.stdout + gone.stderr).not.toContain('s3cret-pw');
  });

  it('a replica that disconnects while waited for ends the wait at once: exit 3, one line', async () => {
    writeFileSync(join(migrations.dir, '9002_replica_probe.js'), PROBE('replica_probe_2'));
    await pair.standby.query('select pg_wal_replay_pause()');
    const run = startCli(['--url', P, '--migrations-dir', migrations.dir, 'migrate', 'up', '--wait-replicas=60', '--replica-url', S]);
    await run.waitFor('waiting up to');
    // The standby goes away (the last test: the pair is not used after this).
    pair.standby.stop();
    const code = await run.exited;
    expect(code).toBe(3);
    expect(oneLine(run.stderr())).toEqual([
      expect.stringMatching(new RegExp(`^todo-db: replica postgres://postgres@127\\.0\\.0\\.1:${pair.standby.port}/postgres disconnected while todo-db waited for it to replay`)),
    ]);
    expect(run.output()).toMatch(/✓ 9002_replica_probe +applied/);
  });
});
