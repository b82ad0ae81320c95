// @ts-check
/**
 * The seven query patterns (schema.md) at scale, as production runs them: the
 * library's typed functions inside `withUser`, connected as a LOGIN role granted
 * todo_app, so row-level security is in force. The same SQL is timed in the same
 * run as the table owner (postgres, which bypasses RLS) through a raw `pg` loop,
 * and the ratios say what RLS and the library cost. docs/benchmarks.md.
 *
 *   npm run build && node bench/queries.js [--iterations 2000] [--users 10000] [--large] [--keep]
 *
 * Each scale gets a fresh database on TODO_DB_BENCH_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres): migrated, seeded with the scale
 * seed (100 tasks per user), VACUUM ANALYZE, CHECKPOINT. --large adds 10M tasks
 * (--large-users 100000) and then times both databases interleaved, call by call,
 * for the 10M/1M ratio. Prints Markdown to stdout, progress to stderr. The databases and the
 * login role are dropped at the end, also on failure or Ctrl-C; --keep keeps the
 * first database (for bench/startup.js --url) and prints its URL.
 *
 * Modes, each with a pool of its own per run and the same statements and rows:
 *   owner-bare   the statement alone, autocommit, as postgres: the floor (one round trip)
 *   owner-tx     BEGIN; set_config; statement; COMMIT as postgres: the naive four round trips, no RLS
 *   app-general  withUser + the typed function as the login role (RLS on): the general path
 *   app-lib      the fastest path the library offers for the pattern, as the login role:
 *                asUser (one round trip: set_config and the statement in one simple query)
 * The two library modes connect with the plan cache (openDatabase's preparedStatements,
 * docs/plan-cache.md: each connection prepares the patterns once); --plan-cache off
 * measures them without it. The owner modes never prepare: they are the baseline.
 * Each pattern runs --rounds rounds (default 5) of --iterations calls per mode, the
 * modes interleaved call by call; a cell is the median over the rounds of each
 * round's p50, so a burst of background load in one round does not decide it.
 */
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import {
  QUERY_PATTERNS,
  countTasksByStatus,
  createTask,
  deleteTask,
  listIncompleteTasks,
  listTasks,
  migrateUp,
  openDatabase,
  seedScale,
  toggleTask,
  updateTask,
  withUser,
  asUser,
} from '../dist/src/index.js';
import { summarizePlan } from '../dist/src/monitor/explain-plan.js';
import { ADMIN_URL, admin } from './admin.js';

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '600' },
    rounds: { type: 'string', default: '5' },
    users: { type: 'string', default: '10000' },
    'large-users': { type: 'string', default: '100000' },
    large: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '1,4' },
    'plan-cache': { type: 'string', default: 'on' },
  },
});
if (!['on', 'off'].includes(args['plan-cache'])) throw new Error(`--plan-cache must be on or off, got ${args['plan-cache']}`);
/** The library's modes connect with the plan cache (docs/plan-cache.md) unless --plan-cache off. */
const PLAN_CACHE = args['plan-cache'] === 'on';
const ITERATIONS = positive(args.iterations, '--iterations');
const ROUNDS = positive(args.rounds, '--rounds');
const TASKS_PER_USER = 100;
const SEED = 1;
const WARM_UP = 50;
const CONCURRENCY = args.concurrency.split(',').map((c) => positive(c, '--concurrency'));
const SCALES = [positive(args.users, '--users'), ...(args.large ? [positive(args['large-users'], '--large-users')] : [])];
const RUN = `${process.pid}_${Date.now().toString(36)}`;
const ROLE = `tododb_bench_app_${RUN}`;
/** The values the write patterns send, as QUERY_PATTERNS' builders do, so both sides run the same SQL. */
const PROBE = { title: 'monitor probe', description: null };

/**
 * Pattern id → the typed function the application calls (src/queries/tasks.ts).
 * @type {Record<number, (db: any, p: Params) => Promise<unknown>>}
 */
const LIBRARY = {
  1: (db, p) => listTasks(db, p.userId, p.limit),
  2: (db, p) => listIncompleteTasks(db, p.userId),
  3: (db, p) => createTask(db, { user_id: p.userId, ...PROBE }),
  4: (db, p) => updateTask(db, p.taskId, p.userId, PROBE),
  5: (db, p) => toggleTask(db, p.taskId, p.userId),
  6: (db, p) => deleteTask(db, p.taskId, p.userId),
  7: (db, p) => countTasksByStatus(db, p.userId),
};
/**
 * Pattern id → the same call through asUser, the one-round-trip path.
 * @type {Record<number, (me: any, p: Params) => Promise<unknown>>}
 */
const FAST = {
  1: (me, p) => me.listTasks(p.limit),
  2: (me) => me.listIncompleteTasks(),
  3: (me) => me.createTask(PROBE),
  4: (me, p) => me.updateTask(p.taskId, PROBE),
  5: (me, p) => me.toggleTask(p.taskId),
  6: (me, p) => me.deleteTask(p.taskId),
  7: (me) => me.countTasksByStatus(),
};
const MODES = /** @type {const} */ (['owner-bare', 'owner-tx', 'app-general', 'app-lib']);

/** @typedef {{ userId: string; taskId: string; limit: number }} Params */
/** @typedef {typeof MODES[number]} Mode */
/** @typedef {{ p50: number; p95: number; p99: number; opsPerSecond: number; rounds?: number[] }} Stats */
/** @typedef {{ indexes: string[]; ownerIndexes: string[]; executionMs: number; buffers: number; initPlan: boolean }} PlanInfo */
/** @typedef {{ database: string; pairs: Params[]; users: number; tasks: number; seedSeconds: number; load: string; results: Map<string, Stats>; plans: Map<number, PlanInfo> }} ScaleResult */

/** @param {string} value @param {string} flag */
function positive(value, flag) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`bench/queries: ${flag} must be a positive integer, not ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

const log = (/** @type {string} */ line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
/** @param {string} database */
const urlAs = (database, user = 'postgres') => Object.assign(new URL(ADMIN_URL), { pathname: `/${database}`, username: user }).toString();

/** Deterministic random numbers (mulberry32): the same run picks the same users. */
function random(seed = 42) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Nearest-rank percentile of sorted values. @param {number[]} sorted @param {number} p */
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/**
 * Runs `op(i, k)` for every i in 0..n-1 and every mode k, on `concurrency` workers.
 * The modes are interleaved (each worker runs call i in every mode, in an order
 * that rotates with i), so on a shared machine they all see the same background
 * load and their ratios stay meaningful. Per mode: percentiles of the latency, and
 * throughput as concurrency ÷ mean latency (Little's law; the modes share the clock).
 * @param {number} n @param {number} modes @param {number} concurrency @param {(i: number, k: number) => Promise<void>} op
 * @returns {Promise<Stats[]>}
 */
async function measure(n, modes, concurrency, op) {
  const latencies = Array.from({ length: modes }, () => new Array(n));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      for (let r = 0; r < modes; r++) {
        const k = (i + r) % modes;
        const t0 = performance.now();
        await op(i, k);
        latencies[k][i] = performance.now() - t0;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies.map((list) => {
    const sorted = list.sort((a, b) => a - b);
    const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), opsPerSecond: (concurrency * 1000) / mean };
  });
}

/**
 * A mode's way to run one operation, on a pool of `concurrency` connections.
 * @param {Mode} mode @param {string} database @param {number} concurrency
 * @returns {Promise<{ run(pattern: number, params: Params, compiled: CompiledQuery): Promise<any[]>; close(): Promise<void> }>}
 */
async function openMode(mode, database, concurrency) {
  if (mode === 'app-general' || mode === 'app-lib') {
    const handle = await openDatabase({ url: urlAs(database, ROLE), preparedStatements: PLAN_CACHE });
    const run =
      mode === 'app-general'
        ? (/** @type {number} */ pattern, /** @type {Params} */ params) => withUser(handle.db, params.userId, (trx) => LIBRARY[pattern](trx, params))
        : (/** @type {number} */ pattern, /** @type {Params} */ params) => FAST[pattern](asUser(handle, params.userId), params);
    return {
      run: async (pattern, params) => {
        const out = await run(pattern, params);
        return Array.isArray(out) ? out : [out];
      },
      close: () => handle.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: urlAs(database, 'postgres'), max: concurrency, application_name: `bench-${mode}` });
  if (mode === 'owner-bare') {
    return { run: async (_p, _params, c) => (await pool.query(c.sql, /** @type {any[]} */ ([...c.parameters]))).rows, close: () => pool.end() };
  }
  return {
    // The naive transaction, without Kysely: four round trips.
    run: async (_p, params, c) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(`select set_config('app.current_user_id', $1, true)`, [params.userId]);
        const { rows } = await client.query(c.sql, /** @type {any[]} */ ([...c.parameters]));
        await client.query('commit');
        return rows;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Per statistic, the median over the rounds (rounds are odd by default; even: the mean of the middle two). @param {Stats[]} list @returns {Stats} */
function medianOf(list) {
  /** @param {keyof Stats} key */
  const median = (key) => {
    const v = list.map((s) => s[key]).sort((a, b) => a - b);
    const mid = Math.floor(v.length / 2);
    return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  };
  return { p50: median('p50'), p95: median('p95'), p99: median('p99'), opsPerSecond: median('opsPerSecond'), rounds: list.map((s) => s.p50) };
}

class Rollback extends Error {}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of a pattern, rolled back, as `role` with the user set.
 * @param {import('kysely').Kysely<import('../dist/src/index.js').Database>} db @param {import('../dist/src/index.js').QueryPattern} pattern @param {Params} params @param {string | null} role
 */
async function explain(db, pattern, params, role) {
  /** @type {any} */
  let plan;
  await withUser(db, params.userId, async (trx) => {
    if (role) await sql`select set_config('role', ${role}, true)`.execute(trx);
    const c = pattern.build(trx, params).compile();
    const { rows } = await trx.executeQuery(CompiledQuery.raw(`explain (analyze, buffers, format json) ${c.sql}`, [...c.parameters]));
    const raw = /** @type {any} */ (rows[0])['QUERY PLAN'];
    plan = (typeof raw === 'string' ? JSON.parse(raw) : raw)[0];
    throw new Rollback();
  }).catch((error) => {
    if (!(error instanceof Rollback)) throw error;
  });
  const buffers = (/** @type {any} */ n) => (n['Shared Hit Blocks'] ?? 0) + (n['Shared Read Blocks'] ?? 0);
  return { ...summarizePlan(plan.Plan), executionMs: plan['Execution Time'], buffers: buffers(plan.Plan), initPlan: JSON.stringify(plan.Plan).includes('"InitPlan"') };
}

/**
 * One scale: fresh database, seed, plans, then every pattern × mode × concurrency.
 * The database stays until the end (cleanupAll), for the scale comparison.
 * @param {number} users @returns {Promise<ScaleResult>}
 */
async function runScale(users) {
  const database = `tododb_bench_q_${users}_${RUN}`.slice(0, 63);
  created.databases.push(database);
  await admin(`create database "${database}"`);
  const owner = await openDatabase({ url: urlAs(database) });
  try {
    await migrateUp(owner);
    log(`${database}: seeding ${users.toLocaleString('en-US')} users × ${TASKS_PER_USER} tasks`);
    const seeded = await seedScale(owner, { users, tasksPerUser: TASKS_PER_USER, seed: SEED });
    // The seed ends with VACUUM (ANALYZE) itself (visibility map set, pattern 7 index-only). Write the loaded pages out now, not as a background checkpoint during the timing.
    await sql`checkpoint`.execute(owner.db);
    log(`seeded in ${(seeded.durationMs / 1000).toFixed(1)} s (${seeded.rowsPerSecond.toLocaleString('en-US')} rows/s), vacuumed ${seeded.vacuumed}; load ${load()}`);

    const rand = random(users);
    const userIds = (await sql`select id from users`.execute(owner.db)).rows.map((r) => /** @type {any} */ (r).id);
    const sample = Array.from({ length: Math.min(5000, userIds.length) }, () => userIds[Math.floor(rand() * userIds.length)]);
    const pairs = (await sql`select distinct on (user_id) user_id, id from tasks where user_id = any(${sample}::uuid[]) order by user_id, id`.execute(owner.db)).rows.map(
      (r) => /** @type {Params} */ ({ userId: /** @type {any} */ (r).user_id, taskId: /** @type {any} */ (r).id, limit: 50 }),
    );

    /** @type {Map<number, PlanInfo>} */
    const plans = new Map();
    for (const pattern of QUERY_PATTERNS) {
      const params = pairs[0];
      const app = await explain(owner.db, pattern, params, 'todo_app');
      const asOwner = await explain(owner.db, pattern, params, null);
      plans.set(pattern.id, { indexes: app.indexes, ownerIndexes: asOwner.indexes, executionMs: app.executionMs, buffers: app.buffers, initPlan: app.initPlan });
    }

    /** @type {Map<string, Stats>} */
    const results = new Map();
    for (const concurrency of CONCURRENCY) {
      const modes = await Promise.all(MODES.map(async (m) => /** @type {const} */ ([m, await openMode(m, database, concurrency)])));
      try {
        /** @type {Map<string, Stats[]>} per pattern and mode, one entry per round */
        const rounds = new Map();
        for (let round = 0; round < ROUNDS; round++) {
          /** @type {Map<Mode, Params[]>} tasks each mode created (pattern 3), for it to delete (pattern 6) */
          const made = new Map();
          for (const pattern of QUERY_PATTERNS) {
            const picked = Array.from({ length: ITERATIONS }, () => pairs[Math.floor(rand() * pairs.length)]);
            // The same users and tasks in every mode; pattern 6 deletes what the mode itself created.
            const ops = modes.map(([mode]) => (pattern.id === 6 ? /** @type {Params[]} */ (made.get(mode)) : picked));
            // Compiled before the clock starts: the raw modes pay no Kysely at all.
            const compiled = ops.map((list) => list.map((p) => pattern.build(owner.db, p).compile()));
            const createdNow = modes.map(() => /** @type {Params[]} */ ([]));
            const once = async (/** @type {number} */ j, /** @type {number} */ k) => {
              const rows = await modes[k][1].run(pattern.id, ops[k][j], compiled[k][j]);
              if (pattern.id === 3) createdNow[k].push({ ...ops[k][j], taskId: rows[0].id });
            };
            // A short warm-up in the first round, not counted: connections open, plans and pages cached.
            const warm = round === 0 ? Math.min(WARM_UP, ITERATIONS - 1) : 0;
            for (let j = 0; j < warm; j++) for (let k = 0; k < modes.length; k++) await once(j, k);
            const stats = await measure(ITERATIONS - warm, modes.length, concurrency, (i, k) => once(i + warm, k));
            modes.forEach(([mode], k) => {
              if (pattern.id === 3) made.set(mode, createdNow[k]);
              const key = `${concurrency}:${pattern.id}:${mode}`;
              rounds.set(key, [...(rounds.get(key) ?? []), stats[k]]);
            });
          }
          log(`c=${concurrency} round ${round + 1}/${ROUNDS} done; load ${load()}`);
        }
        for (const [key, list] of rounds) results.set(key, medianOf(list));
        for (const pattern of QUERY_PATTERNS) {
          const get = (/** @type {Mode} */ m) => results.get(`${concurrency}:${pattern.id}:${m}`)?.p50;
          log(
            `c=${concurrency} pattern ${pattern.id}: bare ${get('owner-bare')?.toFixed(3)} tx ${get('owner-tx')?.toFixed(3)} general ${get('app-general')?.toFixed(3)} lib ${get('app-lib')?.toFixed(3)} ms`,
          );
        }
      } finally {
        await Promise.all(modes.map(([, runner]) => runner.close()));
      }
    }
    const tasks = Number((await sql`select count(*) as n from tasks`.execute(owner.db)).rows.map((r) => /** @type {any} */ (r).n)[0]);
    return { database, pairs, users, tasks, seedSeconds: seeded.durationMs / 1000, load: load(), results, plans };
  } finally {
    await owner.close();
  }
}

/**
 * p50 at the large scale over p50 at the small one, measured interleaved (call i
 * on one database, then on the other) through withUser as the app role, so both
 * see the same machine; run one after the other, minutes apart, background load
 * and checkpoints would be in the ratio.
 * @param {ScaleResult[]} scales @returns {Promise<Map<string, Stats>>} keyed `${concurrency}:${pattern}:${scale index}`
 */
async function compareScales(scales) {
  const rand = random(7);
  /** @type {Map<string, Stats>} */
  const results = new Map();
  for (const concurrency of CONCURRENCY) {
    const runners = await Promise.all(scales.map((scale) => openMode('app-lib', scale.database, concurrency)));
    try {
      /** @type {Params[][]} */
      let made = scales.map(() => []);
      for (const pattern of QUERY_PATTERNS) {
        const ops = scales.map((scale, k) => (pattern.id === 6 ? made[k] : Array.from({ length: ITERATIONS }, () => scale.pairs[Math.floor(rand() * scale.pairs.length)])));
        const createdNow = scales.map(() => /** @type {Params[]} */ ([]));
        const once = async (/** @type {number} */ j, /** @type {number} */ k) => {
          const rows = await runners[k].run(pattern.id, ops[k][j], /** @type {any} */ (undefined));
          if (pattern.id === 3) createdNow[k].push({ ...ops[k][j], taskId: rows[0].id });
        };
        const warm = Math.min(WARM_UP, ITERATIONS);
        for (let j = 0; j < warm; j++) for (let k = 0; k < scales.length; k++) await once(j, k);
        const stats = await measure(ITERATIONS - warm, scales.length, concurrency, (i, k) => once(i + warm, k));
        if (pattern.id === 3) made = createdNow;
        for (const [k, st] of stats.entries()) results.set(`${concurrency}:${pattern.id}:${k}`, st);
        log(`scale comparison c=${concurrency} pattern ${pattern.id}: ${stats.map((st) => st.p50.toFixed(3)).join(' / ')} ms`);
      }
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  }
  return results;
}

const created = { databases: /** @type {string[]} */ ([]), role: false };

/** @param {string} database */
async function dropDatabase(database) {
  await admin(`drop database if exists "${database}" with (force)`);
  created.databases = created.databases.filter((d) => d !== database);
}

async function cleanupAll() {
  for (const database of [...created.databases]) await dropDatabase(database).catch(() => undefined);
  if (created.role) await admin(`drop role if exists "${ROLE}"`).catch(() => undefined);
}

const ms = (/** @type {number | undefined} */ n) => (n === undefined ? '–' : n < 10 ? n.toFixed(3) : n.toFixed(1));
const ratio = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`);
const count = (/** @type {number} */ n) => (n >= 1e6 ? `${(n / 1e6).toFixed(n % 1e6 ? 1 : 0)}M` : `${n / 1e3}k`);

/** @param {ScaleResult} scale */
function renderScale(scale) {
  const lines = [
    `## ${count(scale.tasks)} tasks (${scale.users.toLocaleString('en-US')} users × ${TASKS_PER_USER}; seeded in ${scale.seedSeconds.toFixed(1)} s; load average at the end ${scale.load})`,
    '',
  ];
  lines.push('Plans as todo_app inside withUser (EXPLAIN ANALYZE, BUFFERS, one user, rolled back):', '');
  lines.push('| # | pattern | index (RLS on) | index as owner | RLS sub-select once (InitPlan) | server time | buffers |', '|---|---|---|---|---|---:|---:|');
  for (const p of QUERY_PATTERNS) {
    const plan = scale.plans.get(p.id);
    lines.push(
      `| ${p.id} | ${p.name} | ${plan?.indexes.join(', ') || '(none)'} | ${plan?.ownerIndexes.join(', ') || '(none)'} | ${plan?.initPlan ? 'yes' : 'no'} | ${ms(plan?.executionMs)} ms | ${plan?.buffers} |`,
    );
  }
  for (const c of CONCURRENCY) {
    const get = (/** @type {number} */ id, /** @type {Mode} */ mode) => scale.results.get(`${c}:${id}:${mode}`);
    lines.push('', `### Concurrency ${c}: p50 per call (ms), median of ${ROUNDS} interleaved rounds of ${ITERATIONS} calls per mode`, '');
    lines.push(
      '| # | pattern | owner-bare | owner-tx | withUser (general) | app-lib (asUser) | **general / owner-tx** (≤ 1.0) | **app-lib / owner-bare** (≤ 1.2) | app-lib p95 | app-lib calls/s* |',
    );
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of QUERY_PATTERNS) {
      const [bare, tx, general, lib] = MODES.map((m) => get(p.id, m)?.p50);
      const s = get(p.id, 'app-lib');
      lines.push(
        `| ${p.id} | ${p.name} | ${ms(bare)} | ${ms(tx)} | ${ms(general)} | ${ms(lib)} | **${ratio(general, tx)}** | **${ratio(lib, bare)}** | ${ms(s?.p95)} | ${Math.round(s?.opsPerSecond ?? 0).toLocaleString('en-US')} |`,
      );
    }
    lines.push('', `*calls/s: ${c} ÷ mean latency (modes interleaved). Per-round p50 of general / owner-tx and app-lib / owner-bare, to show the spread:`, '');
    lines.push('| # | general / owner-tx per round | app-lib / owner-bare per round |', '|---|---|---|');
    for (const p of QUERY_PATTERNS) {
      const per = (/** @type {Mode} */ a, /** @type {Mode} */ b) =>
        (get(p.id, a)?.rounds ?? []).map((x, i) => (x / /** @type {number} */ ((get(p.id, b)?.rounds ?? [])[i])).toFixed(2)).join(' ');
      lines.push(`| ${p.id} | ${per('app-general', 'owner-tx')} | ${per('app-lib', 'owner-bare')} |`);
    }
  }
  return lines.join('\n');
}

/** @param {ScaleResult} small @param {ScaleResult} large @param {Map<string, Stats>} compared */
function renderScaling(small, large, compared) {
  const lines = [
    `## Scale: p50 at ${count(large.tasks)} / p50 at ${count(small.tasks)} (withUser as the app role, the two databases interleaved call by call; O(log n) stays near 1)`,
    '',
  ];
  lines.push(`| # | pattern | ${CONCURRENCY.map((c) => `c=${c}: ${count(small.tasks)} | ${count(large.tasks)} | ratio`).join(' | ')} |`);
  lines.push(`|---|---|${CONCURRENCY.map(() => '---:|---:|---:').join('|')}|`);
  for (const p of QUERY_PATTERNS) {
    const cells = CONCURRENCY.map((c) => {
      const a = compared.get(`${c}:${p.id}:0`)?.p50;
      const b = compared.get(`${c}:${p.id}:1`)?.p50;
      return `${ms(a)} | ${ms(b)} | ${ratio(b, a)}`;
    });
    lines.push(`| ${p.id} | ${p.name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  const started = new Date();
  const startLoad = load();
  const command = `node bench/queries.js ${process.argv.slice(2).join(' ')}`.trim();
  const server = await (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`select current_setting('server_version') as v, current_setting('shared_buffers') as sb`);
      return `PostgreSQL ${rows[0].v} (shared_buffers ${rows[0].sb})`;
    } finally {
      await client.end();
    }
  })();
  // A unique login role for this run, member of todo_app: the production shape.
  await admin(`create role "${ROLE}" login nosuperuser nobypassrls in role todo_app`);
  created.role = true;
  const header = [
    `# Query patterns under RLS (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `- command: \`${command}\``,
    `- machine: ${availableParallelism()} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free), Node ${process.version}, ${server} on the same host`,
    `- load average at the start ${startLoad}; ${ROUNDS} rounds × ${ITERATIONS} calls per pattern, mode and concurrency (the first ${WARM_UP} of round 1 are warm-up, not counted); random users (5,000 sampled) and their tasks`,
    `- app role: LOGIN role \`tododb_bench_app_…\` granted todo_app (RLS on); owner: postgres (bypasses RLS)`,
    `- plan cache (preparedStatements) for the library's modes: ${PLAN_CACHE ? 'on' : 'off'}; the owner modes never prepare`,
    '',
  ];
  process.stdout.write(header.join('\n') + '\n');
  // Each scale is printed when it is done: a failure at 10M keeps the 1M tables.
  /** @type {ScaleResult[]} */
  const scales = [];
  for (const users of SCALES) {
    scales.push(await runScale(users));
    process.stdout.write(renderScale(/** @type {ScaleResult} */ (scales.at(-1))) + '\n\n');
  }
  if (scales.length > 1) process.stdout.write(renderScaling(scales[0], scales[1], await compareScales(scales)) + '\n');
  if (args.keep) {
    // bench/startup.js --url takes it; the others are dropped as usual.
    created.databases = created.databases.filter((d) => d !== scales[0].database);
    log(`kept ${urlAs(scales[0].database)}`);
  }
}

let exiting = false;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    log(`${signal}: dropping the bench databases and role`);
    cleanupAll().finally(() => process.exit(130));
  });
}
try {
  await main();
} catch (error) {
  process.exitCode = 1;
  process.stderr.write(`bench/queries: ${error instanceof Error ? error.stack : String(error)}\n`);
} finally {
  await cleanupAll();
}
