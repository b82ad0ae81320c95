import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from '../src/index.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { makeAuth, sessionCookie } from './support/better-auth.js';
import { runCli } from './support/cli.js';
import { useFreshDatabase } from './support/fresh-database.js';
import { withRoleLock } from './support/role-lock.js';

/**
 * The "Done when" gates on contract v1.2.0 that need the committed snapshot
 * regenerated from the migrations (branch `schema`): verify, health and
 * schema diagram --check pass on a database Better Auth has used, and down to
 * 0005 verifies as exactly v1.1.0. They pass only once both branches are merged
 * and the snapshot and README diagram are regenerated.
 */
describe.each(SERVER_BACKENDS)('v1.2.0 gates after Better Auth was used (%s)', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'auth_verify', migrated: false });
  const cli = (...args: string[]) => runCli([...args, '--url', fresh.backend.url]);

  it('verify, health, rls status, rls verify and schema diagram --check pass; down to 0005 verifies as v1.1.0', async () => {
    await migrateUp(fresh.handle);
    const auth = makeAuth(fresh.handle.db);
    await auth.api.signUpEmail({ body: { email: 'gate@todo.test', password: 'gate password 123', name: 'Gate' } });
    const signedIn = await auth.api.signInEmail({ body: { email: 'gate@todo.test', password: 'gate password 123' }, returnHeaders: true });
    expect(await auth.api.getSession({ headers: new Headers({ cookie: sessionCookie(signedIn.headers) }) })).not.toBeNull();
    await auth.api.requestPasswordReset({ body: { email: 'gate@todo.test', redirectTo: 'http://localhost:3000/reset' } });
    expect(Number((await sql<{ n: number }>`select count(*) as n from verifications`.execute(fresh.handle.db)).rows[0]!.n)).toBe(1);

    await withRoleLock('shared', async () => {
      for (const args of [['verify'], ['health'], ['rls', 'status'], ['rls', 'verify'], ['schema', 'diagram', '--check', join(import.meta.dirname, '..', 'README.md')]]) {
        const run = await cli(...args);
        expect({ args, code: run.code, out: run.code === 0 ? '' : run.stdout + run.stderr }).toEqual({ args, code: 0, out: '' });
      }
      await migrateDown(fresh.handle, { to: '0005_tasks_archive' });
      const verified = await cli('verify', '--json');
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: false, earlierVersion: { version: '1.1.0' } });
    });
  });
});
