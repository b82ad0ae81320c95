import { sql, type Kysely } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { ProblemError } from '../errors.js';
import type { DdlLockOptions } from '../migrations/lock-retry.js';
import { migrateUp, migrationStatus } from '../migrations/runner.js';
import type { ReportItem } from '../report/item.js';
import { buildCopy, givenCopy, requireRehearsalServer, type RehearsalCopy } from './copy.js';
import { DEFAULT_BUDGET_MARGIN_MS, rehearsalSettings, type RehearsalInput } from './options.js';
import { latencyStats, overlapping, perSecond, type LatencyStats, type SecondStats } from './stats.js';
import { createAppRole, dropAppRole, sampleUsers, startWorkload, type LockWait, type Workload } from './workload.js';

export interface RehearseOptions extends RehearsalInput, Pick<DdlLockOptions, 'ddlLockTimeoutMs' | 'ddlLockBudgetMs'> {
  dir?: string;
  /** a copy to rehearse on (a Neon branch, a scratch database); default: one built and dropped here */
  rehearseUrl?: string;
  /** Ctrl-C: stop at the next step and clean up */
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** What one migration did to the workload. */
export interface MigrationRehearsal {
  name: string;
  /** ms from the workload's start */
  startMs: number;
  endMs: number;
  durationMs: number;
  /** lock waits of workload sessions that overlapped the migration */
  lockWaits: number;
  longestLockWaitMs: number;
  /** tables whose relfilenode changed: rewritten */
  rewritten: string[];
  during: LatencyStats;
  error: string | null;
}

export interface RehearsalResult {
  ok: boolean;
  command: 'migrate rehearse';
  durationMs: number;
  interrupted: boolean;
  copy: { display: string; built: boolean; users: number; tasks: number; dropped: boolean } | null;
  concurrency: number;
  baselineSeconds: number;
  budgetP99Ms: number | null;
  baseline: LatencyStats | null;
  /** when the baseline window and the migrations ran, ms from the workload's start */
  baselineWindow: { startMs: number; endMs: number } | null;
  migrations: MigrationRehearsal[];
  /** one per pending migration: ok, fail (p99 over budget, or it failed), not-run */
  items: ReportItem<{ migration: string; durationMs: number | null; p99Ms: number | null; budgetMs: number | null; lockWaits: number; rewritten: string[] }>[];
  series: SecondStats[];
  lockWaits: LockWait[];
}

/** Unused warm-up before the baseline: new connections and cold caches are not the app's steady state. */
const WARM_UP_MS = 1000;
/** After the last migration, so the chart shows the recovery too. */
const TAIL_MS = 1000;

/**
 * Rehearses the pending migrations on a copy of the target while the app's
 * workload runs (docs/rehearse.md): baseline window, then each migration in turn
 * (with the DDL lock budget of `migrate up`), and per migration its duration, the
 * workload's lock waits and p50/p95/p99, and the tables it rewrote. Never touches
 * the target beyond reading its migrations and row counts; a copy it built, and
 * the app role it made, are dropped afterwards, also after a failure or Ctrl-C.
 *
 * @example
 * const result = await rehearseMigrations(database, { concurrency: 4, baseline: 10 });
 * if (!result.ok) console.log(result.items.filter((i) => i.status === 'fail'));
 */
export async function rehearseMigrations(target: TodoDatabase, options: RehearseOptions = {}): Promise<RehearsalResult> {
  const settings = rehearsalSettings(options);
  requireRehearsalServer(target, 'the target');
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const dir = options.dir !== undefined ? { dir: options.dir } : {};
  const status = await migrationStatus(target, dir);
  if (status.edited + status.missing + status.outOfOrder > 0) {
    throw new ProblemError('the target has edited, missing or out-of-order migrations, so there is no plan to rehearse', 'run `todo-db migrate status` and fix what it names');
  }
  const applied = status.migrations.filter((m) => m.state === 'applied').map((m) => m.name);
  const pending = status.migrations.filter((m) => m.state === 'pending').map((m) => m.name);
  const result: RehearsalResult = {
    ok: true,
    command: 'migrate rehearse',
    durationMs: 0,
    interrupted: false,
    copy: null,
    concurrency: settings.concurrency,
    baselineSeconds: settings.baselineSeconds,
    budgetP99Ms: settings.budgetP99Ms,
    baseline: null,
    baselineWindow: null,
    migrations: [],
    items: [],
    series: [],
    lockWaits: [],
  };
  if (pending.length === 0) return finish(result, started);

  const run = `${process.pid}_${Date.now().toString(36)}`;
  let copy: RehearsalCopy | undefined;
  let role: string | undefined;
  let workload: Workload | undefined;
  try {
    progress(options.rehearseUrl ? 'opening the copy given with --rehearse-url' : 'building a copy of the target on its server');
    copy = options.rehearseUrl
      ? await givenCopy(target, options.rehearseUrl, applied, { ...dir, onProgress: progress })
      : await buildCopy(target, { ...dir, lastApplied: applied.at(-1) ?? null, name: `tododb_rehearse_${run}`, onProgress: progress });
    result.copy = { display: copy.display, built: copy.built, users: copy.users, tasks: copy.tasks, dropped: false };
    if (options.signal?.aborted) return interrupted(result, started);
    const app = await createAppRole(copy.database.db, `tododb_rehearse_app_${run}`);
    role = app.name;
    const appUrl = Object.assign(new URL(copy.url), { username: app.name, password: app.password }).toString();
    const users = await sampleUsers(copy.database.db);
    progress(`workload: ${settings.concurrency} clients, the seven query patterns for ${users.length} random users; ${settings.baselineSeconds} s baseline`);
    workload = await startWorkload({ appUrl, admin: copy.database.db, role, users, concurrency: settings.concurrency });
    await sleep(WARM_UP_MS, options.signal);
    const baselineStart = workload.now();
    await sleep(settings.baselineSeconds * 1000, options.signal);
    const baselineEnd = workload.now();
    if (options.signal?.aborted) return interrupted(result, started);
    result.baselineWindow = { startMs: baselineStart, endMs: baselineEnd };
    result.baseline = latencyStats(workload.samples.filter((s) => s.atMs >= baselineStart && s.atMs < baselineEnd));
    const budget = settings.budgetP99Ms ?? (result.baseline.p99 ?? 0) + DEFAULT_BUDGET_MARGIN_MS;
    result.budgetP99Ms = budget;
    for (const name of pending) {
      if (options.signal?.aborted) break;
      progress(`applying ${name} on the copy while the workload runs`);
      const before = await relfilenodes(copy.database.db);
      const startMs = workload.now();
      let error: string | null = null;
      try {
        await migrateUp(copy.database, { ...dir, to: name, ...ddlLock(options) });
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const endMs = workload.now();
      const after = await relfilenodes(copy.database.db);
      result.migrations.push({
        name,
        startMs,
        endMs,
        durationMs: endMs - startMs,
        lockWaits: 0,
        longestLockWaitMs: 0,
        rewritten: [...after].filter(([oid, v]) => before.has(oid) && before.get(oid)!.node !== v.node).map(([, v]) => v.name),
        during: latencyStats([]),
        error,
      });
      if (error) break;
    }
    await sleep(TAIL_MS, options.signal);
    await workload.stop();
    const samples = workload.samples;
    result.lockWaits = workload.lockWaits;
    workload = undefined;
    for (const m of result.migrations) {
      m.during = latencyStats(overlapping(samples, m.startMs, m.endMs));
      const waits = result.lockWaits.filter((w) => w.atMs <= m.endMs && w.atMs + w.ms >= m.startMs);
      m.lockWaits = waits.length;
      m.longestLockWaitMs = Math.round(Math.max(0, ...waits.map((w) => w.ms)));
    }
    result.series = perSecond(samples);
    result.items = pending.map((name) =>
      verdict(
        name,
        result.migrations.find((m) => m.name === name),
        budget,
      ),
    );
    result.ok = result.items.every((i) => i.status !== 'fail');
    result.interrupted = options.signal?.aborted === true;
    return finish(result, started);
  } finally {
    await workload?.stop().catch(() => undefined);
    if (copy) {
      if (role) await dropAppRole(copy.database.db, role).catch(() => undefined);
      await copy.dispose();
      if (result.copy) result.copy.dropped = copy.built;
      progress(copy.built ? `dropped the copy ${copy.display}` : `left the copy ${copy.display} (it now has the rehearsed migrations applied)`);
    }
  }
}

function verdict(name: string, m: MigrationRehearsal | undefined, budget: number): RehearsalResult['items'][number] {
  const base = { id: 'rehearse.p99', object: name };
  if (!m) {
    return {
      ...base,
      status: 'not-run',
      message: 'not rehearsed: an earlier migration failed or the run was stopped',
      fix: null,
      details: { migration: name, durationMs: null, p99Ms: null, budgetMs: budget, lockWaits: 0, rewritten: [] },
    };
  }
  const details = {
    migration: name,
    durationMs: Math.round(m.durationMs),
    p99Ms: m.during.p99,
    budgetMs: Math.round(budget * 100) / 100,
    lockWaits: m.lockWaits,
    rewritten: m.rewritten,
  };
  if (m.error) return { ...base, status: 'fail', message: `failed on the copy: ${m.error.split('\n')[0]}`, fix: 'fix the migration; the target was not touched', details };
  const rewrote = m.rewritten.length ? `; rewrote ${m.rewritten.join(', ')}` : '';
  const summary = `p99 ${fmt(m.during.p99)} during (${m.during.count} ops), budget ${fmt(budget)}; ${m.lockWaits} lock waits${rewrote}`;
  if ((m.during.p99 ?? 0) > budget) {
    return {
      ...base,
      status: 'fail',
      message: summary,
      fix: 'use the safe recipe (docs/safe-migrations.md): CREATE INDEX CONCURRENTLY, a nullable column plus a batched backfill, NOT VALID then VALIDATE',
      details,
    };
  }
  return { ...base, status: 'ok', message: summary, fix: null, details };
}

function fmt(ms: number | null): string {
  return ms === null ? 'n/a' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

function ddlLock(options: RehearseOptions): DdlLockOptions {
  return {
    ...(options.ddlLockTimeoutMs !== undefined ? { ddlLockTimeoutMs: options.ddlLockTimeoutMs } : {}),
    ...(options.ddlLockBudgetMs !== undefined ? { ddlLockBudgetMs: options.ddlLockBudgetMs } : {}),
  };
}

/** oid → relfilenode of every table: a rewrite gives the table a new file. */
async function relfilenodes(db: Kysely<any>): Promise<Map<number, { name: string; node: number }>> {
  const { rows } = await sql<{ oid: number; name: string; node: number }>`
    select c.oid::int as oid, c.relname as name, c.relfilenode::int as node from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'm')`.execute(db);
  return new Map(rows.map((r) => [r.oid, { name: r.name, node: r.node }]));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function interrupted(result: RehearsalResult, started: number): RehearsalResult {
  result.interrupted = true;
  result.ok = false;
  return finish(result, started);
}

function finish(result: RehearsalResult, started: number): RehearsalResult {
  result.durationMs = Math.round(performance.now() - started);
  return result;
}
