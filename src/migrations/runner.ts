import { requireWritable } from '../connection/writable.js';
import { standbyReplay, type StandbyReplay } from '../replication/standby.js';
import type { Kysely } from 'kysely';
import { backendOf } from '../connection/capabilities.js';
import type { TodoDatabase } from '../connection/open.js';
import { detectTransactionPooler } from '../connection/pooler.js';
import { refusePooler } from '../connection/target.js';
import { MigrationLockAdapter } from '../connection/advisory-lock.js';
import { ProblemError, UnsupportedError, UsageError } from '../errors.js';
import { ensureBookkeeping, forgetApplied, readApplied, recordApplied } from './bookkeeping.js';
import { listMigrationFiles, loadMigration, migrationsDir, type LoadedMigration, type MigrationFile } from './files.js';
import type { DdlLockOptions, LockRetryReport } from './lock-retry.js';
import { migrationStates, type MigrationState } from './states.js';
import { withChecksum } from './provider.js';
import { runMigrationStep } from './run-step.js';
import { SqlRecorder } from './sql-recorder.js';
import { refuseUnsafeMigrations, type LintGateOptions } from '../lint/gate.js';
import { lockAndCheck, pooledRefusal, whileLockBusy } from './through-pooler.js';

export interface MigrateOptions extends LintGateOptions, DdlLockOptions {
  /** migrations folder; default TODO_DB_MIGRATIONS_DIR, then the package's migrations/ */
  dir?: string;
  /** up: apply up to and including NAME; down: revert down to NAME, which stays applied */
  to?: string;
  /** down: revert every applied migration */
  all?: boolean;
  /** show the SQL each migration would run, in a transaction that is rolled back */
  dryRun?: boolean;
  /** a non-transactional step names transactions open this long, which it will wait for (default 60) */
  longTransactionSeconds?: number;
  /** down: called under the lock with the migrations about to be reverted; throw to cancel */
  confirm?: (names: string[]) => Promise<void>;
}

export interface MigrationStep {
  name: string;
  direction: 'up' | 'down';
  durationMs: number;
  /** with dryRun: the statements the migration ran before the rollback */
  sql?: string[];
  /** when it hit a DDL lock timeout: the attempts and who blocked it (lock-retry.ts) */
  lockRetries?: LockRetryReport;
}

export interface MigrateResult {
  direction: 'up' | 'down';
  dryRun: boolean;
  steps: MigrationStep[];
  /** steps this backend skipped (pg-mem has no RLS or triggers) */
  notices: string[];
}

export interface StatusResult {
  migrations: MigrationState[];
  pending: number;
  edited: number;
  missing: number;
  outOfOrder: number;
  /** on a standby or read replica: what it has replayed (the migrations above are as of that point) */
  standby?: StandbyReplay;
}

/** A migration failed; its transaction was rolled back. `result` holds what succeeded before it. */
export class MigrationFailedError extends ProblemError {
  /** what the CLI shows of the run before the failure */
  readonly partial: MigrateResult;
  constructor(
    readonly migration: string,
    readonly result: MigrateResult,
    cause: unknown,
    rolledBack = true,
  ) {
    super(
      `migration ${migration} failed${rolledBack ? ' and was rolled back' : ', and this backend cannot roll DDL back'}: ${firstLine(cause)}`,
      `fix the migration and run \`todo-db migrate ${result.direction}\` again`,
      { cause },
    );
    this.partial = result;
  }
}

/** Every migration, applied (when) or pending, with edited, missing and out-of-order ones flagged. */
export async function migrationStatus(database: TodoDatabase<any>, options: Pick<MigrateOptions, 'dir'> = {}): Promise<StatusResult> {
  const files = listMigrationFiles(migrationsDir(options.dir));
  const applied = (await readApplied(database.db)) ?? [];
  const migrations = migrationStates(files, applied);
  const count = (problem: string) => migrations.filter((m) => m.problems.includes(problem as never)).length;
  const standby = database.server.standby ? await standbyReplay(database.db) : null;
  return {
    ...(standby ? { standby } : {}),
    migrations,
    pending: migrations.filter((m) => m.state === 'pending').length,
    edited: count('edited'),
    missing: count('missing'),
    outOfOrder: count('out-of-order'),
  };
}

/**
 * Applies pending migrations in order, each in its own transaction, under the
 * migration lock. Through a transaction pooler (detected, src/connection/pooler.ts)
 * there is no session to hold that lock: each migration's transaction takes it
 * instead (through-pooler.ts), and a migration that runs outside a transaction
 * is refused before anything is applied.
 */
export async function migrateUp(database: TodoDatabase<any>, options: MigrateOptions = {}): Promise<MigrateResult> {
  refusePooler(database.target);
  await requireWritable(database, 'migrate up');
  const files = listMigrationFiles(migrationsDir(options.dir));
  const to = options.to === undefined ? undefined : requireKnown(files, options.to);
  const pooler = await detectTransactionPooler(database);
  const plan = async (conn: Kysely<any>) => {
    const states = migrationStates(files, (await readApplied(conn)) ?? []);
    refuseInconsistent(states, 'up');
    const pending = states.filter((s) => s.state === 'pending');
    let targets = pending;
    if (to !== undefined) {
      if (!pending.some((s) => s.name === to)) {
        throw new UsageError(`migration ${to} is already applied`, `to go back to it, run \`todo-db migrate down --to ${to}\``);
      }
      targets = pending.filter((s) => s.name <= to);
    }
    const loaded = await Promise.all(targets.map((s) => loadMigration(files.find((f) => f.name === s.name)!)));
    const outside = pooler.pooled ? loaded.find((m) => m.migration.transaction === false) : undefined;
    if (outside)
      throw pooledRefusal(database.target, pooler, `${outside.name} runs outside a transaction, which a pooler cannot keep on one server connection; nothing was applied`);
    if (!options.dryRun)
      await refuseUnsafeMigrations(
        database,
        targets.map((s) => s.name),
        options,
      );
    return loaded;
  };
  if (!pooler.pooled) return withMigrationLock(database, options, async (conn) => run(conn, 'up', await plan(conn), options, database.db));
  // Planned without a lock (every refusal comes before anything is written); each step looks again under its lock.
  const loaded = await plan(database.db);
  const waitMs = lockWaitOf(database.db);
  if (!options.dryRun) {
    await whileLockBusy(database.db, waitMs, () =>
      database.db.transaction().execute(async (trx) => {
        await lockAndCheck(trx, undefined);
        return ensureBookkeeping(trx);
      }),
    );
  }
  return run(database.db, 'up', loaded, options, database.db, waitMs);
}

/** Reverts the newest migration, or down to `to` (which stays applied), or `all`. */
export async function migrateDown(database: TodoDatabase<any>, options: MigrateOptions = {}): Promise<MigrateResult> {
  refusePooler(database.target);
  await requireWritable(database, 'migrate down');
  const files = listMigrationFiles(migrationsDir(options.dir));
  if (options.to !== undefined && options.all) throw new UsageError('--to and --all exclude each other', 'give one of them');
  const to = options.to === undefined ? undefined : requireKnown(files, options.to);
  const pooler = await detectTransactionPooler(database);
  // Reverting asks and plans under the lock for the whole run: that needs a session.
  if (pooler.pooled) throw pooledRefusal(database.target, pooler, 'migrate down needs one session to hold the migration lock; nothing was reverted');
  return withMigrationLock(database, options, async (conn) => {
    const states = migrationStates(files, (await readApplied(conn)) ?? []);
    refuseInconsistent(states, 'down');
    const applied = states.filter((s) => s.state === 'applied');
    let targets: MigrationState[];
    if (options.all) targets = applied;
    else if (to !== undefined) {
      if (!applied.some((s) => s.name === to)) throw new UsageError(`migration ${to} is not applied`, `to apply up to it, run \`todo-db migrate up --to ${to}\``);
      targets = applied.filter((s) => s.name > to);
    } else targets = applied.slice(-1);
    const loaded = await Promise.all(targets.reverse().map((s) => loadMigration(files.find((f) => f.name === s.name)!)));
    const noDown = loaded.find((m) => !m.migration.down);
    if (noDown) throw new ProblemError(`migration ${noDown.name} has no down function, so it cannot be reverted`, `add an exported down to ${noDown.path}`);
    if (loaded.length > 0 && !options.dryRun) await options.confirm?.(loaded.map((m) => m.name));
    return run(conn, 'down', loaded, options, database.db);
  });
}

/**
 * `pooledWaitMs`: through a transaction pooler, each step takes the transaction
 * lock (waiting up to this long for it) and skips a migration another runner applied.
 */
async function run(
  conn: Kysely<any>,
  direction: 'up' | 'down',
  migrations: LoadedMigration[],
  options: MigrateOptions,
  observer: Kysely<any>,
  pooledWaitMs?: number,
): Promise<MigrateResult> {
  const backend = backendOf(conn);
  backend.notices.length = 0;
  const result: MigrateResult = { direction, dryRun: options.dryRun === true, steps: [], notices: backend.notices };
  if (options.dryRun) return dryRun(conn, direction, migrations, result);
  for (const loaded of migrations) {
    const started = performance.now();
    const migration = withChecksum(loaded);
    let skipped = false;
    const step = async (db: Kysely<any>) => {
      if (pooledWaitMs !== undefined && (await lockAndCheck(db, loaded.name))) {
        skipped = true;
        return;
      }
      if (direction === 'up') {
        await migration.up(db);
        await recordApplied(db, loaded.name);
      } else {
        await migration.down!(db);
        await forgetApplied(db, loaded.name);
      }
    };
    let lockRetries: LockRetryReport | undefined;
    try {
      const attempt = () =>
        runMigrationStep(conn, observer, loaded.name, loaded.migration.transaction !== false, step, { ...options, direction, watchBlockers: pooledWaitMs === undefined });
      lockRetries = pooledWaitMs === undefined ? await attempt() : await whileLockBusy(conn, pooledWaitMs, attempt);
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      const rolledBack = loaded.migration.transaction !== false && backend.capabilities.transactionalDdl;
      throw new MigrationFailedError(loaded.name, result, error, rolledBack);
    }
    if (skipped) continue;
    result.steps.push({ name: loaded.name, direction, durationMs: performance.now() - started, ...(lockRetries ? { lockRetries } : {}) });
  }
  return result;
}

class DryRunRollback extends Error {}

async function dryRun(conn: Kysely<any>, direction: 'up' | 'down', migrations: LoadedMigration[], result: MigrateResult): Promise<MigrateResult> {
  const backend = backendOf(conn);
  if (!backend.capabilities.transactionalDdl) {
    throw new UnsupportedError(`--dry-run needs DDL that can be rolled back, which ${backend.kind} cannot do`, 'run it against PostgreSQL or PGlite');
  }
  const nonTransactional = migrations.find((m) => m.migration.transaction === false);
  if (nonTransactional) throw new UnsupportedError(`--dry-run cannot show ${nonTransactional.name}: it runs outside a transaction`, 'read the migration file instead');
  await conn
    .transaction()
    .execute(async (trx) => {
      await ensureBookkeeping(trx);
      for (const loaded of migrations) {
        const started = performance.now();
        const recorder = new SqlRecorder(trx);
        const recorded = trx.withPlugin(recorder);
        try {
          await (direction === 'up' ? loaded.migration.up(recorded) : loaded.migration.down!(recorded));
        } catch (error) {
          throw new MigrationFailedError(loaded.name, result, error);
        }
        result.steps.push({ name: loaded.name, direction, durationMs: performance.now() - started, sql: recorder.statements });
        await (direction === 'up' ? recordApplied(trx, loaded.name) : forgetApplied(trx, loaded.name));
      }
      throw new DryRunRollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof DryRunRollback)) throw error;
    });
  return result;
}

async function withMigrationLock<T>(database: TodoDatabase<any>, options: MigrateOptions, fn: (conn: Kysely<any>) => Promise<T>): Promise<T> {
  return database.db.connection().execute(async (conn) => {
    const adapter = conn.getExecutor().adapter;
    const lockOptions = { lockTable: 'kysely_migration_lock', lockRowId: 'migration_lock' };
    await adapter.acquireMigrationLock(conn, lockOptions);
    try {
      if (!options.dryRun) await ensureBookkeeping(conn);
      return await fn(conn);
    } finally {
      await adapter.releaseMigrationLock(conn, lockOptions).catch(() => undefined);
    }
  });
}

/** How long this database waits for the migration lock (openDatabase's lockTimeoutMs). */
function lockWaitOf(db: Kysely<any>): number {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof MigrationLockAdapter ? adapter.waitMs : new MigrationLockAdapter().waitMs;
}

function refuseInconsistent(states: MigrationState[], direction: 'up' | 'down'): void {
  const missing = states.find((s) => s.problems.includes('missing'));
  if (missing) {
    throw new ProblemError(`migration ${missing.name} is recorded as applied but its file is missing`, 'restore the file from version control; todo-db will not guess what it did');
  }
  const edited = states.find((s) => s.problems.includes('edited'));
  if (edited) {
    throw new ProblemError(
      `migration ${edited.name} was edited after it was applied`,
      'restore it from version control and put the change in a new migration (`todo-db migrate make`)',
    );
  }
  const late = states.find((s) => s.problems.includes('out-of-order'));
  if (late && direction === 'up') {
    const lastApplied = states.filter((s) => s.state === 'applied').at(-1)?.name;
    throw new ProblemError(
      `migration ${late.name} is pending but sorts before ${lastApplied}, which is already applied (a branch merged late?)`,
      `rename it to sort after ${lastApplied} (\`todo-db migrate make\` picks the next number) and move its content there`,
    );
  }
}

/** The migration a --to names: its whole name, or a prefix (`0004`) that only one name starts with. */
function requireKnown(files: MigrationFile[], name: string): string {
  const names = files.map((f) => f.name);
  if (names.includes(name)) return name;
  const matches = name.trim() === '' ? [] : names.filter((n) => n.startsWith(name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new UsageError(`"${name}" names more than one migration: ${matches.join(', ')}`, 'give more of the name');
  throw new UsageError(`unknown migration "${name}"`, names.length ? `known: ${names.join(', ')}` : 'there are no migrations');
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  return (message.split('\n')[0] ?? '') + (typeof code === 'string' && code.length === 5 ? ` (SQLSTATE ${code})` : '');
}
