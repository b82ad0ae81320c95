import type { TodoDatabase } from '../connection/open.js';
import { UsageError } from '../errors.js';
import { withBulkWriter, type BulkWriter, type LoadMethod } from './bulk-writer.js';
import { dropTaskIndexesIfEmpty, rebuildTaskIndexes } from './deferred-indexes.js';
import { assertMaintenanceRole } from './maintenance-role.js';
import { scaleEmail, scaleTasks, scaleUser, scaleUsers, type ScaleShape } from './scale-data.js';
import { scaleShape, type ScaleInput } from './scale-options.js';

export type SeedPhase = 'users' | 'tasks' | 'indexes' | 'analyze';

/** Where a scale seed is; rows for users and tasks, objects built for indexes. */
export interface SeedProgress {
  phase: SeedPhase;
  done: number;
  total: number;
}

export interface ScaleSeedOptions extends ScaleInput {
  onProgress?: (progress: SeedProgress) => void;
}

export interface ScaleSeedResult extends ScaleShape {
  tasks: number;
  method: LoadMethod;
  /** tasks indexes and keys built after the load (empty when tasks already had rows) */
  rebuilt: string[];
  analyzed: boolean;
  durationMs: number;
  rowsPerSecond: number;
}

/**
 * Loads deterministic scale data: `users` users under example.com with
 * `tasksPerUser` tasks each; the same `seed` gives the same rows. Streams rows
 * (memory stays flat), in one transaction, then ANALYZE. A seed already loaded
 * is refused (its ids and emails exist): run cleanup first or pick another seed.
 *
 * @example
 * const result = await seedScale(handle, { users: 10_000, tasksPerUser: 100, seed: 42 });
 * console.log(`${result.tasks} tasks at ${result.rowsPerSecond} rows/s`);
 */
export async function seedScale(handle: TodoDatabase, options: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const shape = scaleShape(options);
  const progress = options.onProgress ?? (() => undefined);
  const tasks = shape.users * shape.tasksPerUser;
  await assertMaintenanceRole(handle, 'seed');
  const started = performance.now();
  const loaded = await withBulkWriter(handle, async (writer) => {
    await refuseLoadedSeed(writer, shape);
    const deferred = handle.capabilities.catalog ? await dropTaskIndexesIfEmpty(writer) : [];
    try {
      let users = 0;
      await writer.load('users', scaleUsers(shape), (n) => progress({ phase: 'users', done: (users += n), total: shape.users }));
      let done = 0;
      await writer.load('tasks', scaleTasks(shape), (n) => progress({ phase: 'tasks', done: (done += n), total: tasks }));
    } catch (error) {
      throw clash(error, shape) ?? error;
    }
    let built = 0;
    await rebuildTaskIndexes(writer, deferred, () => progress({ phase: 'indexes', done: ++built, total: deferred.length }));
    return { method: writer.method, rebuilt: deferred.map((d) => d.name) };
  });
  const analyzed = handle.capabilities.statistics;
  if (analyzed) {
    progress({ phase: 'analyze', done: 0, total: 1 });
    // Fresh statistics, or the planner guesses on a million rows it has never seen.
    await withBulkWriter(handle, (writer) => writer.query('analyze users, tasks'));
    progress({ phase: 'analyze', done: 1, total: 1 });
  }
  const durationMs = performance.now() - started;
  return { ...shape, tasks, ...loaded, analyzed, durationMs, rowsPerSecond: Math.round(((shape.users + tasks) / durationMs) * 1000) };
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
