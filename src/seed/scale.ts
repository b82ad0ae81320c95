import { requireWritable } from '../connection/writable.js';
import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { UsageError } from '../errors.js';
import { withBulkWriter, type BulkWriter, type LoadMethod } from './bulk-writer.js';
import { planTaskIndexes, rebuildTaskIndexes, type IndexPlan } from './deferred-indexes.js';
import { assertMaintenanceRole } from './maintenance-role.js';
import { scaleEmail, scaleTasks, scaleUser, scaleUsers, type ScaleShape } from './scale-data.js';
import { scaleShape, type ScaleInput } from './scale-options.js';

export type SeedPhase = 'users' | 'tasks' | 'indexes' | 'commit' | 'vacuum';

/** Where a scale seed is; rows for users and tasks, objects built for indexes. */
export interface SeedProgress {
  phase: SeedPhase;
  done: number;
  total: number;
  /** what is being worked on now, e.g. the index being built */
  current?: string;
}

export interface ScaleSeedOptions extends ScaleInput {
  onProgress?: (progress: SeedProgress) => void;
  /** one line on how the load runs (indexes rebuilt or maintained, and why), before it starts */
  onNotice?: (message: string) => void;
}

export interface ScaleSeedResult extends ScaleShape {
  tasks: number;
  method: LoadMethod;
  /** tasks indexes and keys built after the load (empty when they were maintained) */
  rebuilt: string[];
  /** rebuild or maintain the tasks indexes, the rows already there, and why */
  indexes: Omit<IndexPlan, 'deferred'>;
  /** VACUUM (ANALYZE) ran after commit: statistics and the visibility map are fresh */
  vacuumed: boolean;
  analyzed: boolean;
  durationMs: number;
  rowsPerSecond: number;
}

/**
 * Loads deterministic scale data: `users` users under example.com with
 * `tasksPerUser` tasks each; the same `seed` gives the same rows. Streams rows
 * (memory stays flat), in one transaction; when tasks holds no more rows than
 * the load, its indexes are dropped and rebuilt after it (deferred-indexes.ts).
 * After commit, VACUUM (ANALYZE) of both tables, so the planner has statistics
 * and index-only scans a visibility map, as a server's autovacuum would leave
 * them some minutes later. A seed already loaded
 * is refused (its ids and emails exist): run cleanup first or pick another seed.
 *
 * @example
 * const result = await seedScale(database, { users: 10_000, tasksPerUser: 100, seed: 42 });
 * console.log(`${result.tasks} tasks at ${result.rowsPerSecond} rows/s`);
 */
export async function seedScale(database: TodoDatabase, options: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const shape = scaleShape(options);
  const progress = options.onProgress ?? (() => undefined);
  const tasks = shape.users * shape.tasksPerUser;
  await requireWritable(database, 'seed');
  await assertMaintenanceRole(database, 'seed');
  const started = performance.now();
  const loaded = await withBulkWriter(database, async (writer) => {
    await refuseLoadedSeed(writer, shape);
    const plan: IndexPlan = database.capabilities.catalog
      ? await planTaskIndexes(writer, tasks, database.capabilities.sessions)
      : { strategy: 'maintain', existing: 0, deferred: [], reason: `${database.kind} has no catalog to rebuild indexes from: loading into the indexed tables` };
    options.onNotice?.(plan.reason);
    const deferred = plan.deferred;
    try {
      let users = 0;
      await writer.load('users', scaleUsers(shape), (n) => progress({ phase: 'users', done: (users += n), total: shape.users }));
      let done = 0;
      await writer.load('tasks', scaleTasks(shape), (n) => progress({ phase: 'tasks', done: (done += n), total: tasks }));
    } catch (error) {
      throw clash(error, shape) ?? error;
    }
    await rebuildTaskIndexes(writer, deferred, (done, building) => progress({ phase: 'indexes', done, total: deferred.length, ...(building ? { current: building.name } : {}) }));
    progress({ phase: 'commit', done: 0, total: 1 });
    const { deferred: _, ...indexes } = plan;
    return { method: writer.method, rebuilt: deferred.map((d) => d.name), indexes };
  });
  progress({ phase: 'commit', done: 1, total: 1 });
  const vacuumed = database.capabilities.statistics;
  if (vacuumed) {
    progress({ phase: 'vacuum', done: 0, total: 1, current: 'users, tasks' });
    // Outside the load's transaction (VACUUM cannot run in one). ANALYZE alone
    // leaves the visibility map empty, and index-only scans (pattern 7's counts)
    // lose to plain index scans until a vacuum; autovacuum may be off or late.
    await sql.raw('vacuum (analyze) users, tasks').execute(database.db);
    progress({ phase: 'vacuum', done: 1, total: 1 });
  }
  const durationMs = performance.now() - started;
  return { ...shape, tasks, ...loaded, vacuumed, analyzed: vacuumed, durationMs, rowsPerSecond: Math.round(((shape.users + tasks) / durationMs) * 1000) };
}

async function refuseLoadedSeed(writer: BulkWriter, shape: ScaleShape): Promise<void> {
  const first = scaleUser(shape.seed, 0);
  const rows = await writer.query<{ email: string }>('select email from users where id = $1 or email = $2', [first.id, first.email]);
  if (rows.length > 0) throw alreadyLoaded(shape);
}

function alreadyLoaded(shape: ScaleShape): UsageError {
  return new UsageError(
    `scale seed ${shape.seed} is already loaded (${scaleEmail(shape.seed, 0)} exists); the same seed gives the same ids and emails`,
    'run `todo-db cleanup --yes` first, or pick another --seed',
  );
}

/** A unique violation during the load means rows of this seed were already there. */
function clash(error: unknown, shape: ScaleShape): UsageError | undefined {
  return (error as { code?: unknown } | null)?.code === '23505' ? alreadyLoaded(shape) : undefined;
}
