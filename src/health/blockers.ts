import { formatMs } from '../text.js';
import { formatSeconds } from './format.js';
import type { HealthFindingInput } from './types.js';

export const PREFLIGHT_SQL = 'health/preflight.sql';
export const LOCKS_SQL = 'health/locks.sql';

/** A row of sql/health/locks.sql: an ACCESS EXCLUSIVE lock held (or queued for) on a relation. */
export interface LockRow {
  granted: boolean;
  table: string;
  pid: number | null;
  gid: string | null;
  state: string | null;
  user: string | null;
  application: string | null;
  age_seconds: number | null;
  query: string;
}

/** `pid 4242 (postgres, psql), idle in transaction for 42 s: lock table tasks …`, or the prepared transaction by name. */
export function describeHolder(row: LockRow): string {
  const age = row.age_seconds === null ? '' : ` ${formatSeconds(row.age_seconds)}`;
  if (row.pid === null) return `prepared transaction '${row.gid ?? '?'}' (prepared${age} ago)`;
  const who = row.user ? ` (${row.user}${row.application ? `, ${row.application}` : ''})` : '';
  return `pid ${row.pid}${who}, ${row.state ?? 'state unknown'}${age ? ` for${age}` : ''}: ${row.query || '(no query)'}`;
}

/** The one-line remedy for a holder: end that session, or resolve that prepared transaction. */
export function holderFix(row: LockRow): string {
  return row.pid === null
    ? `COMMIT PREPARED '${row.gid}' or ROLLBACK PREPARED '${row.gid}' once you know what it was`
    : `end the blocking transaction (its app should commit or roll back); as a last resort SELECT pg_terminate_backend(${row.pid})`;
}

/**
 * A check that could not run because a lock stood in its way: it fails, naming the
 * table and each holder (those holding the lock first, then those queued for it,
 * who block too).
 */
export function lockFailure(locks: readonly LockRow[], waitedMs: number | null): { message: string; findings: HealthFindingInput[]; fix: string } {
  const holders = locks.filter((l) => l.granted);
  const named = holders.length ? holders : locks;
  const waited = waitedMs === null ? '' : ` after ${formatMs(waitedMs)}`;
  if (!named.length)
    return {
      message: `blocked by a lock${waited} (released since: run health again)`,
      findings: [],
      fix: 'run health again; if it recurs, look at `todo-db health` blocked-queries',
    };
  const first = named[0]!;
  const more = named.length > 1 ? ` (and ${named.length - 1} more)` : '';
  const findings = named.map((l) => ({
    object: l.table,
    status: 'fail' as const,
    message: `${l.granted ? 'ACCESS EXCLUSIVE lock held by' : 'ACCESS EXCLUSIVE lock queued for by'} ${describeHolder(l)}`,
    fix: holderFix(l),
    details: { table: l.table, pid: l.pid, gid: l.gid, state: l.state, ageSeconds: l.age_seconds, query: l.query, granted: l.granted },
  }));
  return { message: `blocked${waited} by a lock on ${first.table} ${first.granted ? 'held' : 'queued for'} by ${describeHolder(first)}${more}`, findings, fix: holderFix(first) };
}
