import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_PASSWORD, cleanup, isLocalTarget, seedDevelopment } from '../src/index.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { makeAuth, type Outbox } from './support/better-auth.js';
import { useFreshDatabase } from './support/fresh-database.js';

/** `todo-db seed` gives alice, bob and carol a working Better Auth login; cleanup removes every trace of them and nothing else. */
describe.each(SERVER_BACKENDS)('seed, cleanup and Better Auth (%s)', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'auth_seed' });
  const count = async (table: string, where = sql`true`) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(fresh.handle.db)).rows[0]!.n);

  it('seeds credential accounts signInEmail accepts, idempotently', async () => {
    const first = await seedDevelopment(fresh.handle);
    expect(first.logins).toMatchObject({ status: 'created', accounts: { inserted: 3, updated: 0, unchanged: 0 }, password: DEVELOPMENT_PASSWORD });
    expect(first.logins.message).toContain(DEVELOPMENT_PASSWORD);
    const again = await seedDevelopment(fresh.handle);
    expect(again.logins.accounts).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    const auth = makeAuth(fresh.handle.db);
    const { user } = await auth.api.signInEmail({ body: { email: 'alice@example.com', password: DEVELOPMENT_PASSWORD } });
    expect(user.id).toBe('00000000-5eed-4000-8000-00000000a11c');
    await expect(auth.api.signInEmail({ body: { email: 'bob@example.com', password: 'wrong password!' } })).rejects.toMatchObject({ statusCode: 401 });
  });

  it('cleanup --yes leaves no session, account or verification of a seed user, and every row of a real user', async () => {
    const outbox: Outbox = { resets: [] };
    const auth = makeAuth(fresh.handle.db, outbox);
    await auth.api.signInEmail({ body: { email: 'carol@example.com', password: DEVELOPMENT_PASSWORD } });
    await auth.api.requestPasswordReset({ body: { email: 'bob@example.com', redirectTo: 'http://localhost:3000/reset' } });
    const { user: real } = await auth.api.signUpEmail({ body: { email: 'real@todo.test', password: 'a real password 1', name: 'Real' } });
    await auth.api.requestPasswordReset({ body: { email: 'real@todo.test', redirectTo: 'http://localhost:3000/reset' } });
    // Verification rows that only look like a seed user's: a substring of an email or id is not theirs.
    await sql`insert into verifications (identifier, value, expires_at) values
      ('ALICE@example.com', 'x', now() + interval '1 hour'),
      ('not-alice@example.com.evil.org', 'x', now() + interval '1 hour'),
      ('note', ${'00000000-5eed-4000-8000-00000000a11c-suffix'}, now() + interval '1 hour')`.execute(fresh.handle.db);
    const realRows = {
      sessions: await count('sessions', sql`user_id = ${real.id}`),
      accounts: await count('accounts', sql`user_id = ${real.id}`),
      verifications: await count('verifications', sql`value = ${real.id}`),
    };
    expect(realRows).toEqual({ sessions: 1, accounts: 1, verifications: 1 });
    const seedSessions = await count('sessions', sql`user_id in (select id from users where email like '%@example.com')`);

    const removed = await cleanup(fresh.handle);
    expect(removed).toMatchObject({ users: 3, sessions: seedSessions, accounts: 3, verifications: 2 });
    expect(await count('users', sql`email like '%@example.com'`)).toBe(0);
    expect(await count('sessions', sql`user_id <> ${real.id}`)).toBe(0);
    expect(await count('accounts', sql`user_id <> ${real.id}`)).toBe(0);
    expect({ sessions: await count('sessions'), accounts: await count('accounts'), verifications: await count('verifications', sql`value = ${real.id}`) }).toEqual(realRows);
    expect(
      (await sql<{ identifier: string }>`select identifier from verifications where value <> ${real.id} order by identifier`.execute(fresh.handle.db)).rows.map(
        (r) => r.identifier,
      ),
    ).toEqual(['not-alice@example.com.evil.org', 'note']);
  });

  it('creates no logins on a target that is not local unless asked', () => {
    const remote = { backend: 'postgres', host: 'db.example.net', port: 5432, database: 'app', display: 'x', source: '--url', ssl: false } as const;
    expect(isLocalTarget(remote)).toBe(false);
    expect(isLocalTarget({ ...remote, host: '127.0.0.1' })).toBe(true);
    expect(isLocalTarget({ ...remote, host: '/var/run/postgresql' })).toBe(true);
    expect(isLocalTarget({ backend: 'pglite', dataDir: null, display: 'x', source: '--url' })).toBe(true);
  });
});
