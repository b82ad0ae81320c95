import { randomUUID } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { betterAuthSchema } from '../../src/better-auth.js';
import type { TodoDatabase } from '../../src/index.js';
import type { BackendName } from './backends.js';
import { adminQuery } from './postgres.js';

/** Where password-reset mails would go: the tests read the token from here. */
export interface Outbox {
  resets: { email: string; token: string }[];
}

/** The real Better Auth on todo-db's schema, as the Todo backend configures it (docs/better-auth.md). */
export function makeAuth(database: Kysely<any>, outbox: Outbox = { resets: [] }) {
  return betterAuth({
    ...betterAuthSchema,
    user: { ...betterAuthSchema.user, deleteUser: { enabled: true } },
    database: { db: database, type: 'postgres' },
    secret: 'todo-db-test-secret-0123456789-abcdefghijklmnop',
    baseURL: 'http://localhost:3000',
    logger: { disabled: true },
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      sendResetPassword: async ({ user, token }) => {
        outbox.resets.push({ email: user.email, token });
      },
    },
  });
}

export type TestAuth = ReturnType<typeof makeAuth>;

/** The session cookie of a sign-in response, as a browser would send it back. */
export function sessionCookie(headers: Headers): string {
  const cookie = headers.get('set-cookie');
  if (!cookie) throw new Error('no set-cookie header');
  return cookie.split(';')[0]!;
}

/** A cluster-unique login role name (roles are cluster-wide, test files run in parallel). */
export function uniqueRole(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/**
 * A connection that logs in as a new LOGIN role granted `group`. On the server,
 * a pool of its own; PGlite has one session, so it switches that session's role
 * (`use()` switches back to it after another identity used the session).
 */
export interface RoleConnection {
  role: string;
  db: Kysely<any>;
  use(): Promise<void>;
  close(): Promise<void>;
}

export async function loginRole(backend: BackendName, admin: TodoDatabase, url: string, prefix: string, group: 'todo_auth' | 'todo_app'): Promise<RoleConnection> {
  const role = uniqueRole(prefix);
  if (backend === 'postgres') {
    await adminQuery(`create role ${role} login in role ${group}`);
    const roleUrl = new URL(url);
    roleUrl.username = role;
    const pool = new pg.Pool({ connectionString: roleUrl.toString(), max: 3 });
    pool.on('error', () => undefined); // an idle client ended by the server (the database dropped) is not a crash
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    return {
      role,
      db,
      use: async () => undefined,
      close: async () => {
        await db.destroy();
        await adminQuery(`drop role if exists ${role}`);
      },
    };
  }
  await sql`reset role`.execute(admin.db);
  await sql.raw(`create role ${role} login in role ${group}`).execute(admin.db);
  const use = async () => {
    await sql.raw(`set role ${role}`).execute(admin.db);
  };
  await use();
  return { role, db: admin.db, use, close: async () => void (await sql`reset role`.execute(admin.db)) };
}
