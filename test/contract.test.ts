import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOKKEEPING_TABLES, CONTRACT, CONTRACT_HISTORY, catalogSnapshot, introspect, migrateDown, migrateUp, verifySchema, type SchemaShape, type TodoDatabase } from '../src/index.js';
import { normaliseContract } from '../src/verify/normalise.js';
import { SERVER_BACKENDS, openFresh, type BackendName } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

const ROLES = CONTRACT.roles.map((r) => r.name);
const tableOf = (shape: SchemaShape, name: string) => shape.tables.find((t) => t.name === name)!;
/** Catalog order is by name; the contract's is the order of schema.md. */
const byName = <T extends { name: string }>(list: readonly T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
function canonical(shape: SchemaShape): SchemaShape {
  return {
    tables: byName(shape.tables).map((t) => ({ ...t, indexes: byName(t.indexes), triggers: byName(t.triggers), policies: byName(t.policies), checks: byName(t.checks) })),
    // function bodies are kept as written; compared with whitespace collapsed
    functions: byName(shape.functions).map((f) => ({ ...f, body: f.body.replace(/\s+/g, ' ').trim() })),
    roles: byName(shape.roles),
  };
}

describe('the contract as data', () => {
  it('is version 1.1.0: the two tables of schema.md plus tasks_archive, two functions and the app role', () => {
    expect(CONTRACT.version).toBe('1.1.0');
    expect(CONTRACT.tables.map((t) => t.name)).toEqual(['users', 'tasks', 'tasks_archive']);
    expect(CONTRACT.functions.map((f) => f.name)).toEqual(['app_current_user_id', 'set_updated_at']);
    expect(CONTRACT.roles).toEqual([
      { name: 'todo_app', superuser: false, login: false, inherit: true, createDb: false, createRole: false, replication: false, bypassRls: false },
    ]);
  });

  it('follows the naming conventions of schema.md', () => {
    for (const table of CONTRACT.tables) {
      expect(table.primaryKey?.name).toBe(`${table.name}_pkey`);
      for (const index of table.indexes) expect(index.name).toMatch(new RegExp(`^idx_${table.name}_[a-z_]+$`));
      for (const fk of table.foreignKeys) expect(fk.name).toBe(`${table.name}_${fk.columns.join('_')}_fkey`);
      for (const check of table.checks) expect(check.name).toMatch(new RegExp(`^${table.name}_[a-z_]+$`));
      for (const policy of table.policies) expect(policy.name).toMatch(new RegExp(`^${table.name}_${policy.command}_(own|self)$`));
      for (const column of table.columns) expect(column.name).toMatch(/^[a-z][a-z_]*$/);
    }
  });

  it('declares the eight policies, each TO todo_app, update with USING and WITH CHECK', () => {
    const policies = CONTRACT.tables.flatMap((t) => t.policies.map((p) => [t.name, p.name, p.command, p.using !== null, p.withCheck !== null, p.roles.join()]));
    expect(policies).toEqual([
      ['users', 'users_select_self', 'select', true, false, 'todo_app'],
      ['users', 'users_update_self', 'update', true, true, 'todo_app'],
      ['tasks', 'tasks_select_own', 'select', true, false, 'todo_app'],
      ['tasks', 'tasks_insert_own', 'insert', false, true, 'todo_app'],
      ['tasks', 'tasks_update_own', 'update', true, true, 'todo_app'],
      ['tasks', 'tasks_delete_own', 'delete', true, false, 'todo_app'],
      ['tasks_archive', 'tasks_archive_select_own', 'select', true, false, 'todo_app'],
      ['tasks_archive', 'tasks_archive_delete_own', 'delete', true, false, 'todo_app'],
    ]);
  });

  it('keeps every version in its history; v1.1.0 is v1.0.0 plus tasks_archive, nothing else changed', () => {
    expect(CONTRACT_HISTORY.map((h) => [h.version, h.migration])).toEqual([
      ['1.0.0', '0004_row_level_security'],
      ['1.1.0', '0005_tasks_archive'],
    ]);
    const [v10, v11] = CONTRACT_HISTORY.map((h) => h.contract);
    expect(v11).toBe(CONTRACT);
    expect({ ...v11, version: '1.0.0', tables: v11!.tables.filter((t) => t.name !== 'tasks_archive') }).toEqual(v10);
  });

  it('gives tasks_archive the task columns with their types, plus archived_at', () => {
    const [tasks, archive] = ['tasks', 'tasks_archive'].map((name) => CONTRACT.tables.find((t) => t.name === name)!);
    expect(archive!.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ...tasks!.columns.map((c) => [c.name, c.type, c.nullable]),
      ['archived_at', 'timestamp with time zone', false],
    ]);
  });
});

describe.each(SERVER_BACKENDS)('the migrations produce exactly the contract on %s', (backend: BackendName) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let handle: TodoDatabase;
  let empty: string[];
  let migrated: SchemaShape;
  const roleLock = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());
  const read = () => introspect(handle.db, { roles: ROLES, ignoreTables: BOOKKEEPING_TABLES });

  beforeAll(async () => {
    fresh = await openFresh(backend, 'contract');
    handle = fresh.handle;
    empty = await catalogSnapshot(handle.db);
    await migrateUp(handle);
    migrated = await roleLock(read);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('equals the contract rendered by this server, object for object', async () => {
    const expected = await normaliseContract(handle.db, CONTRACT);
    expect(canonical(migrated)).toEqual(canonical(expected));
  });

  it('has every column with the declared type, nullability and default', () => {
    for (const table of CONTRACT.tables) {
      expect(tableOf(migrated, table.name).columns).toEqual(table.columns);
    }
  });

  it('has the keys, the cascade and the check', () => {
    const tasks = tableOf(migrated, 'tasks');
    expect(tableOf(migrated, 'users').primaryKey).toEqual({ name: 'users_pkey', columns: ['id'] });
    expect(tasks.primaryKey).toEqual({ name: 'tasks_pkey', columns: ['id'] });
    expect(tasks.foreignKeys).toEqual([
      { name: 'tasks_user_id_fkey', columns: ['user_id'], references: { table: 'users', columns: ['id'] }, onDelete: 'cascade', onUpdate: 'no action' },
    ]);
    expect(tasks.checks).toEqual([{ name: 'tasks_title_not_empty', expression: expect.stringMatching(/^\(?length\(TRIM\(BOTH FROM title\)\) > 0\)?$/) }]);
    expect(tasks.uniques).toEqual([]);
  });

  it('has each index with its columns, order, uniqueness and method', () => {
    for (const table of CONTRACT.tables) {
      expect(byName(tableOf(migrated, table.name).indexes)).toEqual(byName(table.indexes.map((i) => ({ ...i, where: null }))));
    }
    expect(tableOf(migrated, 'tasks').indexes.find((i) => i.name === 'idx_tasks_user_created')?.columns).toEqual(['user_id', 'created_at DESC']);
  });

  it('has the updated_at triggers and their function', () => {
    for (const table of CONTRACT.tables) expect(byName(tableOf(migrated, table.name).triggers)).toEqual(byName(table.triggers));
    expect(migrated.functions.find((f) => f.name === 'set_updated_at')).toMatchObject({ returns: 'trigger', language: 'plpgsql', volatility: 'volatile', securityDefiner: false });
  });

  it('has the STABLE uuid helper, RLS enabled and forced, the eight policies and exactly the declared grants', () => {
    expect(migrated.functions.find((f) => f.name === 'app_current_user_id')).toMatchObject({ arguments: '', returns: 'uuid', language: 'sql', volatility: 'stable', securityDefiner: false });
    for (const table of CONTRACT.tables) {
      const live = tableOf(migrated, table.name);
      expect(live.rls).toEqual({ enabled: true, forced: true });
      expect(live.policies.map((p) => [p.name, p.command, p.permissive, p.roles])).toEqual(
        [...table.policies].sort((a, b) => a.name.localeCompare(b.name)).map((p) => [p.name, p.command, true, ['todo_app']]),
      );
      for (const p of live.policies) {
        for (const expression of [p.using, p.withCheck]) if (expression !== null) expect(expression).toMatch(/= \( SELECT app_current_user_id\(\) AS app_current_user_id\)/);
      }
      const privileges = table.name === 'tasks_archive' ? ['DELETE', 'SELECT'] : ['DELETE', 'INSERT', 'SELECT', 'UPDATE'];
      expect(live.grants.map((g) => ({ role: g.role, privileges: [...g.privileges].sort() }))).toEqual([{ role: 'todo_app', privileges }]);
    }
  });

  it('gives todo_app exactly the declared attributes', () => {
    expect(migrated.roles).toEqual(CONTRACT.roles);
  });

  it('passes verify', async () => {
    expect(await roleLock(() => verifySchema(handle))).toEqual({ ok: true, contractVersion: '1.1.0', findings: [], earlierVersion: null });
  });

  it('leaves no trace in this database after `migrate down --all`, and `up` reproduces it', async () => {
    await migrateDown(handle, { all: true });
    expect(await catalogSnapshot(handle.db)).toEqual(empty);
    const { rows } = await sql<{ policies: number; functions: number; tables: number; shared: number }>`
      select (select count(*)::int from pg_policy) as policies,
             (select count(*)::int from pg_proc where pronamespace = (select oid from pg_namespace where nspname = current_schema())) as functions,
             (select count(*)::int from pg_class where relnamespace = (select oid from pg_namespace where nspname = current_schema())
                and relkind in ('r', 'p') and relname not in (${sql.join([...BOOKKEEPING_TABLES])})) as tables,
             (select count(*)::int from pg_shdepend where dbid = (select oid from pg_database where datname = current_database())
                and refclassid = 'pg_authid'::regclass and refobjid = (select oid from pg_roles where rolname = 'todo_app')) as shared`.execute(handle.db);
    expect(rows[0]).toEqual({ policies: 0, functions: 0, tables: 0, shared: 0 });
    await migrateUp(handle);
    expect(await roleLock(read)).toEqual(migrated);
    expect((await roleLock(() => verifySchema(handle))).ok).toBe(true);
  });
});
