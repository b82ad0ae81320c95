import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import type { Target } from '../connection/target.js';
import { CREDENTIAL_PROVIDER } from '../better-auth.js';
import type { SeedCounts } from './development.js';

/** The development password of alice, bob and carol (docs/better-auth.md): a known password, so local targets only. */
export const DEVELOPMENT_PASSWORD = 'todo-db-dev-password';

export interface SeedLogins {
  /** created or checked the credential accounts; or why not */
  status: 'created' | 'not-local' | 'no-better-auth';
  accounts: SeedCounts;
  /** the password, named only on a local or embedded target */
  password: string | null;
  message: string;
}

interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  verifyPassword(hash: string, password: string): Promise<boolean>;
}

/** Better Auth's own scrypt hashing, when the optional peer dependency is installed. */
async function betterAuthHasher(): Promise<PasswordHasher | null> {
  try {
    const specifier = 'better-auth/crypto';
    const crypto = (await import(specifier)) as { hashPassword: PasswordHasher['hashPassword']; verifyPassword: (input: { hash: string; password: string }) => Promise<boolean> };
    return { hashPassword: crypto.hashPassword, verifyPassword: (hash, password) => crypto.verifyPassword({ hash, password }) };
  } catch {
    return null;
  }
}

/** 127.0.0.1, localhost, a Unix socket, or embedded: a known password there harms no one. */
export function isLocalTarget(target: Target): boolean {
  if (target.backend !== 'postgres') return true;
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(target.host) || target.host.startsWith('/');
}

/**
 * Gives each seed user a credential account whose password hash Better Auth
 * accepts, so `signInEmail` works with DEVELOPMENT_PASSWORD. Idempotent: an
 * account whose hash already verifies is left alone. Not on a remote target
 * unless `withLogins`; not at all without better-auth installed.
 */
export async function seedLogins(database: TodoDatabase, users: readonly { id: string; email: string }[], withLogins = false): Promise<SeedLogins> {
  const none: SeedCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const local = isLocalTarget(database.target);
  if (!local && !withLogins) {
    return {
      status: 'not-local',
      accounts: none,
      password: null,
      message: 'no credential accounts: the target is not local and a known password is a working login (pass --with-logins to create them anyway)',
    };
  }
  const hasher = await betterAuthHasher();
  if (!hasher) {
    return { status: 'no-better-auth', accounts: none, password: null, message: 'no credential accounts: better-auth is not installed (npm install better-auth, then seed again)' };
  }
  const counts = { ...none };
  for (const user of users) {
    const existing = (
      await sql<{ id: string; password: string | null }>`select id, password from accounts where user_id = ${user.id} and provider_id = ${CREDENTIAL_PROVIDER}`.execute(database.db)
    ).rows[0];
    if (existing?.password && (await hasher.verifyPassword(existing.password, DEVELOPMENT_PASSWORD))) {
      counts.unchanged++;
      continue;
    }
    const hash = await hasher.hashPassword(DEVELOPMENT_PASSWORD);
    if (existing) {
      await sql`update accounts set password = ${hash} where id = ${existing.id}`.execute(database.db);
      counts.updated++;
    } else {
      // Better Auth's credential account: account_id is the user's id.
      await sql`insert into accounts (user_id, account_id, provider_id, password) values (${user.id}, ${user.id}, ${CREDENTIAL_PROVIDER}, ${hash})`.execute(database.db);
      counts.inserted++;
    }
  }
  const password = local ? DEVELOPMENT_PASSWORD : null;
  const message = `credential accounts for ${users.map((u) => u.email).join(', ')}` + (password ? ` (password: ${password})` : ' (password: see docs/better-auth.md)');
  return { status: 'created', accounts: counts, password, message };
}
