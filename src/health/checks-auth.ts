import { hasSqlState } from '../sql-state.js';
import type { HealthCheck } from './types.js';

const EXPIRED_SQL = 'health/expired-sessions.sql';

/** Expired sessions above this many are worth a cleanup (a few are normal: they go when their cookie returns). */
export const EXPIRED_SESSIONS_WARN = 1000;

type Expired = { expired: number; total: number } | null;

/** Better Auth's sessions past expires_at: a warning when they pile up, with the query that removes them. */
export const expiredSessions: HealthCheck<Expired> = {
  id: 'expired-sessions',
  title: 'expired sessions',
  needs: ['catalog'],
  sql: [],
  collect: async (_handle, options) => {
    try {
      const [row] = await options.rows<{ expired: number; total: number }>(EXPIRED_SQL);
      return row ? { expired: Number(row.expired), total: Number(row.total) } : null;
    } catch (error) {
      // Before migration 0006 there is no sessions table: nothing to judge.
      if (hasSqlState(error, 'undefinedTable')) return null;
      throw error;
    }
  },
  evaluate: ({ data }) => {
    if (!data) return { status: 'n/a', value: null, message: 'no sessions table (migration 0006 not applied)' };
    const message = `${data.expired} of ${data.total} sessions expired`;
    return { status: data.expired > EXPIRED_SESSIONS_WARN ? 'warn' : 'ok', value: data.expired, message };
  },
  threshold: () => `warn > ${EXPIRED_SESSIONS_WARN}`,
  fix: 'remove them: psql "$DATABASE_URL_UNPOOLED" -f sql/cleanup-expired-sessions.sql (repeat until it deletes 0 rows)',
};
