import { UsageError } from '../errors.js';
import type { BulkWriter } from './bulk-writer.js';

/** An index or constraint of tasks that a load builds afterwards. */
export interface DeferredObject {
  kind: 'primary key' | 'index' | 'foreign key';
  name: string;
  /** what the catalog says it is: recreated from exactly this */
  definition: string;
}

// Order matters: the primary key first, then the plain indexes, then the foreign
// key, whose validation is one join once users and tasks are both loaded.
const CATALOG = `
  select kind, name, definition from (
    select case k.contype when 'p' then 'primary key' else 'foreign key' end as kind,
           k.conname as name, pg_get_constraintdef(k.oid) as definition,
           case k.contype when 'p' then 1 else 3 end as step
    from pg_constraint k
    where k.conrelid = 'tasks'::regclass and k.contype in ('p', 'f')
    union all
    select 'index', c.relname, pg_get_indexdef(i.indexrelid), 2
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = 'tasks'::regclass
      and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = i.indrelid)
  ) d order by step, name`;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Whether a load rebuilds the tasks indexes afterwards, and why (shown on the terminal). */
export interface IndexPlan {
  strategy: 'rebuild' | 'maintain';
  /** tasks rows before the load (counted up to one more than the load) */
  existing: number;
  deferred: DeferredObject[];
  reason: string;
}

/**
 * The rule: rebuild when the rows already in tasks are at most as many as the
 * rows being loaded. A build sorts every row once (existing + loaded); keeping
 * the indexes inserts each loaded row into six B-trees, about 2.5× the cost per
 * row (500k tasks: 8.4 s maintained vs 3.3 s built, docs/seed.md). So the
 * rebuild wins until the existing rows are about 1.5× the load; at most 1× keeps
 * a margin, and bounds how long existing rows are locked away from the app.
 */
export const REBUILD_WHEN_EXISTING_AT_MOST = 1;

/**
 * The pg_restore trick without the empty-table condition: when tasks holds few
 * rows next to the load, lock it, drop its indexes and keys, load, and build
 * them once from all the data. Runs inside the load's transaction, so a failure
 * anywhere restores them untouched. The lock is exclusive until commit (the app
 * waits), so it is taken only if no other session is using tasks right now;
 * otherwise the seed is refused with the sessions named.
 */
export async function planTaskIndexes(writer: BulkWriter, loading: number, sessions: boolean): Promise<IndexPlan> {
  const limit = Math.floor(loading * REBUILD_WHEN_EXISTING_AT_MOST);
  const existing = await countUpTo(writer, limit + 1);
  if (existing > limit) return { strategy: 'maintain', existing, deferred: [], reason: maintainReason(existing, loading) };
  await lockTasks(writer, sessions);
  // Counted again under the lock: nobody can slip rows in now.
  const locked = await countUpTo(writer, limit + 1);
  if (locked > limit) return { strategy: 'maintain', existing: locked, deferred: [], reason: maintainReason(locked, loading) };
  const objects = await writer.query<DeferredObject>(CATALOG);
  for (const object of [...objects].reverse()) {
    await writer.query(object.kind === 'index' ? `drop index ${quoteIdent(object.name)}` : `alter table tasks drop constraint ${quoteIdent(object.name)}`);
  }
  const few = locked === 0 ? 'tasks is empty' : `tasks holds ${count(locked)} rows, no more than the ${count(loading)} being loaded`;
  return {
    strategy: 'rebuild',
    existing: locked,
    deferred: objects,
    reason: `${few}: its indexes and keys are dropped and built once after the load, in the load's transaction (tasks is locked exclusively until the seed commits)`,
  };
}

const count = (n: number) => n.toLocaleString('en-US');

function maintainReason(_existing: number, loading: number): string {
  return (
    `tasks already holds more than ${count(Math.floor(loading * REBUILD_WHEN_EXISTING_AT_MOST))} rows (the ${count(loading)} being loaded): ` +
    'loading into the indexed table, each row updating every index, about 2.5× slower per row than building them after the load, ' +
    'but the existing rows stay readable and are not re-indexed'
  );
}

/** At most `limit`: exact for small tables, bounded work for big ones. */
async function countUpTo(writer: BulkWriter, limit: number): Promise<number> {
  const [row] = await writer.query<{ n: number }>(`select count(*)::int as n from (select 1 from tasks limit ${Math.max(0, Math.floor(limit))}) t`);
  return row?.n ?? 0;
}

/** NOWAIT: if anyone holds a lock on tasks (an open transaction that read it), refuse rather than queue behind it and in front of the app. */
async function lockTasks(writer: BulkWriter, sessions: boolean): Promise<void> {
  if (!sessions) {
    await writer.query('lock table tasks in access exclusive mode');
    return;
  }
  const holders = await writer.query<{ pid: number; app: string; state: string }>(
    `select distinct a.pid, coalesce(nullif(a.application_name, ''), 'no application name') as app, coalesce(a.state, '') as state
     from pg_locks l join pg_stat_activity a on a.pid = l.pid
     where l.relation = 'tasks'::regclass and l.pid <> pg_backend_pid() order by a.pid`,
  );
  if (holders.length > 0) throw inUse(holders);
  try {
    await writer.query('lock table tasks in access exclusive mode nowait');
  } catch (error) {
    if ((error as { code?: unknown }).code === '55P03') throw inUse([]);
    throw error;
  }
}

function inUse(holders: { pid: number; app: string; state: string }[]): UsageError {
  const who = holders.length ? ` (${holders.map((h) => `pid ${h.pid}, ${h.app}${h.state ? `, ${h.state}` : ''}`).join('; ')})` : '';
  return new UsageError(
    `tasks is in use by other sessions${who}; the scale seed rebuilds its indexes under an exclusive lock that would block them until it commits`,
    'finish or stop those sessions (the app) and run the seed again',
  );
}

/** Rebuilds what `planTaskIndexes` dropped, from the recorded definitions. */
export async function rebuildTaskIndexes(
  writer: BulkWriter,
  objects: readonly DeferredObject[],
  /** before each build (with what is being built) and once at the end (without) */
  onStep?: (done: number, building: DeferredObject | undefined) => void,
): Promise<void> {
  for (const [i, object] of objects.entries()) {
    onStep?.(i, object);
    await writer.query(object.kind === 'index' ? object.definition : `alter table tasks add constraint ${quoteIdent(object.name)} ${object.definition}`);
  }
  onStep?.(objects.length, undefined);
}
