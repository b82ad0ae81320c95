import { CompiledQuery, sql, type Kysely } from 'kysely';
import { ProblemError } from '../errors.js';
import { readSql } from '../sql-file.js';

/** How long one DDL statement may wait for a table lock: also how long app queries can queue behind it. */
export const DEFAULT_DDL_LOCK_TIMEOUT_MS = 500;
/** How long a migration may keep retrying for its locks before the run gives up. */
export const DEFAULT_DDL_LOCK_BUDGET_MS = 180_000;

/**
 * Sleeps after a lock timeout: the second column of GitLab's with_lock_retries
 * DEFAULT_TIMING_CONFIGURATION (50 ms ×3, 100, 150, 2 s ×4, 5 s), then 10 s while
 * the budget lasts. GitLab's later minute-long sleeps fit a 40-minute envelope, not
 * a budget of a few minutes. Each is jittered by ±50 % so runners do not retry in step.
 */
export const LOCK_RETRY_SLEEPS_MS = [50, 50, 50, 100, 150, 2000, 2000, 2000, 2000, 5000, 10_000] as const;

export interface DdlLockOptions {
  /** lock_timeout of each migration statement on a server (default 500 ms) */
  ddlLockTimeoutMs?: number;
  /** total time one migration may spend retrying lock timeouts (default 180 s) */
  ddlLockBudgetMs?: number;
  /** progress: a blocker seen, a retry scheduled; the CLI renders these */
  onLockEvent?: (event: LockRetryEvent) => void;
}

/** A session holding a lock a migration waits for, as pg_stat_activity shows it. */
export interface BlockingSession {
  pid: number;
  applicationName: string;
  state: string;
  /** seconds since its transaction (or, outside one, its session) began */
  ageSeconds: number;
  query: string;
}

export type LockRetryEvent =
  | { kind: 'blocked'; migration: string; attempt: number; blockers: BlockingSession[] }
  | { kind: 'retry'; migration: string; attempt: number; sleepMs: number; elapsedMs: number; budgetMs: number; blockers: BlockingSession[] };

/** What a migration went through to get its locks; in the step of the result when it hit a timeout. */
export interface LockRetryReport {
  attempts: number;
  lockTimeouts: number;
  /** time from the first attempt to the successful one */
  elapsedMs: number;
  /** the sessions seen blocking it, latest first */
  blockers: BlockingSession[];
}

/** The lock budget ran out: the migration's transaction was rolled back every time. */
export class DdlLockBudgetError extends ProblemError {
  constructor(
    readonly migration: string,
    readonly report: LockRetryReport,
    readonly timeoutMs: number,
    readonly budgetMs: number,
    /** invalid indexes a timed-out concurrent build left, which could not be dropped while blocked */
    readonly leftover: readonly string[] = [],
    readonly direction: 'up' | 'down' = 'up',
  ) {
    const first = report.blockers[0];
    const again = `\`todo-db migrate ${direction}\` again`;
    const left = leftover.length ? `; it left the invalid index ${leftover.join(', ')} behind` : '';
    const drop = leftover.length ? `, run DROP INDEX CONCURRENTLY ${leftover.join(', ')}` : '';
    super(
      `migration ${migration} could not take its locks within the ${formatSeconds(budgetMs)} lock budget ` +
        `(${report.attempts} attempts, lock_timeout ${timeoutMs} ms each) and was not ${direction === 'up' ? 'applied' : 'reverted'}; ` +
        (first ? `blocked by ${describeBlocker(first)}` : 'no blocking session was seen between attempts') +
        left,
      first
        ? `end that session or wait for it (SELECT pg_terminate_backend(${first.pid}) ends it)${drop}, then run ${again}; --ddl-lock-budget waits longer`
        : `find the long transaction on the table (\`todo-db health\`)${drop}, then run ${again}; --ddl-lock-budget waits longer`,
    );
  }
}

/** `pid 123 (psql, idle in transaction for 42 s): select …` */
export function describeBlocker(b: BlockingSession): string {
  const query = b.query.replace(/\s+/g, ' ').trim();
  return `pid ${b.pid} (${b.applicationName || 'no application_name'}, ${b.state || 'unknown state'} for ${Math.round(b.ageSeconds)} s)${query ? `: ${query.slice(0, 100)}` : ''}`;
}

/** SQLSTATE 55P03 lock_not_available: lock_timeout (or NOWAIT) gave up. */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}

/** Sets lock_timeout for the rest of the transaction (local) or the session. */
export async function setLockTimeout(db: Kysely<any>, ms: number, local: boolean): Promise<void> {
  await sql`select set_config('lock_timeout', ${`${Math.round(ms)}ms`}, ${local})`.execute(db);
}

export interface LockRetryContext {
  migration: string;
  /** the connection the migration runs on (its pid is watched) */
  conn: Kysely<any>;
  /** another connection (a pool) to watch from while the migration waits */
  observer: Kysely<any>;
  timeoutMs: number;
  budgetMs: number;
  direction?: 'up' | 'down';
  onEvent?: (event: LockRetryEvent) => void;
  /** before each retry: undo what a failed attempt left outside its transaction (an invalid index) */
  beforeRetry?: () => Promise<void>;
  /** false: do not watch for blockers (`conn` is a pool behind a transaction pooler, its pid is anyone's) */
  watch?: boolean;
}

/**
 * Runs `attempt` (the whole migration transaction) until it stops failing with a
 * lock timeout or the budget is spent. Each attempt waits at most `timeoutMs` for
 * any lock, so queries that queue behind its request wait at most that long too;
 * between attempts nothing is held and the application runs freely. While an
 * attempt runs, a second connection asks pg_blocking_pids who holds it up.
 */
export async function withLockRetries<T>(ctx: LockRetryContext, attempt: () => Promise<T>): Promise<{ value: T; report: LockRetryReport }> {
  const started = performance.now();
  const pid = ctx.watch === false ? undefined : await backendPid(ctx.conn);
  const report: LockRetryReport = { attempts: 0, lockTimeouts: 0, elapsedMs: 0, blockers: [] };
  for (;;) {
    report.attempts++;
    const watch =
      pid === undefined
        ? { stop: async () => undefined }
        : watchBlockers(ctx.observer, pid, Math.min(250, Math.max(25, ctx.timeoutMs / 4)), (blockers) => {
            const known = new Set(report.blockers.map((b) => b.pid));
            report.blockers = mergeBlockers(blockers, report.blockers);
            const fresh = blockers.filter((b) => !known.has(b.pid));
            if (fresh.length > 0) ctx.onEvent?.({ kind: 'blocked', migration: ctx.migration, attempt: report.attempts, blockers: fresh });
          });
    try {
      // A cleanup that hits its own lock timeout counts as a failed attempt: the next round tries again.
      if (report.attempts > 1) await ctx.beforeRetry?.();
      const value = await attempt();
      await watch.stop();
      report.elapsedMs = performance.now() - started;
      return { value, report };
    } catch (error) {
      await watch.stop();
      if (!isLockTimeout(error)) throw error;
      report.lockTimeouts++;
      const elapsedMs = performance.now() - started;
      report.elapsedMs = elapsedMs;
      const base = LOCK_RETRY_SLEEPS_MS[Math.min(report.attempts - 1, LOCK_RETRY_SLEEPS_MS.length - 1)]!;
      const sleepMs = Math.round(base * (0.5 + Math.random()));
      if (elapsedMs + sleepMs + ctx.timeoutMs > ctx.budgetMs) {
        await ctx.beforeRetry?.().catch(() => undefined);
        throw new DdlLockBudgetError(ctx.migration, report, ctx.timeoutMs, ctx.budgetMs, [], ctx.direction);
      }
      ctx.onEvent?.({ kind: 'retry', migration: ctx.migration, attempt: report.attempts, sleepMs, elapsedMs, budgetMs: ctx.budgetMs, blockers: report.blockers });
      await new Promise((resolve) => setTimeout(resolve, sleepMs));
    }
  }
}

async function backendPid(conn: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
  return rows[0]!.pid;
}

/**
 * Polls, on `observer`, whether `pid` waits for a lock and who blocks it.
 * pg_blocking_pids takes the lock manager's locks, so it runs only while
 * pg_stat_activity says the migration is waiting.
 */
function watchBlockers(observer: Kysely<any>, pid: number, everyMs: number, onSample: (blockers: BlockingSession[]) => void): { stop(): Promise<void> } {
  let stopped = false;
  const query = CompiledQuery.raw(readSql('migrations/blocking-sessions.sql'), [pid]);
  const loop = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      if (stopped) break;
      try {
        const { rows } = await observer.executeQuery<{ pid: number; application_name: string | null; state: string | null; age_seconds: number | null; query: string | null }>(
          query,
        );
        const blockers = rows.map((r) => ({
          pid: r.pid,
          applicationName: r.application_name ?? '',
          state: r.state ?? '',
          ageSeconds: Number(r.age_seconds ?? 0),
          query: r.query ?? '',
        }));
        if (blockers.length > 0) onSample(blockers);
      } catch {
        // Watching is advice; a failed look never fails the migration.
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

function mergeBlockers(latest: BlockingSession[], earlier: BlockingSession[]): BlockingSession[] {
  const seen = new Set(latest.map((b) => b.pid));
  return [...latest, ...earlier.filter((b) => !seen.has(b.pid))];
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
