import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../src/index.js';
import { SERVER_BACKENDS, provision, type TestBackend } from './support/backends.js';
import { runCli } from './support/cli.js';
import { withRoleLock } from './support/role-lock.js';

// Runs the built binary (`npm run build` first), as CI and people do.
describe.each(SERVER_BACKENDS)('todo-db rls on %s', (backend) => {
  let db: TestBackend;
  const intact = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());
  const cli = (...args: string[]) => runCli(['--url', db.url, ...args]);
  beforeAll(async () => {
    db = await provision(backend, 'rlscli');
    expect((await cli('migrate', 'up')).code).toBe(0);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it('verify passes every probe and apply is a no-op on a migrated database', async () => {
    await intact(async () => {
      const verify = await cli('rls', 'verify');
      expect(verify.stderr).toBe('');
      expect(verify.stdout).toMatch(/All \d+ probes and checks passed on 5 tenant tables/);
      expect(verify.code).toBe(0);
      const apply = await cli('rls', 'apply');
      expect(apply.stdout).toMatch(/nothing to apply, nothing changed/);
      expect(apply.code).toBe(0);
    });
  });

  it('verify exits 1 naming the leaking probe; apply shows the diff and restores it', async () => {
    await intact(async () => {
      const drift = 'create policy tasks_select_all on tasks for select to todo_app using (true)';
      await withDatabase({ url: db.url }, (handle) => sql.raw(drift).execute(handle.db));
      const verify = await cli('--json', 'rls', 'verify');
      expect(verify.code).toBe(1);
      const doc = JSON.parse(verify.stdout) as { ok: boolean; failed: string[] };
      expect(doc.ok).toBe(false);
      expect(doc.failed).toContain('tasks:read-others:user-A');
      const status = await cli('rls', 'status', '--app-role', 'todo_app');
      expect(status.stderr).toBe('');
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(/policy tasks_select_all \(SELECT on tasks to todo_app, always true\) is not part of the design/);
      const apply = await cli('rls', 'apply');
      expect(apply.code).toBe(0);
      expect(apply.stdout).toMatch(/✓ policy tasks\.tasks_select_all\n\s+before: SELECT TO todo_app USING true\n\s+after:\s+\(none\)/);
      expect(apply.stdout).toMatch(/Applied: 1 change\./);
    });
  });

  it('status exits 1 with the one-line fix when the application connects as a superuser', async () => {
    const url = backend === 'postgres' ? 'postgres://postgres@127.0.0.1:5432/postgres' : db.url;
    const status = await runCli(['--url', db.url, 'rls', 'status'], { env: { DATABASE_URL: url } });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/✗ the application connects as postgres, a superuser: RLS never applies\n\s+fix: connect as a login role granted todo_app/);
    const both = await cli('rls', 'status', '--app-role', 'x', '--app-url', url);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('todo-db: --app-url and --app-role name the same thing (pass one of them)\n');
  });
});

describe('todo-db rls on pgmem', () => {
  it('exits 2 saying the backend has no row-level security', async () => {
    for (const command of ['verify', 'status', 'apply']) {
      const run = await runCli(['--url', 'pgmem:', 'rls', command]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^todo-db: rls ${command} needs row-level security, which pgmem does not have`));
    }
  });

  it('rejects a malformed --app-url before connecting, never printing its password', async () => {
    const run = await runCli(['--url', 'pgmem:', 'rls', 'status', '--app-url', 'postgres://app:s3cret@host:99999999/db']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^todo-db: malformed database URL in the application URL \(--app-url or DATABASE_URL\): postgres:\/\/app:\*\*\*\*@host/);
    expect(run.stderr).not.toContain('s3cret');
  });
});
