import { sql, type Kysely } from 'kysely';
import { openDatabase, type TodoDatabase } from '../connection/open.js';
import type { Target } from '../connection/target.js';
import { UsageError, UnsupportedError } from '../errors.js';
import { migrateUp } from '../migrations/runner.js';
import { seedScale } from '../seed/scale.js';

/** The database a rehearsal runs on: given (`--rehearse-url`) or built here and dropped afterwards. */
export interface RehearsalCopy {
  database: TodoDatabase;
  /** a URL for other logins to the same database (the user part is replaced) */
  url: string;
  display: string;
  built: boolean;
  users: number;
  tasks: number;
  /** drops a built copy (closing our connection first); closes a given one */
  dispose(): Promise<void>;
}

/** Fewest users a built copy gets, so an almost empty target still has a workload. */
const MIN_USERS = 100;

export function requireRehearsalServer(database: Pick<TodoDatabase, 'kind'>, what: string): void {
  if (database.kind !== 'postgres') {
    throw new UnsupportedError(
      `migrate rehearse needs a PostgreSQL server for ${what}, not ${database.kind}: it runs the workload on concurrent connections`,
      'point --url at the server (or a Neon branch) whose migrations you want to rehearse',
    );
  }
}

/** Row counts of the target: estimates where the table is big (count(*) would scan it), exact otherwise. */
export async function targetRowCounts(db: Kysely<any>): Promise<{ users: number; tasks: number }> {
  const count = async (table: 'users' | 'tasks') => {
    const { rows } = await sql<{ n: string }>`select greatest(reltuples, 0)::bigint as n from pg_class where oid = to_regclass(${table})`.execute(db);
    const estimate = Number(rows[0]?.n ?? 0);
    if (estimate > 100_000) return estimate;
    const exact = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    return Number(exact.rows[0]?.n ?? 0);
  };
  return { users: await count('users'), tasks: await count('tasks') };
}

/** The URL of `database` on the target's server, as the target's user. */
export function urlOnServer(target: Extract<Target, { backend: 'postgres' }>, database: string): string {
  const url = new URL(target.connectionString ?? `postgres://${encodeURIComponent(target.user ?? 'postgres')}@${target.host}:${target.port}/`);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Builds a copy on the target's server: a new database with the migrations the
 * target has applied, seeded to the target's row counts with the scale seed.
 * (CREATE DATABASE … TEMPLATE would need everyone off the live database, so it is
 * no way to copy one.) The copy is dropped by `dispose`, also after a failure here.
 */
export async function buildCopy(
  target: TodoDatabase,
  options: { dir?: string; lastApplied: string | null; name: string; onProgress?: (message: string) => void },
): Promise<RehearsalCopy> {
  requireRehearsalServer(target, 'the target');
  if (target.target.backend !== 'postgres') throw new Error('unreachable');
  const counts = await targetRowCounts(target.db);
  await sql.raw(`create database ${options.name}`).execute(target.db);
  const url = urlOnServer(target.target, options.name);
  let database: TodoDatabase | undefined;
  const drop = async () => {
    await database?.close().catch(() => undefined);
    await sql.raw(`drop database if exists ${options.name} with (force)`).execute(target.db);
  };
  try {
    database = await openDatabase({ url, purpose: 'schema' });
    options.onProgress?.(`built the copy ${options.name}`);
    const seeded = await populate(database, counts, options);
    const copy = database;
    return { database: copy, url, display: copy.target.display, built: true, ...seeded, dispose: drop };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
}

/** The migrations the target has applied, then the scale seed at the target's row counts. */
async function populate(
  database: TodoDatabase,
  counts: { users: number; tasks: number },
  options: { dir?: string; lastApplied: string | null; onProgress?: (message: string) => void },
): Promise<{ users: number; tasks: number }> {
  options.onProgress?.(`applying the ${options.lastApplied ? `migrations up to ${options.lastApplied}` : 'bookkeeping'} on the copy`);
  if (options.lastApplied) await migrateUp(database, { ...(options.dir ? { dir: options.dir } : {}), to: options.lastApplied });
  const users = Math.max(MIN_USERS, counts.users);
  const tasksPerUser = Math.max(1, Math.round(counts.tasks / Math.max(1, counts.users)));
  options.onProgress?.(`seeding the copy to the target's size: ${users.toLocaleString('en-US')} users × ${tasksPerUser} tasks`);
  const seeded = await seedScale(database, { users, tasksPerUser, seed: 1 });
  return { users: seeded.users, tasks: seeded.tasks };
}

/**
 * Opens a copy someone made: a Neon branch or restored backup (it must be at the
 * target's migrations), or an empty scratch database, which is populated as a
 * built copy would be. Either way it is left in place afterwards.
 */
export async function givenCopy(
  target: TodoDatabase,
  url: string,
  applied: readonly string[],
  options: { dir?: string; onProgress?: (message: string) => void } = {},
): Promise<RehearsalCopy> {
  const database = await openDatabase({ url, purpose: 'schema' });
  try {
    requireRehearsalServer(database, '--rehearse-url');
    const t = target.target;
    const c = database.target;
    if (t.backend === 'postgres' && c.backend === 'postgres' && t.host === c.host && t.port === c.port && t.database === c.database) {
      throw new UsageError(
        `--rehearse-url is the target database itself (${c.display})`,
        'give a copy: a Neon branch, a scratch database, or leave --rehearse-url out to let todo-db build one',
      );
    }
    const { rows: tables } = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = current_schema()`.execute(database.db);
    if ((tables[0]?.n ?? 0) === 0) {
      const seeded = await populate(database, await targetRowCounts(target.db), { ...options, lastApplied: applied.at(-1) ?? null });
      return { database, url, display: c.display, built: false, ...seeded, dispose: () => database.close() };
    }
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db).catch(() => ({ rows: [] as { name: string }[] }));
    const copyApplied = rows.map((r) => r.name);
    if (copyApplied.join(',') !== applied.join(',')) {
      throw new UsageError(
        `the copy at ${c.display} has ${copyApplied.length} migrations applied (last ${copyApplied.at(-1) ?? 'none'}), the target ${applied.length} (last ${applied.at(-1) ?? 'none'})`,
        'branch the copy from the target again, give an empty scratch database, or leave --rehearse-url out to let todo-db build one',
      );
    }
    const counts = await targetRowCounts(database.db);
    return { database, url, display: c.display, built: false, ...counts, dispose: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}
