import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedError, migrateUp, verifySchema, type SchemaFinding, type TodoDatabase } from '../src/index.js';
import { SERVER_BACKENDS, openFresh, type BackendName } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

interface Breakage {
  what: string;
  break: string;
  repair: string;
  expect: { kind: SchemaFinding['id']; object: string; table: string | null; message?: RegExp; fix?: RegExp };
  /** changes the cluster-wide role: hold the role lock exclusively until repaired */
  role?: boolean;
}

/** Each way to damage a migrated database, how to undo it, and the finding verify must give. */
const BREAKAGES: Breakage[] = [
  {
    what: 'a dropped index',
    break: 'drop index idx_tasks_user_created',
    repair: 'create index idx_tasks_user_created on tasks (user_id, created_at desc)',
    expect: { kind: 'missing', object: 'idx_tasks_user_created', table: 'tasks', fix: /CREATE INDEX idx_tasks_user_created ON tasks USING btree \(user_id, created_at DESC\)/ },
  },
  {
    what: 'a changed column default',
    break: 'alter table tasks alter column completed set default true',
    repair: 'alter table tasks alter column completed set default false',
    expect: { kind: 'different', object: 'tasks.completed', table: 'tasks', message: /default is DEFAULT true, expected DEFAULT false/ },
  },
  {
    what: 'a column made nullable',
    break: 'alter table tasks alter column title drop not null',
    repair: 'alter table tasks alter column title set not null',
    expect: { kind: 'different', object: 'tasks.title', table: 'tasks', message: /nullability is NULL, expected NOT NULL/ },
  },
  {
    what: 'a widened varchar',
    break: 'alter table users alter column email type varchar(320)',
    repair: 'alter table users alter column email type varchar(255)',
    expect: { kind: 'different', object: 'users.email', table: 'users', message: /type is character varying\(320\), expected character varying\(255\)/ },
  },
  {
    what: 'an extra column',
    break: 'alter table tasks add column priority integer',
    repair: 'alter table tasks drop column priority',
    expect: { kind: 'unexpected', object: 'tasks.priority', table: 'tasks' },
  },
  {
    what: 'an extra index',
    break: 'create index idx_tasks_title on tasks (title)',
    repair: 'drop index idx_tasks_title',
    expect: { kind: 'unexpected', object: 'idx_tasks_title', table: 'tasks', fix: /DROP INDEX idx_tasks_title/ },
  },
  {
    what: 'the foreign key changed to NO ACTION',
    break: 'alter table tasks drop constraint tasks_user_id_fkey, add constraint tasks_user_id_fkey foreign key (user_id) references users (id)',
    repair: 'alter table tasks drop constraint tasks_user_id_fkey, add constraint tasks_user_id_fkey foreign key (user_id) references users (id) on delete cascade',
    expect: { kind: 'different', object: 'tasks_user_id_fkey', table: 'tasks', message: /ON DELETE is ON DELETE NO ACTION, expected ON DELETE CASCADE/ },
  },
  {
    what: 'the check constraint dropped',
    break: 'alter table tasks drop constraint tasks_title_not_empty',
    repair: 'alter table tasks add constraint tasks_title_not_empty check (length(trim(title)) > 0)',
    expect: { kind: 'missing', object: 'tasks_title_not_empty', table: 'tasks' },
  },
  {
    what: 'a trigger dropped',
    break: 'drop trigger users_set_updated_at on users',
    repair: 'create trigger users_set_updated_at before update on users for each row execute function set_updated_at()',
    expect: { kind: 'missing', object: 'trigger users_set_updated_at', table: 'users' },
  },
  {
    what: 'a trigger disabled',
    break: 'alter table tasks disable trigger tasks_set_updated_at',
    repair: 'alter table tasks enable trigger tasks_set_updated_at',
    expect: { kind: 'different', object: 'trigger tasks_set_updated_at', table: 'tasks', message: /state is DISABLED/ },
  },
  {
    what: 'a policy dropped',
    break: 'drop policy tasks_delete_own on tasks',
    repair: 'create policy tasks_delete_own on tasks for delete to todo_app using (user_id = (select app_current_user_id()))',
    expect: { kind: 'missing', object: 'policy tasks_delete_own', table: 'tasks' },
  },
  {
    what: 'a policy loosened to true',
    break: 'alter policy tasks_update_own on tasks using (true) with check (true)',
    repair: 'alter policy tasks_update_own on tasks using (user_id = (select app_current_user_id())) with check (user_id = (select app_current_user_id()))',
    expect: { kind: 'different', object: 'policy tasks_update_own', table: 'tasks', message: /USING is USING \(true\), expected USING \(\(?user_id = / },
  },
  {
    what: 'an extra policy',
    break: 'create policy tasks_everything on tasks using (true)',
    repair: 'drop policy tasks_everything on tasks',
    expect: { kind: 'unexpected', object: 'policy tasks_everything', table: 'tasks' },
  },
  {
    what: 'RLS no longer forced',
    break: 'alter table tasks no force row level security',
    repair: 'alter table tasks force row level security',
    expect: { kind: 'different', object: 'row-level security on tasks', table: 'tasks', fix: /ALTER TABLE tasks FORCE ROW LEVEL SECURITY/ },
  },
  {
    what: 'a grant revoked from todo_app',
    break: 'revoke delete on tasks from todo_app',
    repair: 'grant delete on tasks to todo_app',
    expect: { kind: 'different', object: 'grant on tasks to todo_app', table: 'tasks', fix: /GRANT DELETE ON tasks TO todo_app/ },
  },
  {
    what: 'an extra grant to todo_app',
    break: 'grant truncate on users to todo_app',
    repair: 'revoke truncate on users from todo_app',
    expect: { kind: 'different', object: 'grant on users to todo_app', table: 'users', fix: /REVOKE TRUNCATE ON users FROM todo_app/ },
  },
  {
    what: 'a grant to PUBLIC',
    break: 'grant select on users to public',
    repair: 'revoke select on users from public',
    expect: { kind: 'unexpected', object: 'grant on users to public', table: 'users' },
  },
  {
    what: 'an extra table',
    break: 'create table notes (id integer primary key)',
    repair: 'drop table notes',
    expect: { kind: 'unexpected', object: 'notes', table: 'notes' },
  },
  {
    what: 'the helper function made VOLATILE',
    break: 'alter function app_current_user_id() volatile',
    repair: 'alter function app_current_user_id() stable',
    expect: { kind: 'different', object: 'function app_current_user_id()', table: null, message: /volatility is VOLATILE, expected STABLE/ },
  },
  {
    what: 'todo_app given BYPASSRLS',
    break: 'alter role todo_app bypassrls',
    repair: 'alter role todo_app nobypassrls',
    expect: { kind: 'different', object: 'role todo_app', table: null, fix: /^ALTER ROLE todo_app NOBYPASSRLS$/ },
    role: true,
  },
];

/** Spellings PostgreSQL stores the same way as the contract's: never a finding. */
const EQUIVALENTS: Array<{ what: string; change: string; repair: string }> = [
  {
    what: 'a default written as a cast literal',
    change: "alter table tasks alter column completed set default 'f'::boolean",
    repair: 'alter table tasks alter column completed set default false',
  },
  {
    what: 'a policy with extra parentheses and a schema-qualified helper',
    change: 'alter policy tasks_select_own on tasks using (((user_id) = (select public.app_current_user_id())))',
    repair: 'alter policy tasks_select_own on tasks using (user_id = (select app_current_user_id()))',
  },
  {
    what: 'a check constraint spelled as pg_dump prints it',
    change: 'alter table tasks drop constraint tasks_title_not_empty, add constraint tasks_title_not_empty check ((length(TRIM(BOTH FROM title)) > 0))',
    repair: 'alter table tasks drop constraint tasks_title_not_empty, add constraint tasks_title_not_empty check (length(trim(title)) > 0)',
  },
];

describe.each(SERVER_BACKENDS)('verify on %s', (backend: BackendName) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let handle: TodoDatabase;
  /** The role is cluster-wide on the server: hold it shared while the result depends on it. */
  const roleLock = <T>(mode: 'shared' | 'exclusive', fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock(mode, fn) : fn());
  const run = (statement: string) => sql.raw(statement).execute(handle.db);

  beforeAll(async () => {
    fresh = await openFresh(backend, 'verify');
    handle = fresh.handle;
    await migrateUp(handle);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('finds nothing on a freshly migrated database (bookkeeping tables ignored)', async () => {
    const result = await roleLock('shared', () => verifySchema(handle));
    expect(result).toMatchObject({ ok: true, schemaVersion: '1.2.0', findings: [], allowed: [], earlierVersion: null });
  });

  it.each(BREAKAGES)('reports $what, naming the object', async (breakage) => {
    const findings = await roleLock(breakage.role ? 'exclusive' : 'shared', async () => {
      await run(breakage.break);
      try {
        return (await verifySchema(handle)).findings;
      } finally {
        await run(breakage.repair);
      }
    });
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding).toMatchObject({ id: breakage.expect.kind, object: breakage.expect.object, status: 'fail', details: { table: breakage.expect.table } });
    if (breakage.expect.message) expect(finding!.message).toMatch(breakage.expect.message);
    if (breakage.expect.fix) expect(finding!.fix).toMatch(breakage.expect.fix);
    if (finding!.id !== 'unexpected') expect(finding!.details.expected).toEqual(expect.any(String));
    if (finding!.id !== 'missing') expect(finding!.details.actual).toEqual(expect.any(String));
    // repaired: back to no findings, so no breakage leaks into the next
    expect((await roleLock('shared', () => verifySchema(handle))).findings).toEqual([]);
  });

  it.each(EQUIVALENTS)('does not report $what', async (equivalent) => {
    await run(equivalent.change);
    try {
      expect((await roleLock('shared', () => verifySchema(handle))).findings).toEqual([]);
    } finally {
      await run(equivalent.repair);
    }
  });

  it('reports several breakages at once, each once', async () => {
    await run('drop index idx_users_created_at; alter table users alter column name type text');
    try {
      const { ok, findings } = await roleLock('shared', () => verifySchema(handle));
      expect(ok).toBe(false);
      expect(findings.map((f) => `${f.id} ${f.object}`).sort()).toEqual(['different users.name', 'missing idx_users_created_at']);
    } finally {
      await run('create index idx_users_created_at on users (created_at); alter table users alter column name type varchar(255)');
    }
  });

  it('reports every table and function as missing on an empty database', async () => {
    const empty = await openFresh(backend, 'verifyempty');
    try {
      const { findings } = await verifySchema(empty.handle);
      const names = findings.map((f) => `${f.id} ${f.object}`);
      expect(names).toEqual(expect.arrayContaining(['missing users', 'missing tasks', 'missing function app_current_user_id()', 'missing function set_updated_at()']));
      // nothing inside a missing table is reported on top of it
      expect(names.some((n) => n.includes('tasks.'))).toBe(false);
    } finally {
      await empty.close();
    }
  });
});

describe('verify on pg-mem', () => {
  it('refuses: there is no catalog to compare', async () => {
    const fresh = await openFresh('pgmem');
    try {
      await expect(verifySchema(fresh.handle)).rejects.toThrow(UnsupportedError);
      await expect(verifySchema(fresh.handle)).rejects.toThrow(/pgmem has no PostgreSQL catalog/);
    } finally {
      await fresh.close();
    }
  });
});
