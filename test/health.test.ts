import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEALTH_CHECKS, migrateUp, runHealth, UsageError, type CheckResult, type HealthReport } from '../src/index.js';
import { SERVER_BACKENDS, openFresh } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

const check = (report: HealthReport, id: string): CheckResult => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};
const SESSION_CHECKS = ['long-queries', 'idle-in-transaction', 'blocked-queries', 'connections'];

describe.each(SERVER_BACKENDS)('health on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeEach(async () => {
    fresh = await openFresh(backend, 'health');
  });
  afterEach(async () => {
    await fresh?.close();
  });

  it('passes every check on a fresh migrated database, and marks what does not apply', async () => {
    await migrateUp(fresh.handle);
    // The RLS assessment reads the cluster-wide todo_app role: no test may be altering it meanwhile.
    const report = await withRoleLock('shared', () => runHealth(fresh.handle));
    expect(report.checks.map((c) => c.id)).toEqual(HEALTH_CHECKS.map((c) => c.id));
    expect(report.checks.filter((c) => c.status === 'warn' || c.status === 'fail')).toEqual([]);
    expect(report.ok && report.strictOk).toBe(true);
    for (const id of ['connection', 'migrations', 'rls-tables', 'invalid-indexes', 'foreign-key-indexes', 'wraparound']) expect(check(report, id).status).toBe('ok');
    const sessions = SESSION_CHECKS.map((id) => check(report, id).status);
    expect(sessions).toEqual(backend === 'pglite' ? ['n/a', 'n/a', 'n/a', 'n/a'] : ['ok', 'ok', 'ok', 'ok']);
    expect(check(report, 'slow-statements')).toMatchObject({ status: 'n/a', message: expect.stringMatching(/not available/) });
  });

  it('reports idx_tasks_user_id as redundant, naming the indexes that cover it and its size', async () => {
    await migrateUp(fresh.handle);
    const redundant = check(await runHealth(fresh.handle), 'redundant-indexes');
    expect(redundant.status).toBe('ok');
    expect(redundant.details.findings).toEqual([
      expect.objectContaining({
        object: 'idx_tasks_user_id',
        status: 'ok',
        message: expect.stringMatching(/covered by idx_tasks_user_completed, idx_tasks_user_created \(\d.* kB\); kept because the v1 contract names it/),
      }),
    ]);
  });

  it('warns about a duplicate index the contract does not name', async () => {
    await migrateUp(fresh.handle);
    await sql`create index idx_tasks_dup on tasks (user_id, completed)`.execute(fresh.handle.db);
    const redundant = check(await runHealth(fresh.handle), 'redundant-indexes');
    expect(redundant.status).toBe('warn');
    expect(redundant.details.findings).toContainEqual(
      expect.objectContaining({ object: 'idx_tasks_dup', status: 'warn', message: expect.stringMatching(/covered by idx_tasks_user_completed/) }),
    );
    expect(redundant.fix).toMatch(/DROP INDEX CONCURRENTLY/);
  });

  it('fails on pending migrations, naming them', async () => {
    await migrateUp(fresh.handle, { to: '0002_create_tasks' });
    const report = await runHealth(fresh.handle);
    const migrations = check(report, 'migrations');
    expect(migrations).toMatchObject({ status: 'fail', message: '2 applied, 4 pending', details: { value: 4 } });
    expect(migrations.details.findings.map((f) => f.object)).toEqual(['0003_updated_at_triggers', '0004_row_level_security', '0005_tasks_archive', '0006_better_auth']);
    expect(report.ok).toBe(false);
  });

  it('says a database one contract version behind is behind, not broken', async () => {
    await migrateUp(fresh.handle, { to: '0004_row_level_security' });
    // Matching v1.0.0 includes todo_app's attributes: hold the role intact meanwhile.
    const report = await withRoleLock('shared', () => runHealth(fresh.handle));
    expect(check(report, 'migrations')).toMatchObject({ status: 'fail', message: '4 applied, 2 pending' });
    expect(check(report, 'schema')).toMatchObject({ status: 'fail', message: 'is contract v1.0.0, not v1.2.0: migrations pending' });
  });

  it('fails when row-level security is off, naming the table', async () => {
    await migrateUp(fresh.handle);
    await sql`alter table tasks disable row level security`.execute(fresh.handle.db);
    const rls = check(await runHealth(fresh.handle), 'rls-tables');
    expect(rls).toMatchObject({ status: 'fail', fix: 'run `todo-db rls apply`' });
    expect(rls.details.findings).toEqual([expect.objectContaining({ object: 'tasks', status: 'fail', message: expect.stringMatching(/RLS is off/) })]);
  });

  it('fails when RLS is enabled but not forced', async () => {
    await migrateUp(fresh.handle);
    await sql`alter table users no force row level security`.execute(fresh.handle.db);
    expect(check(await runHealth(fresh.handle), 'rls-tables').details.findings).toEqual([
      expect.objectContaining({ object: 'users', status: 'fail', message: expect.stringMatching(/not forced/) }),
    ]);
  });

  it('fails when the application logs in as a role that bypasses RLS', async () => {
    await migrateUp(fresh.handle);
    const role = check(await runHealth(fresh.handle, { app: { appRole: 'postgres' } }), 'rls-app-role');
    expect(role.status).toBe('fail');
    expect(role.details.findings).toContainEqual(expect.objectContaining({ object: 'postgres', status: 'fail', message: expect.stringMatching(/superuser/) }));
  });

  it('fails on schema drift, naming the object verify found', async () => {
    await migrateUp(fresh.handle);
    await sql`drop index idx_tasks_updated_at`.execute(fresh.handle.db);
    const schema = check(await runHealth(fresh.handle), 'schema');
    expect(schema).toMatchObject({ status: 'fail', fix: expect.stringMatching(/todo-db verify/) });
    expect(schema.details.findings).toEqual([expect.objectContaining({ object: 'idx_tasks_updated_at', status: 'fail' })]);
  });

  it('warns about a foreign key without an index', async () => {
    await migrateUp(fresh.handle);
    for (const index of ['idx_tasks_user_id', 'idx_tasks_user_completed', 'idx_tasks_user_created']) await sql.raw(`drop index ${index}`).execute(fresh.handle.db);
    const fk = check(await runHealth(fresh.handle), 'foreign-key-indexes');
    expect(fk.status).toBe('warn');
    expect(fk.details.findings).toEqual([expect.objectContaining({ object: 'tasks_user_id_fkey', status: 'warn', message: expect.stringMatching(/tasks\(user_id\)/) })]);
  });

  it('applies threshold overrides and rejects bad ones', async () => {
    await migrateUp(fresh.handle);
    const report = await runHealth(fresh.handle, { thresholds: { wraparoundWarnPercent: 0 } });
    expect(check(report, 'wraparound').status).toBe('warn');
    expect(report.thresholds.wraparoundWarnPercent).toBe(0);
    expect(report.strictOk).toBe(false);
    await expect(runHealth(fresh.handle, { thresholds: { latencyWarnMs: -1 } })).rejects.toThrow(UsageError);
  });
});

describe('health on pgmem', () => {
  it('runs the checks that need no catalog and marks the others n/a', async () => {
    const fresh = await openFresh('pgmem', 'health');
    try {
      await migrateUp(fresh.handle);
      const report = await runHealth(fresh.handle);
      const ran = report.checks.filter((c) => c.status !== 'n/a').map((c) => c.id);
      expect(ran).toEqual(['connection', 'migrations']);
      expect(report.ok).toBe(true);
      expect(check(report, 'cache-hit').message).toMatch(/not applicable on pgmem/);
    } finally {
      await fresh.close();
    }
  });
});
