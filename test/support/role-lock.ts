import pg from 'pg';
import { PG_ADMIN_URL } from './postgres.js';

/** One key for the whole cluster: advisory locks are per database, so all take it in `postgres`. */
const ROLE_LOCK_KEY = 727_000_001;

/**
 * Roles are cluster-wide. A test that changes `todo_app` itself (BYPASSRLS, say)
 * holds the lock exclusively until it has restored the role; a test whose result
 * depends on `todo_app` being intact (rls verify passing) holds it shared.
 * Parallel test files then never see each other's role changes.
 */
export async function withRoleLock<T>(mode: 'shared' | 'exclusive', fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(mode === 'shared' ? 'select pg_advisory_lock_shared($1)' : 'select pg_advisory_lock($1)', [ROLE_LOCK_KEY]);
    return await fn();
  } finally {
    // Ending the session releases the lock even if the unlock is never sent.
    await client.end();
  }
}
