import type { BulkWriter } from './bulk-writer.js';

/** An index or constraint of tasks that a load into an empty table builds afterwards. */
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

/**
 * The pg_restore trick: when tasks is empty, drop its indexes and keys, load, and
 * build them once from the sorted data, which beats maintaining six B-trees row
 * by row. Runs inside the load's transaction, so a failure anywhere restores
 * them untouched. Returns what was dropped, or nothing when tasks has rows.
 */
export async function dropTaskIndexesIfEmpty(writer: BulkWriter): Promise<DeferredObject[]> {
  if (!(await tasksEmpty(writer))) return [];
  // Blocks other writers for the load; checked again now that nobody can slip a row in.
  await writer.query('lock table tasks in access exclusive mode');
  if (!(await tasksEmpty(writer))) return [];
  const objects = await writer.query<DeferredObject>(CATALOG);
  for (const object of [...objects].reverse()) {
    await writer.query(object.kind === 'index' ? `drop index ${quoteIdent(object.name)}` : `alter table tasks drop constraint ${quoteIdent(object.name)}`);
  }
  return objects;
}

/** Rebuilds what `dropTaskIndexesIfEmpty` dropped, from the recorded definitions. */
export async function rebuildTaskIndexes(writer: BulkWriter, objects: readonly DeferredObject[], onBuilt?: (object: DeferredObject) => void): Promise<void> {
  for (const object of objects) {
    await writer.query(object.kind === 'index' ? object.definition : `alter table tasks add constraint ${quoteIdent(object.name)} ${object.definition}`);
    onBuilt?.(object);
  }
}

async function tasksEmpty(writer: BulkWriter): Promise<boolean> {
  const [row] = await writer.query<{ empty: boolean }>('select not exists (select 1 from tasks) as empty');
  return row?.empty === true;
}
