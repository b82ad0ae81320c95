import { hasSqlState } from '../sql-state.js';
import type { HealthCheck } from './types.js';

const EXPIRED_SQL = 'health/expired-sessions.sql';

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
  evaluate: ({ data }, t) => {
    if (!data) return { status: 'n/a', value: null, message: 'no sessions table (migration 0006 not applied)' };
    const message = `${data.expired} of ${data.total} sessions expired`;
    return { status: data.expired > t.expiredSessionsWarn ? 'warn' : 'ok', value: data.expired, message };
  },
  threshold: (t) => `warn > ${t.expiredSessionsWarn}`,
  fix: 'remove them: psql "$DATABASE_URL_UNPOOLED" -f sql/cleanup-expired-sessions.sql (repeat until it deletes 0 rows)',
};
