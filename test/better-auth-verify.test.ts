import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateDown, migrateUp, openDatabase, type TodoDatabase } from '../src/index.js';
import { SERVER_BACKENDS, provision } from './support/backends.js';
import { makeAuth, sessionCookie } from './support/better-auth.js';
import { runCli } from './support/cli.js';
import { withRoleLock } from './support/role-lock.js';

/**
 * The "Done when" gates of contract v1.2.0: verify, health, rls status, rls
 * verify and schema diagram --check pass on a database Better Auth has used,
 * and down to 0005 verifies as exactly v1.1.0.
 */
describe.each(SERVER_BACKENDS)('v1.2.0 gates after Better Auth was used (%s)', (backend) => {
  it('verify, health, rls status, rls verify and schema diagram --check pass; down to 0005 verifies as v1.1.0', async () => {
    const target = await provision(backend, 'auth_verify');
    const cli = (...args: string[]) => runCli([...args, '--url', target.url]);
    // An embedded database has one process at a time: the library's handle is closed while the CLI runs.
    const withHandle = async (fn: (handle: TodoDatabase) => Promise<void>) => {
      const handle = await openDatabase({ url: target.url });
      try {
        await fn(handle);
      } finally {
        await handle.close();
      }
    };
    try {
      await withHandle(async (handle) => {
        await migrateUp(handle);
        const auth = makeAuth(handle.db);
        await auth.api.signUpEmail({ body: { email: 'gate@todo.test', password: 'gate password 123', name: 'Gate' } });
        const signedIn = await auth.api.signInEmail({ body: { email: 'gate@todo.test', password: 'gate password 123' }, returnHeaders: true });
        expect(await auth.api.getSession({ headers: new Headers({ cookie: sessionCookie(signedIn.headers) }) })).not.toBeNull();
        await auth.api.requestPasswordReset({ body: { email: 'gate@todo.test', redirectTo: 'http://localhost:3000/reset' } });
        expect(Number((await sql<{ n: number }>`select count(*) as n from verifications`.execute(handle.db)).rows[0]!.n)).toBe(1);
      });
      await withRoleLock('shared', async () => {
        for (const args of [['verify'], ['health'], ['rls', 'status'], ['rls', 'verify'], ['schema', 'diagram', '--check', join(import.meta.dirname, '..', 'README.md')]]) {
          const run = await cli(...args);
          expect({ args, code: run.code, out: run.code === 0 ? '' : run.stdout + run.stderr }).toEqual({ args, code: 0, out: '' });
        }
        await withHandle((handle) => migrateDown(handle, { to: '0005_tasks_archive' }).then(() => undefined));
        const verified = await cli('verify', '--json');
        expect(verified.code).toBe(1);
        expect(JSON.parse(verified.stdout)).toMatchObject({
          ok: false,
          schemaVersion: '1.2.0',
          earlierVersion: { version: '1.1.0', migration: '0005_tasks_archive', upTo: ['0006_better_auth'] },
        });
      });
    } finally {
      await target.cleanup();
    }
  }, 120_000);
});
