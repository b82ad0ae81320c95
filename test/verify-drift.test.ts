import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, verifySchema, type SchemaFinding, type TodoDatabase, type VerifyResult } from '../src/index.js';
import { openFresh } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

/**
 * One drift case per kind of object and attribute verify compares (docs/verify.md),
 * each made inside a transaction that is rolled back (PostgreSQL's DDL, roles and
 * settings included are transactional), so no case needs a repair and none leaks
 * into the next. `other` is a role of this run only, created inside the case.
 */
interface Drift {
  what: string;
  /** statements; `OTHER` is replaced by this run's throwaway role */
  sql: string;
  id: SchemaFinding['id'];
  object: string;
  message?: RegExp;
}

const DRIFTS: Drift[] = [
  // tables
  {
    what: 'a table owned by another role',
    sql: 'create role OTHER; alter table tasks owner to OTHER',
    id: 'different',
    object: 'tasks',
    message: /owner is owned by todo_db_drift_\w+, expected owned by the role that owns the rest/,
  },
  { what: 'an UNLOGGED table', sql: 'alter table tasks_archive set unlogged', id: 'different', object: 'tasks_archive', message: /persistence is UNLOGGED, expected LOGGED/ },
  { what: 'a changed replica identity', sql: 'alter table tasks replica identity full', id: 'different', object: 'tasks', message: /REPLICA IDENTITY FULL/ },
  { what: 'a dropped table', sql: 'drop table tasks_archive', id: 'missing', object: 'tasks_archive' },
  { what: 'an extra table', sql: 'create table notes (id int primary key)', id: 'unexpected', object: 'notes' },
  {
    what: 'RLS disabled',
    sql: 'alter table users disable row level security',
    id: 'different',
    object: 'row-level security on users',
    message: /enabled is DISABLED, expected ENABLED/,
  },
  {
    what: 'RLS not forced',
    sql: 'alter table tasks_archive no force row level security',
    id: 'different',
    object: 'row-level security on tasks_archive',
    message: /forced is NOT FORCED/,
  },
  // columns
  {
    what: 'a column type',
    sql: 'alter table users alter column name type text',
    id: 'different',
    object: 'users.name',
    message: /type is text, expected character varying\(255\)/,
  },
  {
    what: 'a column made NOT NULL',
    sql: 'alter table users alter column image set not null',
    id: 'different',
    object: 'users.image',
    message: /nullability is NOT NULL, expected NULL/,
  },
  {
    what: 'a default dropped',
    sql: 'alter table users alter column email_verified drop default',
    id: 'different',
    object: 'users.email_verified',
    message: /default is \(none\), expected DEFAULT false/,
  },
  { what: 'a default changed', sql: "alter table tasks alter column created_at set default '2020-01-01'", id: 'different', object: 'tasks.created_at' },
  {
    what: 'a column collation',
    sql: 'alter table users alter column name type varchar(255) collate "C"',
    id: 'different',
    object: 'users.name',
    message: /collation is COLLATE "C", expected \(none\)/,
  },
  { what: 'a dropped column', sql: 'alter table users drop column image', id: 'missing', object: 'users.image' },
  { what: 'an extra column', sql: 'alter table tasks add column x int', id: 'unexpected', object: 'tasks.x' },
  {
    what: 'an extra identity column',
    sql: 'alter table tasks add column n bigint generated always as identity',
    id: 'unexpected',
    object: 'tasks.n',
    message: /unexpected column tasks\.n/,
  },
  { what: 'an extra generated column', sql: 'alter table tasks add column loud text generated always as (upper(title)) stored', id: 'unexpected', object: 'tasks.loud' },
  // constraints
  {
    what: 'ON DELETE changed',
    sql: 'alter table tasks drop constraint tasks_user_id_fkey, add constraint tasks_user_id_fkey foreign key (user_id) references users (id) on delete restrict',
    id: 'different',
    object: 'tasks_user_id_fkey',
    message: /ON DELETE is ON DELETE RESTRICT, expected ON DELETE CASCADE/,
  },
  {
    what: 'ON UPDATE changed',
    sql: 'alter table tasks drop constraint tasks_user_id_fkey, add constraint tasks_user_id_fkey foreign key (user_id) references users (id) on delete cascade on update cascade',
    id: 'different',
    object: 'tasks_user_id_fkey',
    message: /ON UPDATE is ON UPDATE CASCADE/,
  },
  {
    what: 'a deferrable foreign key',
    sql: 'alter table tasks alter constraint tasks_user_id_fkey deferrable initially deferred',
    id: 'different',
    object: 'tasks_user_id_fkey',
    message: /deferrability is DEFERRABLE INITIALLY DEFERRED/,
  },
  {
    what: 'a NOT VALID foreign key',
    sql: 'alter table tasks drop constraint tasks_user_id_fkey, add constraint tasks_user_id_fkey foreign key (user_id) references users (id) on delete cascade not valid',
    id: 'different',
    object: 'tasks_user_id_fkey',
    message: /validity is NOT VALID/,
  },
  {
    what: 'a check changed',
    sql: 'alter table tasks drop constraint tasks_title_not_empty, add constraint tasks_title_not_empty check (length(title) > 0)',
    id: 'different',
    object: 'tasks_title_not_empty',
    message: /definition is CHECK/,
  },
  {
    what: 'a NOT VALID check',
    sql: 'alter table tasks drop constraint tasks_title_not_empty, add constraint tasks_title_not_empty check (length(trim(title)) > 0) not valid',
    id: 'different',
    object: 'tasks_title_not_empty',
    message: /validity is NOT VALID/,
  },
  { what: 'a primary key dropped', sql: 'alter table tasks_archive drop constraint tasks_archive_pkey', id: 'missing', object: 'tasks_archive_pkey' },
  { what: 'an extra unique constraint', sql: 'alter table tasks add constraint tasks_title_key unique (title)', id: 'unexpected', object: 'tasks_title_key' },
  { what: 'an extra exclusion constraint', sql: 'alter table tasks add constraint tasks_no_twins exclude using btree (id with =)', id: 'unexpected', object: 'tasks_no_twins' },
  // indexes
  { what: 'an index dropped', sql: 'drop index idx_tasks_user_created', id: 'missing', object: 'idx_tasks_user_created' },
  { what: 'an extra index', sql: 'create index idx_tasks_title on tasks (title)', id: 'unexpected', object: 'idx_tasks_title' },
  {
    what: 'an index key order',
    sql: 'drop index idx_tasks_created_at; create index idx_tasks_created_at on tasks (created_at desc)',
    id: 'different',
    object: 'idx_tasks_created_at',
    message: /keys is \(created_at DESC\), expected \(created_at\)/,
  },
  {
    what: 'an index key column',
    sql: 'drop index idx_tasks_user_completed; create index idx_tasks_user_completed on tasks (user_id)',
    id: 'different',
    object: 'idx_tasks_user_completed',
  },
  {
    what: 'an index with INCLUDE',
    sql: 'drop index idx_tasks_user_id; create index idx_tasks_user_id on tasks (user_id) include (title)',
    id: 'different',
    object: 'idx_tasks_user_id',
    message: /INCLUDE is INCLUDE \(title\)/,
  },
  {
    what: 'an index opclass',
    sql: 'drop index idx_users_email; create unique index idx_users_email on users (email varchar_pattern_ops)',
    id: 'different',
    object: 'idx_users_email',
    message: /varchar_pattern_ops/,
  },
  {
    what: 'an index collation',
    sql: 'drop index idx_users_email; create unique index idx_users_email on users (email collate "C")',
    id: 'different',
    object: 'idx_users_email',
    message: /COLLATE "?C"?/,
  },
  {
    what: 'an index predicate',
    sql: 'drop index idx_tasks_updated_at; create index idx_tasks_updated_at on tasks (updated_at) where completed',
    id: 'different',
    object: 'idx_tasks_updated_at',
    message: /predicate is WHERE completed/,
  },
  {
    what: 'an index made unique',
    sql: 'drop index idx_users_created_at; create unique index idx_users_created_at on users (created_at)',
    id: 'different',
    object: 'idx_users_created_at',
    message: /uniqueness is UNIQUE/,
  },
  {
    what: 'an index method',
    sql: 'drop index idx_tasks_user_id; create index idx_tasks_user_id on tasks using hash (user_id)',
    id: 'different',
    object: 'idx_tasks_user_id',
    message: /method is USING hash, expected USING btree/,
  },
  {
    what: 'an invalid index',
    sql: "update pg_index set indisvalid = false where indexrelid = 'idx_tasks_user_id'::regclass",
    id: 'different',
    object: 'idx_tasks_user_id',
    message: /validity is INVALID/,
  },
  // triggers
  { what: 'a trigger dropped', sql: 'drop trigger tasks_set_updated_at on tasks', id: 'missing', object: 'trigger tasks_set_updated_at' },
  {
    what: 'a trigger disabled',
    sql: 'alter table tasks disable trigger tasks_set_updated_at',
    id: 'different',
    object: 'trigger tasks_set_updated_at',
    message: /state is DISABLED/,
  },
  {
    what: 'a trigger ENABLE REPLICA',
    sql: 'alter table tasks enable replica trigger tasks_set_updated_at',
    id: 'different',
    object: 'trigger tasks_set_updated_at',
    message: /state is ENABLE REPLICA/,
  },
  {
    what: 'a trigger ENABLE ALWAYS',
    sql: 'alter table tasks enable always trigger tasks_set_updated_at',
    id: 'different',
    object: 'trigger tasks_set_updated_at',
    message: /state is ENABLE ALWAYS/,
  },
  {
    what: 'a trigger timing',
    sql: 'drop trigger users_set_updated_at on users; create trigger users_set_updated_at after update on users for each row execute function set_updated_at()',
    id: 'different',
    object: 'trigger users_set_updated_at',
    message: /timing is AFTER, expected BEFORE/,
  },
  {
    what: 'trigger events',
    sql: 'drop trigger users_set_updated_at on users; create trigger users_set_updated_at before insert or update on users for each row execute function set_updated_at()',
    id: 'different',
    object: 'trigger users_set_updated_at',
    message: /events is INSERT OR UPDATE/,
  },
  {
    what: 'trigger UPDATE OF columns',
    sql: 'drop trigger users_set_updated_at on users; create trigger users_set_updated_at before update of name on users for each row execute function set_updated_at()',
    id: 'different',
    object: 'trigger users_set_updated_at',
    message: /UPDATE OF is OF name/,
  },
  {
    what: 'a trigger WHEN',
    sql: 'drop trigger users_set_updated_at on users; create trigger users_set_updated_at before update on users for each row when (old.* is distinct from new.*) execute function set_updated_at()',
    id: 'different',
    object: 'trigger users_set_updated_at',
    message: /WHEN is WHEN/,
  },
  {
    what: 'a trigger level',
    sql: 'drop trigger users_set_updated_at on users; create trigger users_set_updated_at before update on users for each statement execute function set_updated_at()',
    id: 'different',
    object: 'trigger users_set_updated_at',
    message: /level is FOR EACH STATEMENT/,
  },
  {
    what: 'a trigger function',
    sql: "create function other_fn() returns trigger language plpgsql as 'begin return new; end'; drop trigger users_set_updated_at on users; create trigger users_set_updated_at before update on users for each row execute function other_fn()",
    id: 'different',
    object: 'trigger users_set_updated_at',
    message: /function is EXECUTE FUNCTION other_fn\(\)/,
  },
  {
    what: 'an extra trigger',
    sql: 'create trigger tasks_archive_touch before update on tasks_archive for each row execute function set_updated_at()',
    id: 'unexpected',
    object: 'trigger tasks_archive_touch',
  },
  // functions
  {
    what: 'a function body',
    sql: "create or replace function app_current_user_id() returns uuid language sql stable as $$ select '00000000-0000-0000-0000-000000000001'::uuid $$",
    id: 'different',
    object: 'function app_current_user_id()',
    message: /body is/,
  },
  {
    what: 'a function volatility',
    sql: 'alter function app_current_user_id() volatile',
    id: 'different',
    object: 'function app_current_user_id()',
    message: /volatility is VOLATILE, expected STABLE/,
  },
  {
    what: 'SECURITY DEFINER',
    sql: 'alter function app_current_user_id() security definer',
    id: 'different',
    object: 'function app_current_user_id()',
    message: /security is SECURITY DEFINER/,
  },
  {
    what: 'a function SET clause',
    sql: 'alter function app_current_user_id() set search_path = pg_temp',
    id: 'different',
    object: 'function app_current_user_id()',
    message: /SET is SET search_path=pg_temp/,
  },
  { what: 'a STRICT function', sql: 'alter function set_updated_at() strict', id: 'different', object: 'function set_updated_at()', message: /strictness is STRICT/ },
  {
    what: 'a function owner',
    sql: 'create role OTHER; alter function set_updated_at() owner to OTHER',
    id: 'different',
    object: 'function set_updated_at()',
    message: /owner is owned by todo_db_drift_/,
  },
  {
    what: 'EXECUTE revoked from PUBLIC',
    sql: 'revoke execute on function app_current_user_id() from public',
    id: 'missing',
    object: 'grant on function app_current_user_id() to public',
  },
  {
    what: 'EXECUTE granted to another role',
    sql: 'create role OTHER; grant execute on function app_current_user_id() to OTHER',
    id: 'unexpected',
    object: 'grant on function app_current_user_id() to todo_db_drift_',
  },
  { what: 'an extra function', sql: "create function helper() returns int language sql as 'select 1'", id: 'unexpected', object: 'function helper()' },
  // rules, sequences, views, types, extensions
  { what: 'an extra rule', sql: 'create rule keep_archive as on delete to tasks_archive do instead nothing', id: 'unexpected', object: 'rule keep_archive' },
  { what: 'an extra sequence', sql: 'create sequence ticket_seq', id: 'unexpected', object: 'sequence ticket_seq' },
  { what: 'an extra view', sql: 'create view open_tasks as select * from tasks where not completed', id: 'unexpected', object: 'open_tasks' },
  {
    what: 'an extra materialized view',
    sql: 'create materialized view task_counts as select user_id, count(*) from tasks group by user_id',
    id: 'unexpected',
    object: 'task_counts',
  },
  { what: 'an extra enum type', sql: "create type priority as enum ('low', 'high')", id: 'unexpected', object: 'type priority' },
  { what: 'an extra domain', sql: 'create domain short_text as text check (length(value) < 10)', id: 'unexpected', object: 'type short_text' },
  { what: 'an extension not allowed (its objects named once, with it)', sql: 'create extension pgcrypto', id: 'unexpected', object: 'extension pgcrypto' },
  // policies
  { what: 'a policy dropped', sql: 'drop policy tasks_archive_select_own on tasks_archive', id: 'missing', object: 'policy tasks_archive_select_own' },
  {
    what: 'a policy USING loosened',
    sql: 'alter policy tasks_select_own on tasks using (true)',
    id: 'different',
    object: 'policy tasks_select_own',
    message: /USING is USING \(true\)/,
  },
  {
    what: 'a policy WITH CHECK loosened',
    sql: 'alter policy tasks_update_own on tasks with check (true)',
    id: 'different',
    object: 'policy tasks_update_own',
    message: /WITH CHECK is WITH CHECK \(true\)/,
  },
  {
    what: 'policy roles',
    sql: 'alter policy users_select_self on users to public',
    id: 'different',
    object: 'policy users_select_self',
    message: /roles is TO public, expected TO todo_app/,
  },
  {
    what: 'a restrictive policy',
    sql: 'drop policy tasks_delete_own on tasks; create policy tasks_delete_own on tasks as restrictive for delete to todo_app using (user_id = (select app_current_user_id()))',
    id: 'different',
    object: 'policy tasks_delete_own',
    message: /kind is AS RESTRICTIVE/,
  },
  {
    what: 'a policy command',
    sql: 'drop policy tasks_delete_own on tasks; create policy tasks_delete_own on tasks for all to todo_app using (user_id = (select app_current_user_id()))',
    id: 'different',
    object: 'policy tasks_delete_own',
    message: /command is FOR ALL, expected FOR DELETE/,
  },
  { what: 'an extra policy', sql: 'create policy tasks_everything on tasks using (true)', id: 'unexpected', object: 'policy tasks_everything' },
  // grants
  {
    what: 'a table grant revoked',
    sql: 'revoke delete on tasks_archive from todo_app',
    id: 'different',
    object: 'grant on tasks_archive to todo_app',
    message: /privileges is SELECT, expected SELECT, DELETE/,
  },
  { what: 'an extra table privilege', sql: 'grant truncate on users to todo_app', id: 'different', object: 'grant on users to todo_app' },
  { what: 'a table grant to PUBLIC', sql: 'grant select on users to public', id: 'unexpected', object: 'grant on users to public' },
  {
    what: 'a table grant to another role on a tenant table',
    sql: 'create role OTHER; grant select on tasks to OTHER',
    id: 'unexpected',
    object: 'grant on tasks to todo_db_drift_',
  },
  { what: 'a column grant', sql: 'grant update (title) on tasks_archive to todo_app', id: 'unexpected', object: 'grant on tasks_archive(title) to todo_app' },
  {
    what: 'a sequence grant to the app role',
    sql: 'create sequence ticket_seq; grant usage on sequence ticket_seq to todo_app',
    id: 'unexpected',
    object: 'grant on sequence ticket_seq to todo_app',
  },
  {
    what: 'CREATE on the schema to PUBLIC',
    sql: 'grant create on schema public to public',
    id: 'different',
    object: 'grant on the schema to public',
    message: /privileges is USAGE, CREATE, expected USAGE/,
  },
  { what: 'a schema grant to the app role', sql: 'grant usage on schema public to todo_app', id: 'unexpected', object: 'grant on the schema to todo_app' },
  // roles and settings
  {
    what: 'the app role with BYPASSRLS',
    sql: 'alter role todo_app bypassrls',
    id: 'different',
    object: 'role todo_app',
    message: /BYPASSRLS instead of NOBYPASSRLS: row-level security does not apply/,
  },
  { what: 'the app role with LOGIN', sql: 'alter role todo_app login', id: 'different', object: 'role todo_app', message: /LOGIN instead of NOLOGIN/ },
  { what: 'the app role with CREATEROLE', sql: 'alter role todo_app createrole', id: 'different', object: 'role todo_app', message: /CREATEROLE instead of NOCREATEROLE/ },
  { what: 'the app role a member of another role', sql: 'grant pg_read_all_data to todo_app', id: 'different', object: 'role todo_app', message: /IN ROLE pg_read_all_data/ },
  {
    what: 'a role-level setting of the RLS parameter',
    sql: "alter role todo_app set app.current_user_id = '00000000-0000-0000-0000-000000000001'",
    id: 'unexpected',
    object: 'setting app.current_user_id for role todo_app in every database',
  },
  {
    what: 'a database-level setting of the RLS parameter',
    sql: "alter database DB set app.current_user_id = '00000000-0000-0000-0000-000000000001'",
    id: 'unexpected',
    object: 'setting app.current_user_id for every role in database ',
  },
];

/** Deliberately ignored (docs/verify.md "What verify ignores"): none of these is a finding. */
const IGNORED: Array<{ what: string; sql: string }> = [
  { what: 'a comment', sql: "comment on table tasks is 'todo items'; comment on column tasks.title is 'the title'" },
  { what: 'column statistics targets', sql: 'alter table tasks alter column title set statistics 500' },
  { what: 'fresh statistics', sql: 'analyze tasks' },
  { what: 'table storage parameters', sql: 'alter table tasks set (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.01)' },
  { what: 'index storage parameters', sql: 'alter index idx_tasks_user_id set (fillfactor = 50)' },
  { what: 'column storage', sql: 'alter table tasks alter column description set storage external' },
  { what: 'the allowed extension pg_stat_statements and its objects', sql: 'create extension pg_stat_statements' },
  { what: "another role's grant on the schema", sql: 'create role OTHER; grant usage on schema public to OTHER' },
  { what: 'a login role granted todo_app (memberships into it vary by deployment)', sql: 'create role OTHER login; grant todo_app to OTHER' },
  { what: 'a setting of another parameter', sql: "alter role todo_app set statement_timeout = '5s'" },
  { what: 'default privileges', sql: 'create role OTHER; alter default privileges grant select on tables to OTHER' },
  {
    what: 'a check spelled as pg_dump prints it',
    sql: 'alter table tasks drop constraint tasks_title_not_empty, add constraint tasks_title_not_empty check ((length(TRIM(BOTH FROM title)) > 0))',
  },
  { what: 'a default written as a cast literal', sql: "alter table tasks alter column completed set default 'f'::boolean" },
];

class Rollback extends Error {}

describe('verify drift, kind by kind (PostgreSQL)', () => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let handle: TodoDatabase;
  let database: string;
  let n = 0;

  beforeAll(async () => {
    fresh = await openFresh('postgres', 'drift');
    handle = fresh.handle;
    await migrateUp(handle);
    database = new URL(fresh.backend.url).pathname.slice(1);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  /** Runs the statements and verify in one transaction, then rolls everything back. */
  async function inRollback(statements: string): Promise<VerifyResult> {
    const other = `todo_db_drift_${process.pid}_${++n}`;
    let result: VerifyResult | undefined;
    await withRoleLock('shared', () =>
      handle.db
        .transaction()
        .execute(async (trx: Kysely<any>) => {
          await sql.raw(statements.replace(/\bOTHER\b/g, other).replace(/\bDB\b/g, `"${database}"`)).execute(trx);
          result = await verifySchema({ ...handle, db: trx });
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        }),
    );
    return result!;
  }

  it('has at least 40 drift cases, over every kind verify compares', () => {
    expect(DRIFTS.length).toBeGreaterThanOrEqual(40);
  });

  it('finds nothing on the migrated database', async () => {
    expect((await inRollback('select 1')).findings).toEqual([]);
  });

  it.each(DRIFTS)('catches $what, naming $object', async (drift) => {
    const { ok, findings } = await inRollback(drift.sql);
    expect(ok).toBe(false);
    const match = findings.find((f) => f.id === drift.id && f.object.startsWith(drift.object));
    expect(match, findings.map((f) => `${f.id} ${f.object}: ${f.message}`).join('\n')).toBeDefined();
    expect(match).toMatchObject({ status: 'fail', details: { type: expect.any(String) } });
    if (drift.message) expect(match!.message).toMatch(drift.message);
  });

  it('names an unexpected extension once, not each of its functions', async () => {
    const { findings } = await inRollback('create extension pgcrypto');
    expect(findings.map((f) => f.object)).toEqual(['extension pgcrypto']);
  });

  it.each(IGNORED)('ignores $what', async (ignored) => {
    const { ok, findings } = await inRollback(ignored.sql);
    expect(findings).toEqual([]);
    expect(ok).toBe(true);
  });

  it('says an allowed extension is allowed', async () => {
    const { allowed } = await inRollback('create extension pg_stat_statements');
    expect(allowed).toEqual([
      expect.objectContaining({ id: 'allowed', object: 'extension pg_stat_statements', status: 'ok', message: expect.stringMatching(/^allowed: extension pg_stat_statements/) }),
    ]);
  });
});
