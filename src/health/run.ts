import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../connection/capabilities.js';
import type { TodoDatabase } from '../connection/open.js';
import { TodoDbError } from '../errors.js';
import { appRoleName } from '../rls/app-role.js';
import { readSql } from '../sql-file.js';
import { LOCKS_SQL, PREFLIGHT_SQL, lockFailure, type LockRow } from './blockers.js';
import { HEALTH_CHECKS } from './checks.js';
import { formatMs } from '../text.js';
import { pgPoolOf } from '../connection/raw-clients.js';
import { detectTransactionPooler } from '../connection/pooler.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';
import { beginPooledSession, inSavepoint } from './pooled-session.js';
import type { CheckResult, CheckStatus, CollectOptions, HealthFindingInput, HealthCheck, HealthReport, Verdict } from './types.js';

export interface HealthOptions {
  /** overrides of DEFAULT_THRESHOLDS */
  thresholds?: Partial<Thresholds>;
  /** migrations folder, as for `migrate status` */
  migrationsDir?: string;
  /**
   * The application's connection URL or login role: its RLS bypass is assessed.
   * `implicit`: the URL was not named for this (the CLI's DATABASE_URL fallback),
   * so it is skipped when it is the very role health connects as (a local setup).
   */
  app?: { appUrl?: string; appRole?: string; implicit?: boolean };
  /** the checks to run (default HEALTH_CHECKS) */
  checks?: readonly HealthCheck<any>[];
  /** the whole run's deadline (default 10 s): what was found by then is returned */
  deadlineMs?: number;
  /** stops the run (Ctrl-C): the query in flight is cancelled and the partial report returned */
  signal?: AbortSignal;
}

export const DEFAULT_DEADLINE_MS = 10_000;
/** When another session already holds an exclusive lock, waiting the usual lock_timeout per check would only add up. */
const LOCKED_LOCK_TIMEOUT = '100ms';

const WHY_NOT: Record<keyof Capabilities, string> = {
  sessions: 'one in-process session, no others to watch',
  statistics: 'no statistics views',
  catalog: 'no system catalog',
  rls: 'no row-level security',
  triggers: 'no triggers',
  transactionalDdl: 'no transactional DDL',
  copy: 'no COPY',
};

type Stop = 'deadline' | 'interrupted';

/**
 * Runs every health check over one connection: each SQL file runs at most once
 * and is shared by the checks that read it (catalog and statistics views only,
 * so the bundle stays fast on a large database). It never hangs: the session has
 * short lock and statement timeouts (open.ts, purpose `inspect`), a check stopped
 * by a lock fails naming the holder, and at the deadline (or on `signal`) the
 * query in flight is cancelled on the server and what was found is returned.
 * Returns data; never prints.
 *
 * @example
 * const report = await withDatabase({ url, purpose: 'inspect' }, (database) => runHealth(database));
 * if (!report.ok) console.log(report.checks.filter((c) => c.status === 'fail'));
 */
export async function runHealth(database: TodoDatabase, options: HealthOptions = {}): Promise<HealthReport> {
  const thresholds = resolveThresholds(options.thresholds);
  const app = applicationRole(database, options.app);
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const started = performance.now();
  let stopped: Stop | null = null;
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<Stop>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
    if (options.signal?.aborted) resolve('interrupted');
    options.signal?.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
  try {
    const pooled = (await detectTransactionPooler(database)).pooled;
    const checks = await database.db.connection().execute(async (conn) => {
      const bound: TodoDatabase = { ...database, db: conn };
      // Through a transaction pooler, health's session is one transaction (pooled-session.ts).
      if (pooled) await beginPooledSession(conn);
      const plain = async <R>(file: string) => (await sql.raw<R>(readSql(file)).execute(conn as Kysely<any>)).rows;
      const run = pooled ? <R>(file: string) => inSavepoint(conn, () => plain<R>(file)) : plain;
      const shared = new Map<string, Promise<unknown[]>>();
      const fetch = (file: string) => {
        let rows = shared.get(file);
        if (!rows) shared.set(file, (rows = run(file)));
        return rows;
      };
      const preflightWork = database.capabilities.sessions ? fetch(PREFLIGHT_SQL) : Promise.resolve([]);
      const preflight = await first(preflightWork, stop);
      if (typeof preflight === 'string') stopped = preflight;
      const self = typeof preflight === 'string' ? {} : ((preflight[0] as { pid?: number; locked?: boolean } | undefined) ?? {});
      if (self.locked) await sql.raw(`set lock_timeout = '${LOCKED_LOCK_TIMEOUT}'`).execute(conn);
      const collect: CollectOptions = { rows: run, ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}), ...(app ? { app } : {}) };
      const results: CheckResult[] = [];
      for (const check of options.checks ?? HEALTH_CHECKS) {
        const checkStarted = performance.now();
        if (stopped) {
          results.push(result(check, thresholds, notRun(stopped, deadlineMs), 0));
          continue;
        }
        const work = runCheck(check, bound, thresholds, fetch, collect, run);
        const outcome = await first(work, stop);
        if (outcome === 'deadline' || outcome === 'interrupted') {
          stopped = outcome;
          await cancelOwnQuery(database, self.pid, work);
          const verdict: Verdict =
            outcome === 'deadline'
              ? {
                  status: 'fail',
                  message: `did not finish within the ${formatMs(deadlineMs)} deadline (its query was cancelled)`,
                  fix: 'a lock or an overloaded server is the usual cause: see blocked-queries, or run again with a longer --deadline',
                }
              : { status: 'not-run', message: 'interrupted (its query was cancelled)' };
          results.push(result(check, thresholds, verdict, performance.now() - checkStarted));
          continue;
        }
        results.push(result(check, thresholds, outcome, performance.now() - checkStarted));
      }
      if (pooled) await sql`rollback`.execute(conn).catch(() => undefined);
      else if (self.locked && !stopped) await sql.raw('reset lock_timeout').execute(conn);
      return results;
    });
    const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, 'n/a': 0, 'not-run': 0 };
    for (const c of checks) counts[c.status]++;
    const complete = stopped === null;
    return {
      ok: counts.fail === 0,
      strictOk: counts.fail + counts.warn === 0 && complete,
      complete,
      stopped,
      deadlineMs,
      counts,
      checks,
      thresholds,
      durationMs: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The application role to assess, validated before anything runs (bad input is exit 2, as for `rls status`). */
function applicationRole(database: TodoDatabase, app: HealthOptions['app']): { appUrl?: string; appRole?: string } | undefined {
  if (!app) return undefined;
  const { implicit, ...named } = app;
  const role = appRoleName(named);
  if (!role) return undefined;
  // DATABASE_URL naming the role health connects as is the maintenance connection of a local setup, not the app's.
  if (implicit && role.name === database.server.user) return undefined;
  return named;
}

/** Whichever comes first: the work's value, or why the run stopped. */
function first<T>(work: Promise<T>, stop: Promise<Stop>): Promise<T | Stop> {
  return Promise.race([work, stop]);
}

function notRun(stopped: Stop, deadlineMs: number): Verdict {
  return { status: 'not-run', message: stopped === 'deadline' ? `not run: the ${formatMs(deadlineMs)} deadline had passed` : 'not run: interrupted' };
}

/**
 * Leaves no backend waiting: cancels health's own query on the server, from a
 * second connection; when the backend is still busy a moment later (a check may
 * have queued several statements), terminates health's own backend.
 */
async function cancelOwnQuery(database: TodoDatabase, pid: number | undefined, work: Promise<unknown>): Promise<void> {
  work.catch(() => undefined);
  if (database.raw.kind !== 'postgres' || pid === undefined) return;
  const pool = pgPoolOf(database.raw);
  const signal = (fn: string) =>
    pool
      .query(`select ${fn}(pid) from pg_stat_activity where pid = $1 and state = 'active'`, [pid])
      .then((r) => r.rowCount !== 0)
      .catch(() => false);
  if (!(await signal('pg_cancel_backend'))) return;
  await new Promise((resolve) => setTimeout(resolve, 200));
  await signal('pg_terminate_backend');
}

async function runCheck(
  check: HealthCheck<any>,
  database: TodoDatabase,
  thresholds: Thresholds,
  fetch: (file: string) => Promise<unknown[]>,
  collectOptions: CollectOptions,
  run: <R>(file: string) => Promise<R[]>,
): Promise<Verdict> {
  const missing = check.needs.find((need) => !database.capabilities[need]);
  if (missing) return { status: 'n/a', message: `not applicable on ${database.kind} (${WHY_NOT[missing]})` };
  const waitStarted = performance.now();
  try {
    const fetched = new Map<string, unknown[]>();
    for (const file of check.sql) fetched.set(file, await fetch(file));
    const data = check.collect ? await check.collect(database, collectOptions) : undefined;
    return check.evaluate({ rows: <R>(file: string) => (fetched.get(file) ?? []) as R[], data, server: database.server, serverVersionNum: database.server.versionNum }, thresholds);
  } catch (error) {
    if (lostConnection(error)) throw error;
    const code = sqlState(error);
    // lock_timeout: the lock is the finding, with whoever holds it.
    if (code === '55P03') {
      const failure = lockFailure(await run<LockRow>(LOCKS_SQL).catch(() => []), performance.now() - waitStarted);
      return { status: 'fail', message: failure.message, findings: failure.findings, fix: failure.fix };
    }
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    if (code === '57014')
      return {
        status: 'fail',
        message: `did not answer in time: ${message}`,
        fix: 'the server is overloaded or a catalog is huge: run again with a longer --statement-timeout to see how long it takes',
      };
    // A check that cannot run (permissions on a managed server, say) is reported, and the others still run.
    return { status: 'warn', message: `could not run: ${message}`, fix: 'run with a role that can read the statistics views (pg_monitor)' };
  }
}

/** A verdict as the one report item shape (src/report/item.ts). */
function result(check: HealthCheck<any>, thresholds: Thresholds, verdict: Verdict, durationMs: number): CheckResult {
  const bad = (status: CheckStatus) => status === 'warn' || status === 'fail';
  const fix = bad(verdict.status) ? (verdict.fix ?? check.fix) : null;
  const finding = (f: HealthFindingInput) => ({
    id: check.id,
    object: f.object,
    status: f.status,
    message: f.message,
    fix: bad(f.status) ? (f.fix ?? fix ?? check.fix) : null,
    details: f.details ?? {},
  });
  return {
    id: check.id,
    object: check.title,
    status: verdict.status,
    message: verdict.message,
    fix,
    details: {
      title: check.title,
      value: verdict.value ?? null,
      threshold: check.threshold?.(thresholds) ?? null,
      findings: (verdict.findings ?? []).map(finding),
      durationMs,
    },
  };
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function lostConnection(error: unknown): boolean {
  if (error instanceof TodoDbError) return error.exitCode === 3;
  const code = sqlState(error);
  return code !== undefined && (/^E[A-Z]+$/.test(code) || code.startsWith('08') || code === '57P01');
}
