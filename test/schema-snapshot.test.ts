import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PACKAGE_MIGRATIONS_DIR,
  PACKAGE_SNAPSHOT_PATH,
  generateSnapshot,
  kyselyTypes,
  openDatabase,
  readSnapshot,
  serialiseSnapshot,
  snapshotDiagram,
  tableNames,
  type Snapshot,
} from '../src/index.js';
import { runCli } from './support/cli.js';
import { createTestDatabase } from './support/postgres.js';
import { withRoleLock } from './support/role-lock.js';
import { CONTRACT_MIGRATIONS } from './support/contract-migrations.js';

/** A copy of migrations/ and sql/ inside the package (so `todo-db` and `kysely` resolve), plus extra files. */
function migrationsCopy(extra: Record<string, string> = {}): { dir: string; parent: string; remove(): void } {
  const scratch = join(PACKAGE_MIGRATIONS_DIR, '..', '.todo-db');
  mkdirSync(scratch, { recursive: true });
  const parent = mkdtempSync(join(scratch, 'snapshot-'));
  const dir = join(parent, 'migrations');
  cpSync(PACKAGE_MIGRATIONS_DIR, dir, { recursive: true });
  cpSync(join(PACKAGE_MIGRATIONS_DIR, '..', 'sql'), join(parent, 'sql'), { recursive: true });
  for (const [name, source] of Object.entries(extra)) writeFileSync(join(dir, name), source);
  return { dir, parent, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** An app's new tenant table: what every derived list must pick up from the snapshot alone. */
const NOTES = `// @ts-check
import { sql } from 'kysely';
export const schemaVersion = '1.2.0';
/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql\`create table notes (id uuid primary key default gen_random_uuid(), user_id uuid not null references users (id) on delete cascade, body text not null);
    create index idx_notes_user_id on notes (user_id);
    alter table notes enable row level security; alter table notes force row level security;
    grant select, insert, update, delete on notes to todo_app;
    create policy notes_select_own on notes for select to todo_app using (user_id = (select app_current_user_id()))\`.execute(db);
}
/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await sql\`drop table notes\`.execute(db);
}
`;

describe('the committed snapshot', () => {
  it('is what the migrations produce on PGlite, and byte for byte the same when PostgreSQL 15 produces it', async () => {
    const committed = readFileSync(PACKAGE_SNAPSHOT_PATH, 'utf8');
    expect(serialiseSnapshot(await generateSnapshot({ migrationsDir: PACKAGE_MIGRATIONS_DIR }))).toBe(committed);
    const db = await createTestDatabase('snapgen');
    const scratch = await openDatabase<any>({ url: db.url });
    try {
      const onServer = await withRoleLock('shared', () => generateSnapshot({ migrationsDir: PACKAGE_MIGRATIONS_DIR, scratch }));
      expect(serialiseSnapshot(onServer)).toBe(committed);
    } finally {
      await scratch.close();
      await db.drop();
    }
  });

  it('keeps one object per line, keys sorted, and the schema after each migration', () => {
    const text = readFileSync(PACKAGE_SNAPSHOT_PATH, 'utf8');
    expect(text).toMatch(/^ {4}"column tasks\.title": \{"attrs":\{.*\},"kind":"column","object":"tasks\.title","table":"tasks"\},$/m);
    const snapshot = readSnapshot(PACKAGE_SNAPSHOT_PATH);
    expect(snapshot.migrations.map((m) => m.name)).toEqual([...CONTRACT_MIGRATIONS]);
  });
});

describe('todo-db schema snapshot --check and schema types --check', () => {
  let copy: ReturnType<typeof migrationsCopy>;
  beforeAll(() => {
    copy = migrationsCopy();
  });
  afterAll(() => copy?.remove());

  it('exit 0 on this checkout', async () => {
    const snap = await runCli(['schema', 'snapshot', '--check']);
    expect(snap.stderr).toBe('');
    expect(snap.code).toBe(0);
    const types = await runCli(['schema', 'types', '--check']);
    expect(types.code).toBe(0);
    expect(readFileSync(join(PACKAGE_SNAPSHOT_PATH, '..', '..', 'src', 'schema.ts'), 'utf8')).toBe(kyselyTypes(readSnapshot(PACKAGE_SNAPSHOT_PATH)));
  });

  it('exits 1 naming the objects when a migration changed but the snapshot did not', async () => {
    const snap = join(copy.parent, 'snapshot.json');
    cpSync(PACKAGE_SNAPSHOT_PATH, snap);
    const file = join(copy.dir, '0005_tasks_archive.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace(".addColumn('archived_at', 'timestamptz'", ".addColumn('note', 'text').addColumn('archived_at', 'timestamptz'"));
    const result = await runCli(['--migrations-dir', copy.dir, 'schema', 'snapshot', '--check', '--out', snap]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ tasks_archive\.note is new: the snapshot lacks it/);
    expect(result.stdout).toMatch(/✗ tasks_archive\.archived_at differs from the snapshot/);
    expect(result.stdout).toMatch(/is stale: run `todo-db schema snapshot`/);
    const json = JSON.parse((await runCli(['--migrations-dir', copy.dir, '--json', 'schema', 'snapshot', '--check', '--out', snap])).stdout);
    expect(json.findings).toContainEqual(
      expect.objectContaining({ id: 'snapshot-added', object: 'tasks_archive.note', status: 'fail', details: { migration: '0005_tasks_archive', change: 'added' } }),
    );
    // regenerated, it passes
    expect((await runCli(['--migrations-dir', copy.dir, 'schema', 'snapshot', '--out', snap])).code).toBe(0);
    expect((await runCli(['--migrations-dir', copy.dir, 'schema', 'snapshot', '--check', '--out', snap])).code).toBe(0);
  });

  it('types --check exits 1 on a stale file', async () => {
    const out = join(copy.parent, 'schema.ts');
    writeFileSync(out, '// old\n');
    expect((await runCli(['schema', 'types', '--check', '--out', out])).code).toBe(1);
    expect((await runCli(['schema', 'types', '--out', out])).code).toBe(0);
    expect((await runCli(['schema', 'types', '--check', '--out', out])).code).toBe(0);
  });

  it('exits 2 in one line on a missing or unparsable snapshot, and changes nothing', async () => {
    const missing = await runCli(['schema', 'snapshot', '--check', '--out', join(copy.parent, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^todo-db: schema snapshot .*none\.json does not exist/);
    const broken = join(copy.parent, 'broken.json');
    writeFileSync(broken, '[1, 2');
    const bad = await runCli(['schema', 'types', '--snapshot', broken, '--out', join(copy.parent, 'x.ts')]);
    expect(bad.code).toBe(2);
    expect(readFileSync(broken, 'utf8')).toBe('[1, 2');
  });
});

describe('a new table in the snapshot reaches every derived list', () => {
  let copy: ReturnType<typeof migrationsCopy>;
  let snapshot: Snapshot;
  beforeAll(async () => {
    copy = migrationsCopy({ '0007_notes.js': NOTES });
    snapshot = await generateSnapshot({ migrationsDir: copy.dir });
  });
  afterAll(() => {
    copy?.remove();
    vi.doUnmock('../src/snapshot/package-snapshot.js');
    vi.resetModules();
  });

  it('carries the schema version the migration exports, and shows in the types and the diagram', () => {
    expect(snapshot.schemaVersion).toBe('1.2.0');
    expect(tableNames(snapshot)).toEqual(['users', 'accounts', 'notes', 'sessions', 'tasks', 'tasks_archive', 'verifications']);
    expect(kyselyTypes(snapshot)).toMatch(/export interface NotesTable \{\n {2}id: Generated<string>;\n {2}user_id: string;\n {2}body: string;\n\}/);
    expect(kyselyTypes(snapshot)).toMatch(/ {2}notes: NotesTable;/);
    expect(snapshotDiagram(snapshot)).toMatch(/users \|\|--o\{ notes : "user_id"/);
  });

  it('is picked up by cleanup, archive, backup, health and monitor with no list edited', async () => {
    vi.resetModules();
    vi.doMock('../src/snapshot/package-snapshot.js', () => ({ PACKAGE_SNAPSHOT_PATH: join(copy.parent, 'snapshot.json'), packageSnapshot: () => snapshot }));
    const { SCHEMA_TABLES } = await import('../src/snapshot/schema-tables.js');
    const lib = await import('../src/index.js');
    const { CONTENT_TABLES } = await import('../src/backup/contents.js');
    // cleanup and archive check the maintenance role on exactly this list
    expect(SCHEMA_TABLES).toEqual(['users', 'accounts', 'notes', 'sessions', 'tasks', 'tasks_archive', 'verifications']);
    expect(CONTENT_TABLES).toEqual(SCHEMA_TABLES);
    expect(lib.PROTECTED_TABLES.map((t) => t.table)).toContain('notes');
    const handle = await lib.openDatabase({ url: 'pglite:memory' });
    try {
      await lib.migrateUp(handle, { dir: copy.dir });
      await lib.seedDevelopment(handle);
      const contents = await lib.tableContents(handle.db);
      expect(contents.map((c) => c.table)).toContain('notes');
      const indexes = await lib.monitorIndexes(handle);
      expect(indexes.indexes.map((i) => i.index)).toContain('idx_notes_user_id');
      const health = await lib.runHealth(handle);
      const checks = new Map(health.checks.map((c) => [c.id, c]));
      expect(checks.get('schema')).toMatchObject({ status: 'ok' });
      expect(checks.get('rls-tables')?.message).toMatch(/notes/);
      expect((await lib.verifySchema(handle)).ok).toBe(true);
      // rls apply repairs what the snapshot declares on the app's own table too
      await sql.raw('alter table notes no force row level security; drop policy notes_select_own on notes; revoke delete on notes from todo_app').execute(handle.db);
      expect((await lib.verifySchema(handle)).findings.map((f) => f.object).sort()).toEqual([
        'grant on notes to todo_app',
        'policy notes_select_own',
        'row-level security on notes',
      ]);
      expect((await lib.applyRls(handle)).ranScript).toBe(true);
      expect((await lib.verifySchema(handle)).findings).toEqual([]);
      const cleaned = await lib.cleanup(handle);
      expect(cleaned.users).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
  });
});
