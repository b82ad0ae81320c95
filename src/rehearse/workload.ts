import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { countTasksByStatus, createTask, deleteTask, listIncompleteTasks, listTasks, toggleTask, updateTask } from '../queries/tasks.js';
import { withUser } from '../rls/with-user.js';
import type { Database } from '../schema.js';
import type { Sample } from './stats.js';

/** A user of the copy and one of their tasks, for the patterns that take a task id. */
export interface WorkloadUser {
  userId: string;
  taskId: string;
}

/** A lock wait of a workload session, seen by the sampler (every `LOCK_SAMPLE_MS`). */
export interface LockWait {
  /** when it was first seen, ms from the workload's start */
  atMs: number;
  /** how long it had waited when last seen (a lower bound) */
  ms: number;
  pid: number;
}

export const LOCK_SAMPLE_MS = 50;
/** Pause between one client's operations: an app that is busy, not a load test that saturates the server. */
export const THINK_MS = 5;

/**
 * A LOGIN role in todo_app made for this rehearsal, so the workload runs under
 * row-level security as the app does. It has a random password (Neon needs one)
 * that lives only in this process.
 */
export async function createAppRole(admin: Kysely<any>, name: string): Promise<{ name: string; password: string }> {
  const password = randomBytes(18).toString('hex');
  await sql.raw(`create role ${name} login password '${password}' nosuperuser nobypassrls in role todo_app`).execute(admin);
  return { name, password };
}

export async function dropAppRole(admin: Kysely<any>, name: string): Promise<void> {
  await sql
    .raw(`drop owned by ${name}`)
    .execute(admin)
    .catch(() => undefined);
  await sql.raw(`drop role if exists ${name}`).execute(admin);
}

/** Random users with a task each, read as the owner (the app role sees no one without a user set). */
export async function sampleUsers(admin: Kysely<any>, count = 500): Promise<WorkloadUser[]> {
  const { rows } = await sql<{ user_id: string; task_id: string }>`
    select t.user_id, min(t.id::text) as task_id
    from tasks t where t.user_id in (select id from users order by random() limit ${count})
    group by t.user_id`.execute(admin);
  return rows.map((r) => ({ userId: r.user_id, taskId: r.task_id }));
}

type Operation = (db: Kysely<Database>, user: WorkloadUser, created: string[]) => Promise<unknown>;

/** The seven query patterns of schema.md, as the app calls them; deletes remove tasks the workload created. */
const PATTERNS: readonly Operation[] = [
  (db, u) => listTasks(db, u.userId, 50),
  (db, u) => listIncompleteTasks(db, u.userId),
  async (db, u, created) => created.push((await createTask(db, { user_id: u.userId, title: 'rehearsal task', description: null })).id),
  (db, u) => updateTask(db, u.taskId, u.userId, { title: 'rehearsal edit', description: null }),
  (db, u) => toggleTask(db, u.taskId, u.userId),
  (db, u, created) => deleteTask(db, created.pop() ?? u.taskId, u.userId),
  (db, u) => countTasksByStatus(db, u.userId),
];

export interface Workload {
  samples: Sample[];
  lockWaits: LockWait[];
  /** ms since the workload started */
  now(): number;
  stop(): Promise<void>;
}

/**
 * Starts `concurrency` clients, each running random patterns for random users
 * through `withUser` as the app role, and a sampler on `admin` that records the
 * workload's sessions waiting for a lock.
 */
export async function startWorkload(options: { appUrl: string; admin: Kysely<any>; role: string; users: WorkloadUser[]; concurrency: number }): Promise<Workload> {
  // Loaded only here, as open.ts does: `todo-db --version` and PGlite runs never load pg.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: options.appUrl, max: options.concurrency, application_name: 'todo-db rehearse workload' });
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const origin = performance.now();
  const now = () => performance.now() - origin;
  const samples: Sample[] = [];
  const waits = new Map<string, LockWait>();
  let stopped = false;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const client = async () => {
    const created: string[] = [];
    while (!stopped) {
      const user = options.users[Math.floor(Math.random() * options.users.length)]!;
      const op = PATTERNS[Math.floor(Math.random() * PATTERNS.length)]!;
      const atMs = now();
      let ok = true;
      try {
        await withUser(db, user.userId, (trx) => op(trx, user, created));
      } catch {
        ok = false;
      }
      samples.push({ atMs, ms: now() - atMs, ok });
      await pause(THINK_MS);
    }
  };
  const sampler = async () => {
    while (!stopped) {
      try {
        const { rows } = await sql<{ pid: number; started: string; ms: number }>`
          select pid, query_start::text as started, extract(epoch from now() - query_start)::float8 * 1000 as ms
          from pg_stat_activity where usename = ${options.role} and wait_event_type = 'Lock'`.execute(options.admin);
        for (const r of rows) {
          const key = `${r.pid}@${r.started}`;
          const seen = waits.get(key);
          if (seen) seen.ms = Math.max(seen.ms, r.ms);
          else waits.set(key, { atMs: now() - r.ms, ms: r.ms, pid: r.pid });
        }
      } catch {
        // A missed sample loses a data point, not the rehearsal.
      }
      await pause(LOCK_SAMPLE_MS);
    }
  };
  const running = [...Array.from({ length: options.concurrency }, client), sampler()];
  return {
    samples,
    get lockWaits() {
      return [...waits.values()].sort((a, b) => a.atMs - b.atMs);
    },
    now,
    stop: async () => {
      stopped = true;
      await Promise.all(running);
      await db.destroy();
    },
  };
}
