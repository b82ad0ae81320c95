import { migrationStatus } from '../migrations/runner.js';
import { formatMs } from '../text.js';
import { percent } from './format.js';
import type { HealthCheck } from './types.js';

export interface DatabaseRow {
  database: string;
  xid_age: number;
  max_connections: number;
  connections: number;
  /** null when pg_stat_database.stats_reset is unset: the age is unknown */
  stats_age_seconds: number | null;
}
export const DATABASE_SQL = 'health/database.sql';

const ROUND_TRIPS = 3;
/** 2^31: transaction ids left before PostgreSQL stops accepting writes to prevent wraparound. */
const XID_SPACE = 2 ** 31;

export const connection: HealthCheck<number> = {
  id: 'connection',
  title: 'connection',
  needs: [],
  sql: [],
  // The best of a few round trips: one slow packet is not a slow link.
  collect: async (_handle, o) => {
    let best = Infinity;
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      await o.rows('health/round-trip.sql');
      best = Math.min(best, performance.now() - started);
    }
    return best;
  },
  evaluate: ({ data: ms }, t) => ({
    status: ms > t.latencyWarnMs ? 'warn' : 'ok',
    value: Math.round(ms * 100) / 100,
    message: `${formatMs(ms)} round trip`,
  }),
  threshold: (t) => `warn > ${t.latencyWarnMs} ms`,
  fix: 'run the app and its database in the same region; use the pooled endpoint for short queries',
};

export const serverVersion: HealthCheck = {
  id: 'server-version',
  title: 'server version',
  needs: ['catalog'],
  sql: [],
  evaluate: ({ server }, t) => {
    const major = Math.floor(server.versionNum / 10_000);
    return { status: major < t.minServerMajor ? 'warn' : 'ok', value: server.versionNum, message: server.version };
  },
  threshold: (t) => `warn below PostgreSQL ${t.minServerMajor}`,
  fix: 'upgrade PostgreSQL: the schema contract targets 14 and later',
};

type Status = Awaited<ReturnType<typeof migrationStatus>>;

export const migrations: HealthCheck<Status> = {
  id: 'migrations',
  title: 'migrations',
  needs: [],
  sql: [],
  collect: (database, o) => migrationStatus(database, o.migrationsDir ? { dir: o.migrationsDir } : {}),
  evaluate: ({ data: s }) => {
    const applied = s.migrations.filter((m) => m.state === 'applied').length;
    const findings = s.migrations.flatMap((m) => [
      ...(m.state === 'pending' ? [{ object: m.name, status: 'fail' as const, message: 'pending' }] : []),
      ...m.problems.filter((p) => p !== 'no-checksum').map((p) => ({ object: m.name, status: 'fail' as const, message: p === 'edited' ? 'file changed since it was applied' : p })),
    ]);
    const problems = [
      s.pending && `${s.pending} pending`,
      s.edited && `${s.edited} edited`,
      s.missing && `${s.missing} missing`,
      s.outOfOrder && `${s.outOfOrder} out of order`,
    ].filter(Boolean);
    return findings.length
      ? { status: 'fail', value: s.pending, message: `${applied} applied, ${problems.join(', ')}`, findings }
      : { status: 'ok', value: 0, message: `${applied} applied, none pending` };
  },
  fix: 'run `todo-db migrate status`, then `todo-db migrate up` (restore edited files from version control)',
};

export const wraparound: HealthCheck = {
  id: 'wraparound',
  title: 'transaction-id wraparound',
  needs: ['catalog'],
  sql: [DATABASE_SQL],
  evaluate: ({ rows }, t) => {
    const row = rows<DatabaseRow>(DATABASE_SQL)[0];
    const used = percent(row?.xid_age ?? 0, XID_SPACE);
    const status = used >= t.wraparoundFailPercent ? 'fail' : used >= t.wraparoundWarnPercent ? 'warn' : 'ok';
    return {
      status,
      value: Math.round(used * 100) / 100,
      message: `${used.toFixed(2)} % of transaction ids used (${(row?.xid_age ?? 0).toLocaleString('en-US')} since the last freeze)`,
    };
  },
  threshold: (t) => `warn ≥ ${t.wraparoundWarnPercent} %, fail ≥ ${t.wraparoundFailPercent} %`,
  fix: 'run VACUUM (FREEZE) on the oldest tables and check that autovacuum is not blocked',
};

export const connections: HealthCheck = {
  id: 'connections',
  title: 'connections',
  needs: ['sessions'],
  sql: [DATABASE_SQL],
  evaluate: ({ rows }, t) => {
    const row = rows<DatabaseRow>(DATABASE_SQL)[0];
    const used = percent(row?.connections ?? 0, row?.max_connections ?? 0);
    const status = used >= t.connectionsFailPercent ? 'fail' : used >= t.connectionsWarnPercent ? 'warn' : 'ok';
    return { status, value: Math.round(used * 10) / 10, message: `${row?.connections} of max_connections ${row?.max_connections} (${used.toFixed(0)} %)` };
  },
  threshold: (t) => `warn ≥ ${t.connectionsWarnPercent} %, fail ≥ ${t.connectionsFailPercent} %`,
  fix: 'connect through a pooler (Neon: the -pooler endpoint) and lower each pool size',
};
