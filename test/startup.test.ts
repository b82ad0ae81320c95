import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_PATTERNS, migrateUp, scaleUsers, seedScale, withUser, type PatternParams } from '../src/index.js';
import { summarizePlan, type PlanNode } from '../src/monitor/explain-plan.js';
import { SERVER_BACKENDS, openFresh } from './support/backends.js';
import { BIN } from './support/cli.js';
import { withRoleLock } from './support/role-lock.js';

/**
 * The structural guarantees behind the performance budgets (bench/queries.js and
 * bench/startup.js measure the time; CI asserts only what makes it fast):
 * a CLI that does not load database code to print its version or help, and query
 * plans that stay on their indexes with row-level security in force.
 */

const TRACER = fileURLToPath(new URL('./support/trace-imports.mjs', import.meta.url));

/** The packages that cost start-up time and are needed only once a command connects. */
const DRIVERS = [
  { name: 'pg', pattern: /\/node_modules\/pg\// },
  { name: '@electric-sql/pglite', pattern: /\/node_modules\/@electric-sql\/pglite\// },
  { name: 'pg-mem', pattern: /\/node_modules\/pg-mem\// },
] as const;

/** Runs the built CLI under the import tracer; returns the exit code and every module it resolved. */
function traceCli(args: readonly string[]): { code: number | null; modules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'todo-db-trace-'));
  const file = join(dir, 'imports.txt');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TODO_DB_TRACE_IMPORTS: file };
    for (const key of ['DATABASE_URL', 'DATABASE_URL_UNPOOLED', 'PGHOST', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGPORT', 'TODO_DB_DATA_DIR']) delete env[key];
    const run = spawnSync(process.execPath, ['--import', TRACER, BIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // no file: nothing was resolved, which the assertions below report
    }
    return { code: run.status, modules: text.split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const driversIn = (modules: readonly string[]) => DRIVERS.filter((d) => modules.some((m) => d.pattern.test(m))).map((d) => d.name);

describe('CLI start-up', () => {
  it.each([{ args: '--version' }, { args: '--help' }, { args: 'migrate --help' }, { args: 'seed --help' }])('todo-db $args loads no database driver', ({ args }) => {
    const { code, modules } = traceCli(args.split(' '));
    expect(code).toBe(0);
    // The tracer saw the CLI's entry, so an empty driver list means "not loaded", not "not traced".
    expect(modules.some((m) => m.endsWith('/bin/todo-db.js'))).toBe(true);
    expect(driversIn(modules)).toEqual([]);
  });

  // The control: the same tracer does see each driver once a command needs it.
  it.each([
    ['postgres://postgres@127.0.0.1:1/nowhere', 'pg'],
    ['pglite:memory', '@electric-sql/pglite'],
    ['pgmem:', 'pg-mem'],
  ])('todo-db --url %s migrate status loads %s, and only that', (url, driver) => {
    const { modules } = traceCli(['--url', url, 'migrate', 'status']);
    expect(driversIn(modules)).toEqual([driver]);
  });
});

/** 50k tasks: enough for the planner to prefer indexes, small enough for a shared machine. */
const SHAPE = { users: 500, tasksPerUser: 100, seed: 9 };

interface PlanOutcome {
  id: number;
  indexes: string[];
  seqScans: string[];
  /** the RLS predicate is evaluated once per statement, as an InitPlan, not per row */
  initPlan: boolean;
}

describe.each(SERVER_BACKENDS)('query plans under row-level security on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeAll(async () => {
    fresh = await openFresh(backend, 'startup');
    await migrateUp(fresh.handle);
    await seedScale(fresh.handle, SHAPE);
    // The steady state autovacuum reaches soon after a bulk load in production (the
    // local server runs with it off): with the visibility map set, pattern 7 counts
    // from idx_tasks_user_completed alone (index-only scan); straight after the load,
    // with ANALYZE only, the planner takes idx_tasks_user_id.
    await sql`vacuum analyze tasks`.execute(fresh.handle.db);
  }, 120_000);
  afterAll(async () => {
    await fresh?.close();
  });

  it('every pattern, run as todo_app inside withUser, reads its expected index', async () => {
    const user = [...scaleUsers({ ...SHAPE, users: 3 })][2]!;
    const outcomes = await withRoleLock('shared', () =>
      withUser(fresh.handle.db, user.id, async (trx) => {
        const { rows } = await sql<{ id: string }>`select id from tasks where user_id = ${user.id} limit 1`.execute(trx);
        const params: PatternParams = { userId: user.id, taskId: rows[0]!.id, limit: 50 };
        // As the application role, RLS applies: the owner (this connection) would bypass it.
        await sql`set local role todo_app`.execute(trx);
        const found: PlanOutcome[] = [];
        for (const pattern of QUERY_PATTERNS) {
          const compiled = pattern.build(trx, params).compile();
          const result = await trx.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]));
          const raw = result.rows[0]!['QUERY PLAN'];
          const plan = ((typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }])[0].Plan;
          found.push({ id: pattern.id, ...summarizePlan(plan), initPlan: JSON.stringify(plan).includes('"InitPlan"') });
        }
        return found;
      }),
    );
    expect(outcomes.map((o) => o.id)).toEqual(QUERY_PATTERNS.map((p) => p.id));
    for (const pattern of QUERY_PATTERNS) {
      const outcome = outcomes.find((o) => o.id === pattern.id)!;
      const onIndex = pattern.expectedIndexes.length === 0 || outcome.indexes.some((i) => pattern.expectedIndexes.includes(i));
      expect({ id: pattern.id, onIndex, seqScans: outcome.seqScans }).toEqual({ id: pattern.id, onIndex: true, seqScans: [] });
    }
    // Every pattern, the insert's WITH CHECK included, reads the user id once per statement
    // (the policies' `(SELECT app_current_user_id())`), not once per row.
    expect(outcomes.filter((o) => o.initPlan).map((o) => o.id)).toEqual(QUERY_PATTERNS.map((p) => p.id));
  });
});
