import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.js';
import { SERVER_BACKENDS, provision, type BackendName, type TestBackend } from './support/backends.js';
import { runCli } from './support/cli.js';
import { withRoleLock } from './support/role-lock.js';
import { adminQuery } from './support/postgres.js';

interface Doc {
  ok: boolean;
  schemaVersion: string;
  findings: Array<{
    id: string;
    object: string;
    status: string;
    message: string;
    fix: string | null;
    details: { type: string; table: string | null; expected: string | null; actual: string | null };
  }>;
}

describe.each(SERVER_BACKENDS)('todo-db verify on %s', (name: BackendName) => {
  let backend: TestBackend;
  const roleLock = <T>(mode: 'shared' | 'exclusive', fn: () => Promise<T>) => (name === 'postgres' ? withRoleLock(mode, fn) : fn());
  /** Through a short-lived handle: PGlite admits one process at a time, and the CLI is another. */
  const run = async (statement: string) => {
    const handle = await openDatabase({ url: backend.url });
    try {
      await sql.raw(statement).execute(handle.db);
    } finally {
      await handle.close();
    }
  };
  const verify = (...args: string[]) => runCli(['--url', backend.url, ...args, 'verify']);

  beforeAll(async () => {
    backend = await provision(name, 'verifycli');
    const migrated = await runCli(['--url', backend.url, 'migrate', 'up']);
    expect(migrated.code).toBe(0);
  });
  afterAll(async () => {
    await backend?.cleanup();
  });

  it('exits 0 on the migrated database, in both output forms', async () => {
    await roleLock('shared', async () => {
      const human = await verify();
      expect(human.stderr).toBe('');
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/✓ schema matches the snapshot v1\.2\.0\n$/);
      const json = await verify('--json');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: true,
        command: 'verify',
        durationMs: expect.any(Number),
        schemaVersion: '1.2.0',
        findings: [],
        allowed: [],
        earlierVersion: null,
      });
    });
  });

  it('exits 1 and names each broken object, grouped by table', async () => {
    await run('drop index idx_tasks_user_created; alter table users alter column email drop not null; alter policy tasks_update_own on tasks using (true) with check (true)');
    try {
      await roleLock('shared', async () => {
        const json = await verify('--json');
        expect(json.code).toBe(1);
        const doc = JSON.parse(json.stdout) as Doc;
        expect(doc.ok).toBe(false);
        expect(doc.findings.map((f) => [f.id, f.object, f.details.table])).toEqual([
          ['missing', 'idx_tasks_user_created', 'tasks'],
          ['different', 'policy tasks_update_own', 'tasks'],
          ['different', 'users.email', 'users'],
        ]);
        expect(doc.findings[2]).toMatchObject({ status: 'fail', details: { type: 'column', expected: 'character varying(255) NOT NULL', actual: 'character varying(255) NULL' } });
        const human = await verify();
        expect(human.code).toBe(1);
        expect(human.stdout).toMatch(/\n {2}users\n {4}✗ different {2}users\.email {2}nullability is NULL, expected NOT NULL\n/);
        expect(human.stdout).toMatch(/^ {2}tasks\n/m);
        expect(human.stdout).toMatch(/✗ missing {4}idx_tasks_user_created/);
        expect(human.stdout).toMatch(/fix idx_tasks_user_created: CREATE INDEX idx_tasks_user_created ON tasks USING btree \(user_id, created_at DESC\)/);
        expect(human.stdout).toMatch(/3 differences from the schema snapshot v1\.2\.0\./);
      });
    } finally {
      await run(`create index idx_tasks_user_created on tasks (user_id, created_at desc); alter table users alter column email set not null;
        alter policy tasks_update_own on tasks using (user_id = (select app_current_user_id())) with check (user_id = (select app_current_user_id()))`);
    }
  });

  it('tells a database that is exactly the schema after an earlier migration to migrate, exit 1', async () => {
    expect((await runCli(['--url', backend.url, 'migrate', 'down', '--yes'])).code).toBe(0);
    try {
      await roleLock('shared', async () => {
        const human = await verify();
        expect(human.code).toBe(1);
        expect(human.stdout).toMatch(
          /The database matches the schema after 0005_tasks_archive \(v1\.1\.0\), not the latest v1\.2\.0: run `todo-db migrate up` \(through 0006_better_auth\)\.\n$/,
        );
        const doc = JSON.parse((await verify('--json')).stdout);
        expect(doc).toMatchObject({ ok: false, schemaVersion: '1.2.0', earlierVersion: { migration: '0005_tasks_archive', version: '1.1.0', upTo: ['0006_better_auth'] } });
        expect(doc.findings.map((f: { object: string }) => f.object)).toEqual(expect.arrayContaining(['accounts', 'sessions', 'verifications']));
      });
    } finally {
      expect((await runCli(['--url', backend.url, 'migrate', 'up'])).code).toBe(0);
    }
  });

  it('names the last migration whose schema it matches, from the snapshot, several migrations back', async () => {
    expect((await runCli(['--url', backend.url, 'migrate', 'down', '--to', '0003_updated_at_triggers', '--yes'])).code).toBe(0);
    try {
      await roleLock('shared', async () => {
        const doc = JSON.parse((await verify('--json')).stdout);
        expect(doc).toMatchObject({
          ok: false,
          earlierVersion: { migration: '0003_updated_at_triggers', upTo: ['0004_row_level_security', '0005_tasks_archive', '0006_better_auth'] },
        });
        expect((await verify()).stdout).toMatch(
          /matches the schema after 0003_updated_at_triggers, not the latest v1\.2\.0: run `todo-db migrate up` \(through 0006_better_auth\)/,
        );
      });
    } finally {
      expect((await runCli(['--url', backend.url, 'migrate', 'up'])).code).toBe(0);
    }
  });

  it('exits 1 on todo_app with BYPASSRLS and prints the ALTER ROLE that fixes it', async () => {
    await roleLock('exclusive', async () => {
      await run('alter role todo_app bypassrls');
      try {
        const human = await verify();
        expect(human.code).toBe(1);
        expect(human.stdout).toMatch(/✗ different {2}role todo_app {2}BYPASSRLS instead of NOBYPASSRLS: row-level security does not apply to it/);
        expect(human.stdout).toMatch(/fix role todo_app: ALTER ROLE todo_app NOBYPASSRLS\n/);
      } finally {
        await run('alter role todo_app nobypassrls');
      }
    });
  });
});

describe('todo-db verify as a role without CREATE, in a read-only session (as on a hot standby)', () => {
  let backend: TestBackend;
  const reader = `todo_db_reader_${process.pid}`;
  beforeAll(async () => {
    backend = await provision('postgres', 'verifyreader');
    expect((await runCli(['--url', backend.url, 'migrate', 'up'])).code).toBe(0);
    await adminQuery(`drop role if exists ${reader}; create role ${reader} login nocreatedb`);
  });
  afterAll(async () => {
    await backend?.cleanup();
    await adminQuery(`drop role if exists ${reader}`);
  });

  it('passes, creating nothing', async () => {
    const url = new URL(backend.url);
    url.username = reader;
    const database = url.pathname.slice(1);
    const [row] = await adminQuery<{ create: boolean }>(
      `select has_database_privilege('${reader}', '${database}', 'CREATE') or has_schema_privilege('${reader}', 'public', 'CREATE') as create`,
    );
    expect(row?.create).toBe(false);
    const result = await withRoleLock('shared', () => runCli(['--url', url.toString(), '--json', 'verify'], { env: { PGOPTIONS: '-c default_transaction_read_only=on' } }));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, findings: [] });
    expect(result.code).toBe(0);
  });
});

describe('todo-db verify with a bad snapshot file', () => {
  const work = mkdtempSync(join(tmpdir(), 'todo-db-snapshot-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const bad = (name: string, text: string | null) => {
    const path = join(work, name);
    if (text !== null) writeFileSync(path, text);
    return runCli(['--url', 'pglite:memory', 'verify', '--snapshot', path]);
  };

  it('exits 2 in one line when it is missing, unparsable or from a newer todo-db', async () => {
    const missing = await bad('missing.json', null);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^todo-db: schema snapshot \S+missing\.json does not exist \(generate it with `todo-db schema snapshot`\)\n$/);
    const garbage = await bad('garbage.json', '{ not json');
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/^todo-db: schema snapshot \S+ is not valid JSON: .*\n$/);
    const newer = await bad('newer.json', JSON.stringify({ format: 99, schemaVersion: '9.0.0', roles: [], migrations: [], objects: {} }));
    expect(newer.code).toBe(2);
    expect(newer.stderr).toMatch(/format 99, written by a newer todo-db/);
  });
});

describe('todo-db verify on pg-mem', () => {
  it('exits 2 saying why', async () => {
    const result = await runCli(['--url', 'pgmem:', 'verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('todo-db: pgmem has no PostgreSQL catalog to verify against the schema snapshot (run verify against PostgreSQL or PGlite)\n');
  });
});
