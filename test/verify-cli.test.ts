import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.js';
import { SERVER_BACKENDS, provision, type BackendName, type TestBackend } from './support/backends.js';
import { runCli } from './support/cli.js';
import { withRoleLock } from './support/role-lock.js';

interface Doc {
  ok: boolean;
  contractVersion: string;
  findings: Array<{ kind: string; object: string; table: string | null; expected: string | null; actual: string | null; message: string }>;
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
      expect(human.stdout).toMatch(/✓ schema matches contract v1\.1\.0\n$/);
      const json = await verify('--json');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ ok: true, command: 'verify', durationMs: expect.any(Number), contractVersion: '1.1.0', findings: [], earlierVersion: null });
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
        expect(doc.findings.map((f) => [f.kind, f.object, f.table])).toEqual([
          ['different', 'users.email', 'users'],
          ['missing', 'idx_tasks_user_created', 'tasks'],
          ['different', 'policy tasks_update_own', 'tasks'],
        ]);
        expect(doc.findings[0]).toMatchObject({ expected: 'character varying(255) NOT NULL', actual: 'character varying(255) NULL' });
        const human = await verify();
        expect(human.code).toBe(1);
        expect(human.stdout).toMatch(/\n {2}users\n {4}✗ different {2}users\.email {2}nullability is NULL, expected NOT NULL\n {2}tasks\n/);
        expect(human.stdout).toMatch(/✗ missing {4}idx_tasks_user_created/);
        expect(human.stdout).toMatch(/fix idx_tasks_user_created: CREATE INDEX idx_tasks_user_created ON tasks USING btree \(user_id, created_at DESC\)/);
        expect(human.stdout).toMatch(/3 differences from contract v1\.1\.0\./);
      });
    } finally {
      await run(`create index idx_tasks_user_created on tasks (user_id, created_at desc); alter table users alter column email set not null;
        alter policy tasks_update_own on tasks using (user_id = (select app_current_user_id())) with check (user_id = (select app_current_user_id()))`);
    }
  });

  it('tells a database that is exactly an earlier contract version to migrate, exit 1', async () => {
    expect((await runCli(['--url', backend.url, 'migrate', 'down', '--yes'])).code).toBe(0);
    try {
      await roleLock('shared', async () => {
        const human = await verify();
        expect(human.code).toBe(1);
        expect(human.stdout).toMatch(/The database is exactly contract v1\.0\.0, not v1\.1\.0: run `todo-db migrate up` \(through 0005_tasks_archive\)\.\n$/);
        const doc = JSON.parse((await verify('--json')).stdout);
        expect(doc).toMatchObject({ ok: false, contractVersion: '1.1.0', earlierVersion: { version: '1.0.0', upTo: ['0005_tasks_archive'] } });
        expect(doc.findings.map((f: { object: string }) => f.object)).toEqual(['tasks_archive']);
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

describe('todo-db verify on pg-mem', () => {
  it('exits 2 saying why', async () => {
    const result = await runCli(['--url', 'pgmem:', 'verify']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('todo-db: pgmem has no PostgreSQL catalog to verify against the contract (run verify against PostgreSQL or PGlite)\n');
  });
});
