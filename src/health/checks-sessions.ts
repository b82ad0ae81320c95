import { formatSeconds } from './format.js';
import type { HealthFindingInput, HealthCheck, Verdict } from './types.js';

export interface ActivityRow {
  pid: number;
  user: string | null;
  application: string | null;
  state: string | null;
  query_seconds: number | null;
  state_seconds: number | null;
  blocked_by: number[] | null;
  /** prepared transactions holding a lock this session waits for (pg_blocking_pids says 0 for them) */
  blocked_by_prepared: string[] | null;
  query: string;
}
export const ACTIVITY_SQL = 'health/activity.sql';

const session = (r: ActivityRow) => `pid ${r.pid}${r.user ? ` (${r.user}${r.application ? `, ${r.application}` : ''})` : ''}`;

function summary(findings: HealthFindingInput[], none: string, what: string): Verdict {
  if (!findings.length) return { status: 'ok', value: 0, message: none };
  const status = findings.some((f) => f.status === 'fail') ? 'fail' : 'warn';
  return { status, value: findings.length, message: `${findings.length} ${what}: ${findings[0]!.object} ${findings[0]!.message}`, findings };
}

export const longQueries: HealthCheck = {
  id: 'long-queries',
  title: 'long-running queries',
  needs: ['sessions'],
  sql: [ACTIVITY_SQL],
  evaluate: ({ rows }, t) =>
    summary(
      rows<ActivityRow>(ACTIVITY_SQL)
        .filter((r) => r.state === 'active' && (r.query_seconds ?? 0) >= t.longQueryWarnSeconds)
        .map((r) => ({
          object: session(r),
          status: (r.query_seconds ?? 0) >= t.longQueryFailSeconds ? 'fail' : 'warn',
          message: `running ${formatSeconds(r.query_seconds ?? 0)}: ${r.query}`,
        })),
      'none running longer than the threshold',
      'long-running',
    ),
  threshold: (t) => `warn ≥ ${t.longQueryWarnSeconds} s, fail ≥ ${t.longQueryFailSeconds} s`,
  fix: 'find the caller; cancel with SELECT pg_cancel_backend(pid); set a statement_timeout for the app role',
};

export const idleInTransaction: HealthCheck = {
  id: 'idle-in-transaction',
  title: 'idle in transaction',
  needs: ['sessions'],
  sql: [ACTIVITY_SQL],
  evaluate: ({ rows }, t) =>
    summary(
      rows<ActivityRow>(ACTIVITY_SQL)
        .filter((r) => (r.state ?? '').startsWith('idle in transaction') && (r.state_seconds ?? 0) >= t.idleInTransactionWarnSeconds)
        .map((r) => ({
          object: session(r),
          status: (r.state_seconds ?? 0) >= t.idleInTransactionFailSeconds ? 'fail' : 'warn',
          message: `${r.state} for ${formatSeconds(r.state_seconds ?? 0)}, last: ${r.query}`,
        })),
      'no session holds a transaction open while idle',
      'idle in transaction',
    ),
  threshold: (t) => `warn ≥ ${t.idleInTransactionWarnSeconds} s, fail ≥ ${t.idleInTransactionFailSeconds} s`,
  fix: 'commit or roll back in the app (a missing release()?); set idle_in_transaction_session_timeout',
};

export const blockedQueries: HealthCheck = {
  id: 'blocked-queries',
  title: 'blocked queries',
  needs: ['sessions'],
  sql: [ACTIVITY_SQL],
  evaluate: ({ rows }, t) => {
    const all = rows<ActivityRow>(ACTIVITY_SQL);
    const byPid = new Map(all.map((r) => [r.pid, r]));
    const blocker = (pid: number) => {
      const b = byPid.get(pid);
      return b ? `${session(b)} (${b.state}: ${b.query})` : `pid ${pid}`;
    };
    // A prepared transaction has no backend: pg_blocking_pids reports it as pid 0.
    const blockers = (r: ActivityRow) => [
      ...(r.blocked_by ?? []).filter((pid) => pid !== 0).map(blocker),
      ...(r.blocked_by_prepared ?? []).map((gid) => `prepared transaction '${gid}'`),
      ...((r.blocked_by ?? []).includes(0) && !(r.blocked_by_prepared ?? []).length ? ['a prepared transaction'] : []),
    ];
    return summary(
      all
        .filter((r) => (r.blocked_by ?? []).length > 0 && (r.query_seconds ?? 0) >= t.blockedWarnSeconds)
        .map((r) => ({
          object: session(r),
          status: (r.query_seconds ?? 0) >= t.blockedFailSeconds ? 'fail' : 'warn',
          message: `waiting ${formatSeconds(r.query_seconds ?? 0)} for a lock held by ${blockers(r).join(', ')}: ${r.query}`,
          details: { pid: r.pid, blockedBy: (r.blocked_by ?? []).filter((pid) => pid !== 0), blockedByPrepared: r.blocked_by_prepared ?? [] },
        })),
      'no query waits for a lock',
      'blocked',
    );
  },
  threshold: (t) => `warn ≥ ${t.blockedWarnSeconds} s waiting, fail ≥ ${t.blockedFailSeconds} s`,
  fix: "end the blocking transaction (pg_terminate_backend(pid) as a last resort; a prepared one: ROLLBACK PREPARED 'gid'); keep transactions short",
};

interface SlowStatementRow {
  query: string;
  calls: number;
  mean_ms: number;
}
type Statements = { available: false; reason: string } | { available: true; rows: SlowStatementRow[] };

export const slowStatements: HealthCheck<Statements> = {
  id: 'slow-statements',
  title: 'slow statements',
  needs: ['statistics'],
  sql: [],
  // Only where the extension is installed; its view errors when it is not preloaded.
  collect: async (_handle, o) => {
    const installed = await o.rows<{ name: string }>('health/extensions.sql');
    if (!installed.some((e) => e.name === 'pg_stat_statements')) return { available: false, reason: 'not available (pg_stat_statements is not installed)' };
    try {
      return { available: true, rows: await o.rows<SlowStatementRow>('health/slow-statements.sql') };
    } catch (error) {
      return { available: false, reason: `not available (pg_stat_statements: ${(error as Error).message.split('\n')[0]})` };
    }
  },
  evaluate: ({ data }, t) => {
    if (!data.available) return { status: 'n/a', message: data.reason };
    const findings: HealthFindingInput[] = data.rows
      .filter((r) => r.mean_ms >= t.slowStatementWarnMs)
      .map((r) => ({ object: r.query, status: 'warn', message: `${r.mean_ms.toFixed(1)} ms on average over ${r.calls.toLocaleString('en-US')} calls` }));
    const slowest = data.rows[0];
    const ignored = 'maintenance and catalog statements ignored';
    return findings.length
      ? { status: 'warn', value: slowest?.mean_ms ?? null, message: `${findings.length} slower than ${t.slowStatementWarnMs} ms on average (${ignored})`, findings }
      : {
          status: 'ok',
          value: slowest?.mean_ms ?? 0,
          message: `${slowest ? `slowest ${slowest.mean_ms.toFixed(1)} ms on average` : 'no app statements recorded yet'} (${ignored})`,
        };
  },
  threshold: (t) => `warn ≥ ${t.slowStatementWarnMs} ms mean; COPY, VACUUM, ANALYZE, CREATE INDEX, other DDL and catalog reads ignored`,
  fix: 'EXPLAIN the statement named; `todo-db monitor queries` checks the app patterns',
};
