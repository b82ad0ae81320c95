import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import { pgPoolOf, pgliteOf } from '../connection/raw-clients.js';
import type { TodoDatabase } from '../connection/open.js';
import { UnsupportedError, UsageError } from '../errors.js';
import { checkUserId, isUuid, setUserSql } from '../rls/with-user.js';
import type { Task } from '../schema.js';
import { lastResult, sendPrefixed, type SimpleClient } from './one-query.js';
import { driverEscape, inlined, parametersOf, type Template } from './statements.js';
import { checkTaskFields } from './task-fields.js';
import type { TaskEdit } from './builders.js';
import { TEMPLATES, countsOf, createTemplate, type CountRow, type TaskCounts } from './templates.js';

/** The seven patterns for one signed-in user, each in one round trip (docs/fast-path.md). */
export interface UserTasks {
  readonly userId: string;
  listTasks(limit?: number): Promise<Task[]>;
  listIncompleteTasks(): Promise<Task[]>;
  createTask(task: { title: string; description?: string | null }): Promise<Task>;
  /** The updated task, or undefined when the user has no task with this id. */
  updateTask(id: string, edit: TaskEdit): Promise<Task | undefined>;
  /** True when the user's task existed and was toggled. */
  toggleTask(id: string): Promise<boolean>;
  /** True when the user's task existed and was deleted. */
  deleteTask(id: string): Promise<boolean>;
  countTasksByStatus(): Promise<TaskCounts>;
}

/** What `asUser` runs on: a database from openDatabase, or the app's own pg Pool or PGlite. */
/** A pg Pool the app already has (structurally: pg's own types stay out of the public declarations). */
export interface AppPool {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  readonly totalCount: number;
}
/** A PGlite instance the app already has. */
export interface AppPglite {
  exec(text: string): Promise<unknown[]>;
  readonly waitReady: Promise<void>;
}
export type FastTarget = TodoDatabase<any> | AppPool | AppPglite;

interface Outcome {
  rows: any[];
  /** rows the statement wrote */
  affected: number;
}
type Send = (text: string) => Promise<Outcome>;

/**
 * The typed patterns at the floor: each call is ONE simple query,
 * `select set_config('app.current_user_id', '<uuid>', true); <statement>`. A
 * multi-statement simple query is one implicit transaction, so the setting is
 * transaction-local exactly as in `withUser` (pooler-safe: PgBouncer and Neon's
 * pooler keep one query on one server connection), and RLS sees the user.
 *
 * Values are written into the text as literals, never concatenated raw: the user
 * and task ids must be uuids, the limit an integer, the text goes through pg's
 * `escapeLiteral` after the same checks as the typed functions (length, no NUL).
 * Use it for the seven patterns; anything else (several statements in one
 * transaction, other queries) goes through `withUser`.
 *
 * @example
 * const me = asUser(database, session.user.id);
 * const page = await me.listTasks(50);
 * await me.toggleTask(page[0].id);
 */
export function asUser(target: FastTarget, userId: string): UserTasks {
  checkUserId(userId, 'asUser');
  const run = runner(target, `${setUserSql(userId)}; `);
  const task = (id: unknown) => {
    if (!isUuid(id)) throw new UsageError(`a task id must be a uuid, got ${JSON.stringify(String(id)).slice(0, 60)}`, "pass the id of one of the user's tasks");
    return id;
  };
  return {
    userId,
    async listTasks(limit = 50) {
      if (!Number.isSafeInteger(limit) || limit < 0) throw new UsageError(`listTasks needs a limit that is a whole number ≥ 0, got ${String(limit)}`);
      return (await run(TEMPLATES.list(), { userId, limit })).rows;
    },
    async listIncompleteTasks() {
      return (await run(TEMPLATES.incomplete(), { userId })).rows;
    },
    async createTask({ title, description = null }) {
      const row = { user_id: userId, title, description };
      checkTaskFields(row);
      const [created] = (await run(createTemplate(row), row)).rows;
      if (!created) throw new Error('insert into tasks returned no row');
      return created;
    },
    async updateTask(id, edit) {
      checkTaskFields(edit);
      return (await run(TEMPLATES.update(), { id: task(id), userId, title: edit.title, description: edit.description ?? null })).rows[0];
    },
    async toggleTask(id) {
      return (await run(TEMPLATES.toggle(), { id: task(id), userId })).affected > 0;
    },
    async deleteTask(id) {
      return (await run(TEMPLATES.delete(), { id: task(id), userId })).affected > 0;
    },
    async countTasksByStatus() {
      return countsOf((await run(TEMPLATES.count(), { userId })).rows as CountRow[]);
    },
  };
}

type Run = (t: Template, values: Record<string, unknown>) => Promise<Outcome>;

/** How this target runs a pattern: from its prepared statement when the plan cache is on, else as one literal text. */
function runner(target: FastTarget, prefix: string): Run {
  if ('raw' in target && target.preparedStatements && target.raw.kind === 'postgres') return viaPlanCache(pgPoolOf(target.raw), prefix);
  const send = sender(target);
  return async (t, values) => send(prefix + inlined(t, values, await driverEscape()));
}

/**
 * With the plan cache on (docs/plan-cache.md): still one simple query, but the
 * statement is `execute <name>(<literals>)` of a statement this connection
 * prepared once (src/queries/one-query.ts), so the server plans the pattern and
 * its policies once per connection, not on every call.
 */
function viaPlanCache(pool: Pool, prefix: string): Run {
  return async (t, values) => {
    const escapeLiteral = await driverEscape();
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // The values were checked above (uuids, integers, text without NUL), so each has a literal.
      const result = await sendPrefixed(client as unknown as SimpleClient, prefix, t.compiled.sql, parametersOf(t, values), escapeLiteral);
      if (!result) throw new TypeError(`asUser: a value of ${t.compiled.sql.slice(0, 40)}… has no literal`);
      return { rows: result.rows, affected: result.rowCount ?? 0 };
    } catch (error) {
      // A server's error leaves the connection usable; anything else (a lost socket) does not.
      if (!(error as { code?: unknown }).code) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

function sender(target: FastTarget): Send {
  if ('raw' in target && 'db' in target) {
    const { raw, db } = target;
    if (raw.kind === 'postgres') return viaPool(pgPoolOf(raw));
    if (raw.kind === 'pglite') {
      // Through Kysely's connection queue: PGlite is one session, and a transaction
      // another caller has open on it must not see (or swallow) this statement.
      return (text) => db.getExecutor().provideConnection(() => viaPglite(pgliteOf(raw))(text));
    }
    throw new UnsupportedError('asUser needs PostgreSQL or PGlite (pg-mem has no set_config or row-level security)', 'use the typed functions without a user on pg-mem');
  }
  if (typeof (target as AppPglite).exec === 'function' && 'waitReady' in target) return viaPglite(target as unknown as PGlite);
  if (typeof (target as AppPool).connect === 'function' && 'totalCount' in target) return viaPool(target as unknown as Pool);
  throw new UsageError('asUser needs a database from openDatabase, a pg Pool or a PGlite instance', 'pass one of those (a single pg Client may be inside a transaction)');
}

function viaPool(pool: Pool): Send {
  return async (text) => {
    // No parameters: pg sends a simple query, and answers one result per statement.
    const result = lastResult(await pool.query(text));
    return { rows: result.rows, affected: result.rowCount ?? 0 };
  };
}

function viaPglite(client: PGlite): Send {
  return async (text) => {
    const results = await client.exec(text);
    const first = results[0];
    const last = results[results.length - 1]!;
    // PGlite's exec counts affected rows cumulatively over the statements; set_config writes none.
    return { rows: last.rows, affected: (last.affectedRows ?? 0) - (results.length > 1 ? (first?.affectedRows ?? 0) : 0) };
  };
}
