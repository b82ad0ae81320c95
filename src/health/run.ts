import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../connection/capabilities.js';
import type { TodoDatabase } from '../connection/open.js';
import { TodoDbError } from '../errors.js';
import { HEALTH_CHECKS } from './checks.js';
import { readSql } from '../sql-file.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';
import type { CheckResult, CheckStatus, HealthCheck, HealthReport } from './types.js';

export interface HealthOptions {
  /** overrides of DEFAULT_THRESHOLDS */
  thresholds?: Partial<Thresholds>;
  /** migrations folder, as for `migrate status` */
  migrationsDir?: string;
  /** the application's connection URL or login role: its RLS bypass is assessed */
  app?: { appUrl?: string; appRole?: string };
  /** the checks to run (default HEALTH_CHECKS) */
  checks?: readonly HealthCheck<any>[];
}

const WHY_NOT: Record<keyof Capabilities, string> = {
  sessions: 'one in-process session, no others to watch',
  statistics: 'no statistics views',
  catalog: 'no system catalog',
  rls: 'no row-level security',
  triggers: 'no triggers',
  transactionalDdl: 'no transactional DDL',
  copy: 'no COPY',
};

/**
 * Runs every health check over one connection: each SQL file runs at most once
 * and is shared by the checks that read it (catalog and statistics views only,
 * so the bundle stays fast on a large database). Returns data; never prints.
 *
 * @example
 * const report = await withDatabase({ url }, (handle) => runHealth(handle));
 * if (!report.ok) console.log(report.checks.filter((c) => c.status === 'fail'));
 */
export async function runHealth(handle: TodoDatabase, options: HealthOptions = {}): Promise<HealthReport> {
  const thresholds = resolveThresholds(options.thresholds);
  const started = performance.now();
  const checks = await handle.db.connection().execute(async (conn) => {
    const bound: TodoDatabase = { ...handle, db: conn };
    const run = async <R>(file: string) => (await sql.raw<R>(readSql(file)).execute(conn as Kysely<any>)).rows;
    const shared = new Map<string, Promise<unknown[]>>();
    const fetch = (file: string) => {
      let rows = shared.get(file);
      if (!rows) shared.set(file, (rows = run(file)));
      return rows;
    };
    const results: CheckResult[] = [];
    for (const check of options.checks ?? HEALTH_CHECKS) {
      const checkStarted = performance.now();
      const result = await runCheck(check, bound, thresholds, fetch, { rows: run, ...(options.migrationsDir ? { migrationsDir: options.migrationsDir } : {}), ...(options.app ? { app: options.app } : {}) });
      results.push({ ...result, durationMs: performance.now() - checkStarted });
    }
    return results;
  });
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, info: 0, 'n/a': 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.fail === 0, strictOk: counts.fail + counts.warn === 0, counts, checks, thresholds, durationMs: performance.now() - started };
}

async function runCheck(
  check: HealthCheck<any>,
  handle: TodoDatabase,
  thresholds: Thresholds,
  fetch: (file: string) => Promise<unknown[]>,
  collectOptions: Parameters<NonNullable<HealthCheck['collect']>>[1],
): Promise<Omit<CheckResult, 'durationMs'>> {
  const base = { id: check.id, title: check.title, threshold: check.threshold?.(thresholds) ?? null };
  const missing = check.needs.find((need) => !handle.capabilities[need]);
  if (missing) {
    return { ...base, status: 'n/a', message: `not applicable on ${handle.kind} (${WHY_NOT[missing]})`, value: null, findings: [], fix: null };
  }
  try {
    const fetched = new Map<string, unknown[]>();
    for (const file of check.sql) fetched.set(file, await fetch(file));
    const data = check.collect ? await check.collect(handle, collectOptions) : undefined;
    const verdict = check.evaluate({ rows: <R>(file: string) => (fetched.get(file) ?? []) as R[], data, handle }, thresholds);
    const notOk = verdict.status === 'warn' || verdict.status === 'fail';
    return { ...base, status: verdict.status, message: verdict.message, value: verdict.value ?? null, findings: verdict.findings ?? [], fix: notOk ? check.fix : null };
  } catch (error) {
    if (lostConnection(error)) throw error;
    // A check that cannot run (permissions on a managed server, say) is reported, and the others still run.
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return { ...base, status: 'warn', message: `could not run: ${message}`, value: null, findings: [], fix: 'run with a role that can read the statistics views (pg_monitor)' };
  }
}

function lostConnection(error: unknown): boolean {
  if (error instanceof TodoDbError) return error.exitCode === 3;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (/^E[A-Z]+$/.test(code) || code.startsWith('08') || code === '57P01');
}
