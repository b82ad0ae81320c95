import { getMigrations } from 'better-auth/db/migration';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { betterAuthSchema } from '../src/better-auth.js';
import { createTask, listTasks, withUser, type Database } from '../src/index.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { loginRole, makeAuth, sessionCookie, type Outbox, type RoleConnection, type TestAuth } from './support/better-auth.js';
import { useFreshDatabase } from './support/fresh-database.js';
import { withRoleLock } from './support/role-lock.js';

const PASSWORD = 'correct horse battery staple';

/**
 * The real Better Auth (its built-in Kysely adapter) on a freshly migrated
 * database: the auth service as a login role in todo_auth, the app as one in
 * todo_app. On PGlite both share its one session, switching roles.
 */
describe.each(SERVER_BACKENDS)('Better Auth on todo-db (%s)', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'better_auth' });
  let authConn: RoleConnection;
  let appConn: RoleConnection;
  let auth: TestAuth;
  const outbox: Outbox = { resets: [] };
  const users: Record<'a' | 'b', { id: string; email: string }> = { a: { id: '', email: 'ada@todo.test' }, b: { id: '', email: 'bo@todo.test' } };
  let cookieA = '';

  beforeAll(async () => {
    appConn = await loginRole(backend, fresh.handle, fresh.backend.url, 'app_login', 'todo_app');
    authConn = await loginRole(backend, fresh.handle, fresh.backend.url, 'auth_login', 'todo_auth');
    auth = makeAuth(authConn.db, outbox);
  });
  afterAll(async () => {
    await authConn?.close();
    await appConn?.close();
  });

  const count = async (table: string, where: ReturnType<typeof sql>) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(fresh.handle.db)).rows[0]!.n);
  /** Reads as the maintenance role (the test's own handle), whatever role the session was switched to. */
  const asOwner = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (backend === 'pglite') await sql`reset role`.execute(fresh.handle.db);
    try {
      return await fn();
    } finally {
      await authConn.use();
    }
  };

  it("getMigrations() finds nothing to create, add or index: the schema is Better Auth's", async () => {
    const migrations = await getMigrations({
      ...betterAuthSchema,
      database: { db: authConn.db, type: 'postgres' },
      logger: { disabled: true },
      emailAndPassword: { enabled: true },
    });
    expect(migrations.toBeCreated.map((t) => t.table)).toEqual([]);
    expect(migrations.toBeAdded.map((t) => t.table)).toEqual([]);
    expect(migrations.toBeAddedIndexes.map((i) => i.name)).toEqual([]);
    expect(migrations.unsafeChanges).toEqual([]);
    expect(await migrations.compileMigrations()).toBe(';');
  });

  it('signs up two users with uuid ids and a credential account each', async () => {
    for (const [key, name] of [
      ['a', 'Ada'],
      ['b', 'Bo'],
    ] as const) {
      const { user } = await auth.api.signUpEmail({ body: { email: users[key].email, password: PASSWORD, name } });
      expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      users[key].id = user.id;
    }
    await asOwner(async () => {
      expect(await count('users', sql`id in (${users.a.id}, ${users.b.id}) and email_verified = false`)).toBe(2);
      const accounts = await sql<{
        user_id: string;
        account_id: string;
        password: string;
      }>`select user_id, account_id, password from accounts where provider_id = 'credential' order by created_at`.execute(fresh.handle.db);
      expect(accounts.rows.map((r) => r.user_id)).toEqual([users.a.id, users.b.id]);
      expect(accounts.rows.every((r) => r.password.includes(':') && !r.password.includes(PASSWORD))).toBe(true);
    });
  });

  it('signs in: the cookie gives getSession the uuid; a wrong password is refused', async () => {
    const signedIn = await auth.api.signInEmail({ body: { email: users.a.email, password: PASSWORD }, returnHeaders: true });
    cookieA = sessionCookie(signedIn.headers);
    const session = await auth.api.getSession({ headers: new Headers({ cookie: cookieA }) });
    expect(session?.user.id).toBe(users.a.id);
    expect(session?.user.email).toBe(users.a.email);
    await expect(auth.api.signInEmail({ body: { email: users.a.email, password: 'not the password' } })).rejects.toMatchObject({ statusCode: 401 });
    await expect(auth.api.signInEmail({ body: { email: 'nobody@todo.test', password: PASSWORD } })).rejects.toMatchObject({ statusCode: 401 });
    await asOwner(async () => expect(await count('sessions', sql`user_id = ${users.a.id}`)).toBe(2));
  });

  it('records a password-reset request in verifications, and the reset works', async () => {
    await auth.api.requestPasswordReset({ body: { email: users.b.email, redirectTo: 'http://localhost:3000/reset' } });
    const mail = outbox.resets.find((r) => r.email === users.b.email);
    expect(mail?.token).toBeTruthy();
    await asOwner(async () => expect(await count('verifications', sql`identifier = ${`reset-password:${mail!.token}`} and value = ${users.b.id} and expires_at > now()`)).toBe(1));
    await auth.api.resetPassword({ body: { token: mail!.token, newPassword: `${PASSWORD}!` } });
    await expect(auth.api.signInEmail({ body: { email: users.b.email, password: `${PASSWORD}!` } })).resolves.toMatchObject({ user: { id: users.b.id } });
  });

  it('the app (todo_app) keeps tasks apart, and neither role reaches the other side', async () => {
    await withRoleLock('shared', async () => {
      await appConn.use();
      try {
        const app = appConn.db as Kysely<Database>;
        for (const [key, titles] of [
          ['a', ['A one', 'A two']],
          ['b', ['B one']],
        ] as const) {
          for (const title of titles) await withUser(app, users[key].id, (trx) => createTask(trx, { user_id: users[key].id, title }));
        }
        const aSees = await withUser(app, users.a.id, (trx) => listTasks(trx, users.a.id, 50));
        expect(aSees.map((t) => t.title).sort()).toEqual(['A one', 'A two']);
        // Even asking for B's tasks by user id, A sees none.
        expect(await withUser(app, users.a.id, (trx) => listTasks(trx, users.b.id, 50))).toEqual([]);
        for (const table of ['sessions', 'accounts', 'verifications']) {
          await expect(withUser(app, users.a.id, (trx) => sql`select count(*) from ${sql.table(table)}`.execute(trx))).rejects.toThrow(/permission denied/);
        }
        await expect(withUser(app, users.a.id, (trx) => trx.updateTable('users').set({ email: 'stolen@todo.test' }).where('id', '=', users.a.id).execute())).rejects.toThrow(
          /permission denied/,
        );
      } finally {
        await authConn.use();
      }
      for (const table of ['tasks', 'tasks_archive']) {
        await expect(sql`select count(*) from ${sql.table(table)}`.execute(authConn.db)).rejects.toThrow(/permission denied/);
      }
    });
  });

  it('deleteUser removes the user, their sessions, accounts and tasks, and nothing of B', async () => {
    await auth.api.deleteUser({ body: { password: PASSWORD }, headers: new Headers({ cookie: cookieA }) });
    expect(await auth.api.getSession({ headers: new Headers({ cookie: cookieA }) })).toBeNull();
    await asOwner(async () => {
      for (const table of ['sessions', 'accounts', 'tasks']) expect(await count(table, sql`user_id = ${users.a.id}`), table).toBe(0);
      expect(await count('users', sql`id = ${users.a.id}`)).toBe(0);
      expect(await count('users', sql`id = ${users.b.id}`)).toBe(1);
      expect(await count('accounts', sql`user_id = ${users.b.id}`)).toBe(1);
      expect(await count('tasks', sql`user_id = ${users.b.id}`)).toBe(1);
    });
  });

  it('updated_at is kept by the database on the auth tables too', async () => {
    await asOwner(async () => {
      await sql`update accounts set updated_at = '2000-01-01' where user_id = ${users.b.id}`.execute(fresh.handle.db);
      expect(await count('accounts', sql`user_id = ${users.b.id} and updated_at > now() - interval '1 minute'`)).toBe(1);
    });
  });
});

/** What v1.1.0 is made of, as the catalog shows it: down 0006 must give exactly this back. */
async function fingerprint(db: Kysely<any>): Promise<unknown> {
  const q = async (text: string) => (await sql.raw(text).execute(db)).rows;
  return {
    columns: await q(`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns where table_schema = current_schema() order by 1, 2`),
    indexes: await q(`select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() order by 1, 2`),
    policies: await q(`select tablename, policyname, cmd, roles::text, qual, with_check from pg_policies where schemaname = current_schema() order by 1, 2`),
    acl: await q(
      `select relname, relacl::text, relrowsecurity, relforcerowsecurity from pg_class where relnamespace = current_schema()::regnamespace and relkind = 'r' order by 1`,
    ),
    columnAcl: await q(
      `select attrelid::regclass::text, attname, attacl::text from pg_attribute where attacl is not null and attrelid in (select oid from pg_class where relnamespace = current_schema()::regnamespace) order by 1, 2`,
    ),
    triggers: await q(`select tgrelid::regclass::text, tgname from pg_trigger where not tgisinternal order by 1, 2`),
    functions: await q(`select proname from pg_proc where pronamespace = current_schema()::regnamespace order by 1`),
  };
}

describe.each(SERVER_BACKENDS)('migration 0006 round trip (%s)', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'auth_down', migrated: false });

  it('down to 0005 leaves v1.1.0 exactly, after Better Auth has used the tables; down --all works', async () => {
    const { migrateDown, migrateUp } = await import('../src/index.js');
    await migrateUp(fresh.handle, { to: '0005_tasks_archive' });
    const v110 = await fingerprint(fresh.handle.db);
    await migrateUp(fresh.handle);
    const auth = makeAuth(fresh.handle.db);
    await auth.api.signUpEmail({ body: { email: 'round@todo.test', password: PASSWORD, name: 'Round' } });
    await auth.api.requestPasswordReset({ body: { email: 'round@todo.test', redirectTo: 'http://localhost:3000/reset' } });
    expect(await fingerprint(fresh.handle.db)).not.toEqual(v110);
    await migrateDown(fresh.handle, { to: '0005_tasks_archive' });
    expect(await fingerprint(fresh.handle.db)).toEqual(v110);
    await migrateUp(fresh.handle);
    await migrateDown(fresh.handle, { all: true });
    expect(
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from pg_class where relnamespace = current_schema()::regnamespace and relname in ('users', 'sessions')`.execute(
            fresh.handle.db,
          )
        ).rows[0]!.n,
      ),
    ).toBe(0);
  });
});
