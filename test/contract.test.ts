import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOOKKEEPING_TABLES,
  PACKAGE_SNAPSHOT_PATH,
  catalogSnapshot,
  migrateDown,
  migrateUp,
  readCatalog,
  readSnapshot,
  schemasByMigration,
  tablesOf,
  verifySchema,
  type Catalog,
  type TodoDatabase,
} from '../src/index.js';
import { SERVER_BACKENDS, openFresh, type BackendName } from './support/backends.js';
import { withRoleLock } from './support/role-lock.js';

/**
 * The spec's exact v1 schema, proven point by point: the column tables, constraint
 * lines and index lines are read from ../shared/spec/schema.md itself, and each is
 * checked against what the migrations build (on PostgreSQL and PGlite).
 */
function specPath(): string {
  const root = resolve(import.meta.dirname, '..');
  const candidates = [process.env.TODO_DB_SPEC, join(root, '..', 'shared', 'spec', 'schema.md')];
  try {
    // A git worktree's main checkout sits beside shared/ too.
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root, encoding: 'utf8' }).trim();
    candidates.push(join(dirname(dirname(common)), 'shared', 'spec', 'schema.md'));
  } catch {
    // not a git checkout: the first two places only
  }
  const found = candidates.find((p): p is string => p !== undefined && existsSync(p));
  if (!found) throw new Error(`schema.md not found (looked in ${candidates.filter(Boolean).join(', ')}); set TODO_DB_SPEC`);
  return found;
}

interface SpecTable {
  name: string;
  columns: Array<{ name: string; type: string; nullable: boolean; default: string | null }>;
  primaryKey: string;
  constraints: Array<{ name: string; definition: string }>;
  indexes: Array<{ name: string; unique: boolean; method: string; keys: string[] }>;
}

const TYPES: Record<string, string> = { timestamptz: 'timestamp with time zone' };
const specType = (t: string) => TYPES[t] ?? t.replace(/^varchar\((\d+)\)$/, 'character varying($1)');

function parseSpec(text: string): SpecTable[] {
  return [...text.matchAll(/^## Table `(\w+)`.*\n([\s\S]*?)(?=^## )/gm)].map(([, name, body]) => {
    const rows = [...body!.matchAll(/^\| (\w+) \| ([^|]+?) \| ([^|]+?) \|\s*([^|]*?)\s*\|$/gm)].filter((r) => r[1] !== 'column');
    return {
      name: name!,
      columns: rows.map(([, column, type, nullText, def]) => ({
        name: column!,
        type: specType(type!.trim()),
        nullable: !nullText!.startsWith('NOT NULL'),
        default: def!.trim() === '' ? null : def!.trim().replace(/^`|`$/g, ''),
      })),
      primaryKey: /primary key `(\w+)`/.exec(body!)?.[1] ?? '',
      constraints: [...body!.matchAll(/^- `(\w+)`: (.+)$/gm)].map(([, n, d]) => ({ name: n!, definition: d! })),
      indexes: [...body!.matchAll(/^- `(idx_\w+)` (UNIQUE )?(\w+) \((.+)\)$/gm)].map(([, n, u, m, keys]) => ({
        name: n!,
        unique: u !== undefined,
        method: m!,
        keys: keys!.split(', '),
      })),
    };
  });
}

const SPEC = parseSpec(readFileSync(specPath(), 'utf8'));
const attr = (catalog: Catalog, key: string) => catalog[key]?.attrs;

describe('the spec, as read from schema.md', () => {
  it('has the two v1 tables, 7 indexes besides the primary keys, a foreign key and a check', () => {
    expect(SPEC.map((t) => t.name)).toEqual(['users', 'tasks']);
    expect(SPEC.flatMap((t) => t.indexes)).toHaveLength(7);
    expect(SPEC.flatMap((t) => t.constraints).map((c) => c.name)).toEqual(['tasks_user_id_fkey', 'tasks_title_not_empty']);
    expect(SPEC.map((t) => t.columns.length)).toEqual([7, 7]);
  });
});

describe('the committed snapshot', () => {
  const snapshot = readSnapshot(PACKAGE_SNAPSHOT_PATH);

  it('is schema version 1.2.0: the two tables of schema.md, tasks_archive, the three Better Auth tables, two functions and the two roles', () => {
    expect(snapshot.schemaVersion).toBe('1.2.0');
    expect(
      tablesOf(snapshot.objects)
        .map((t) => t.name)
        .sort(),
    ).toEqual(['accounts', 'sessions', 'tasks', 'tasks_archive', 'users', 'verifications']);
    expect(
      Object.values(snapshot.objects)
        .filter((o) => o.kind === 'function')
        .map((o) => o.object),
    ).toEqual(['function app_current_user_id()', 'function set_updated_at()']);
    expect(snapshot.roles).toEqual(['todo_app', 'todo_auth']);
  });

  it('records v1.0.0 after 0004, v1.1.0 after 0005 (which adds tasks_archive and nothing else) and v1.2.0 after 0006', () => {
    const schemas = schemasByMigration(snapshot);
    expect(schemas.map((s) => [s.name, s.schemaVersion])).toEqual([
      ['0001_create_users', null],
      ['0002_create_tasks', null],
      ['0003_updated_at_triggers', null],
      ['0004_row_level_security', '1.0.0'],
      ['0005_tasks_archive', '1.1.0'],
      ['0006_better_auth', '1.2.0'],
    ]);
    const archive = snapshot.migrations.find((m) => m.name === '0005_tasks_archive')!;
    expect(archive.removed).toEqual([]);
    for (const o of Object.values(archive.set)) expect(o.table === 'tasks_archive' || o.object === 'tasks_archive').toBe(true);
  });

  it('gives tasks_archive the task columns with their types, plus archived_at', () => {
    const [tasks, archive] = ['tasks', 'tasks_archive'].map((name) => tablesOf(snapshot.objects).find((t) => t.name === name)!);
    expect(archive!.columns.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ...tasks!.columns.map((c) => [c.name, c.type, c.nullable]),
      ['archived_at', 'timestamp with time zone', false],
    ]);
  });
});

describe.each(SERVER_BACKENDS)('the migrations build exactly schema.md on %s', (backend: BackendName) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  let handle: TodoDatabase;
  let empty: string[];
  let live: Catalog;
  const roleLock = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());
  const read = async () => (await readCatalog(handle.db, { roles: ['todo_app'], ignoreTables: BOOKKEEPING_TABLES, parameters: [] })).objects;

  beforeAll(async () => {
    fresh = await openFresh(backend, 'contract');
    handle = fresh.handle;
    empty = await catalogSnapshot(handle.db);
    await migrateUp(handle);
    live = await roleLock(read);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it.each(SPEC.flatMap((t) => t.columns.map((c) => [`${t.name}.${c.name}`, c] as const)))('column %s has the spec type, nullability and default', (key, column) => {
    expect(attr(live, `column ${key}`)).toMatchObject({ type: column.type, nullable: column.nullable, default: column.default, identity: null, generated: null });
  });

  it('has no columns beyond the spec on the v1 tables', () => {
    for (const t of SPEC)
      expect(
        tablesOf(live)
          .find((x) => x.name === t.name)!
          .columns.map((c) => c.name),
      ).toEqual(t.columns.map((c) => c.name));
  });

  it('has the spec primary keys on id', () => {
    for (const t of SPEC) expect(attr(live, `constraint ${t.name}.${t.primaryKey}`)).toMatchObject({ type: 'primary key', columns: ['id'], validated: true });
  });

  it('has the foreign key with ON DELETE CASCADE and the title check, as the spec writes them', () => {
    const [fk, check] = SPEC[1]!.constraints;
    expect(fk!.definition).toBe('FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE');
    expect(attr(live, `constraint tasks.${fk!.name}`)).toMatchObject({
      definition: 'FOREIGN KEY (user_id) REFERENCES users(id)',
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
      deferrable: 'NOT DEFERRABLE',
      validated: true,
    });
    expect(check!.definition).toBe('CHECK (length(trim(title)) > 0)');
    expect(attr(live, `constraint tasks.${check!.name}`)?.definition).toMatch(/^CHECK \(\(length\(TRIM\(BOTH FROM title\)\) > 0\)\)$/);
  });

  it.each(SPEC.flatMap((t) => t.indexes.map((i) => [i.name, t.name, i] as const)))('index %s on %s has the spec keys, order, uniqueness and method', (name, table, index) => {
    expect(live[`index ${name}`]).toMatchObject({ table, attrs: { unique: index.unique, method: index.method, keys: index.keys, include: [], predicate: null, valid: true } });
  });

  it('has exactly the 7 spec indexes on the v1 tables, besides the primary keys', () => {
    const names = Object.values(live)
      .filter((o) => o.kind === 'index' && (o.table === 'users' || o.table === 'tasks'))
      .map((o) => o.object);
    expect(names.sort()).toEqual(SPEC.flatMap((t) => t.indexes.map((i) => i.name)).sort());
  });

  it('maintains updated_at with set_updated_at() BEFORE UPDATE FOR EACH ROW on both tables', () => {
    for (const t of SPEC) {
      expect(attr(live, `trigger ${t.name}.${t.name}_set_updated_at`)).toEqual({
        timing: 'BEFORE',
        events: ['UPDATE'],
        updateOf: [],
        level: 'ROW',
        when: null,
        function: 'set_updated_at()',
        referencing: null,
        enabled: 'ENABLED',
      });
    }
    expect(attr(live, 'function set_updated_at()')).toMatchObject({ returns: 'trigger', language: 'plpgsql', securityDefiner: false });
  });

  it('reads the user from a STABLE uuid helper, NULL when app.current_user_id is unset or empty', () => {
    const helper = attr(live, 'function app_current_user_id()')!;
    expect(helper).toMatchObject({ returns: 'uuid', language: 'sql', volatility: 'STABLE', securityDefiner: false });
    expect(String(helper.body).replace(/\s+/g, ' ').trim()).toBe("SELECT nullif(current_setting('app.current_user_id', true), '')::uuid");
  });

  it('has RLS enabled and forced on both tables', () => {
    for (const t of SPEC) expect(attr(live, `row-level security ${t.name}`)).toEqual({ enabled: true, forced: true });
  });

  it('has the six spec policies, each TO todo_app comparing with (SELECT app_current_user_id()); update has USING and WITH CHECK', () => {
    const rls = readFileSync(specPath(), 'utf8').split('## Row-level security')[1]!.split('\n## ')[0]!;
    const named = [...new Set([...rls.matchAll(/`((?:users|tasks)_(select|insert|update|delete)_(?:own|self))`/g)].map((m) => m[1]!))];
    expect(named.sort()).toEqual(['tasks_delete_own', 'tasks_insert_own', 'tasks_select_own', 'tasks_update_own', 'users_select_self', 'users_update_self']);
    // v1.2.0 adds todo_auth's own policy on users; the spec's six are todo_app's.
    const v1 = Object.values(live).filter((o) => o.kind === 'policy' && (o.table === 'users' || o.table === 'tasks') && (o.attrs.roles as string[]).includes('todo_app'));
    expect(v1.map((o) => o.object.replace('policy ', '')).sort()).toEqual(named.sort());
    for (const name of named) {
      const table = name.split('_')[0]!;
      const command = name.split('_')[1]!.toUpperCase();
      const owned = `(${table === 'users' ? 'id' : 'user_id'} = ( SELECT app_current_user_id() AS app_current_user_id))`;
      expect(attr(live, `policy ${table}.${name}`)).toEqual({
        command,
        permissive: true,
        roles: ['todo_app'],
        using: command === 'INSERT' ? null : owned,
        withCheck: command === 'INSERT' || command === 'UPDATE' ? owned : null,
      });
    }
  });

  it('grants todo_app SELECT, INSERT, UPDATE, DELETE on tasks, on users all but UPDATE of email (v1.2.0: todo_auth owns it), and nothing else; todo_app is NOLOGIN, no superuser, NOBYPASSRLS', () => {
    expect(attr(live, 'grant table tasks to todo_app')).toEqual({ privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] });
    expect(attr(live, 'grant table users to todo_app')).toEqual({ privileges: ['SELECT', 'INSERT', 'DELETE'] });
    for (const column of ['name', 'image']) expect(attr(live, `grant column users(${column}) to todo_app`)).toEqual({ privileges: ['UPDATE'] });
    const grantsToApp = Object.values(live).filter((o) => o.kind === 'grant' && o.object.endsWith(' to todo_app'));
    expect(grantsToApp.map((o) => o.object).sort()).toEqual([
      'grant on tasks to todo_app',
      'grant on tasks_archive to todo_app',
      'grant on users to todo_app',
      'grant on users(image) to todo_app',
      'grant on users(name) to todo_app',
    ]);
    expect(attr(live, 'role todo_app')).toMatchObject({ superuser: false, login: false, bypassRls: false, memberOf: [] });
  });

  it('passes verify', async () => {
    expect(await roleLock(() => verifySchema(handle))).toMatchObject({ ok: true, schemaVersion: '1.2.0', findings: [], earlierVersion: null });
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
    expect(await roleLock(read)).toEqual(live);
    expect((await roleLock(() => verifySchema(handle))).ok).toBe(true);
  });
});
