import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintMigrations, migrateUp, migrationStatus, openDatabase, UnsafeMigrationError } from '../src/index.js';
import { runCli } from './support/cli.js';
import { loadTasks, migratedPostgres } from './support/lint-data.js';
import { copyMigrations } from './support/migrations-copy.js';
import { clonePglite } from './support/pglite.js';

/** A pending migration with three dangers on tasks and one allowed drop; line numbers matter below. */
const UNSAFE = `// @ts-check
import { sql } from 'kysely';
/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await db.schema.createIndex('idx_tasks_title').on('tasks').column('title').execute();
  await db.schema.alterTable('tasks').addColumn('rank', 'double precision', (c) => c.defaultTo(sql\`random()\`)).execute();
  await db.schema.alterTable('tasks').alterColumn('title', (c) => c.setDataType('varchar(300)')).execute();
  // todo-db-lint-allow: drop-used the app stopped reading description in v2
  await db.schema.alterTable('tasks').dropColumn('description').execute();
}
`;

/** The safe recipe for an index: its own non-transactional migration. */
const CONCURRENT = `// @ts-check
import { sql } from 'kysely';
export const config = { transaction: false };
/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql\`create index concurrently if not exists idx_tasks_title on tasks (title)\`.execute(db);
}
`;

const UNPARSABLE = `// @ts-check
import { sql } from 'kysely';
/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql.raw('alter tabel tasks add column due_at timestamptz').execute(db);
}
`;

type Db = Awaited<ReturnType<typeof migratedPostgres>>;
let loaded: Db;
const unsafe = copyMigrations({ '0007_unsafe.js': UNSAFE });
const concurrent = copyMigrations({ '0007_concurrent_index.js': CONCURRENT });
const unparsable = copyMigrations({ '0007_unparsable.js': UNPARSABLE });

beforeAll(async () => {
  loaded = await migratedPostgres('lint_mig', 100_000);
});
afterAll(async () => {
  await loaded?.close();
  for (const copy of [unsafe, concurrent, unparsable]) copy.remove();
});

const columnsOf = async (db: Db['handle']['db']) =>
  (await sql<{ c: string }>`select column_name as c from information_schema.columns where table_name = 'tasks'`.execute(db)).rows.map((r) => r.c);

describe('migrate lint on PostgreSQL with 100k tasks', () => {
  it('finds each danger of a pending migration at its line, honours the allow comment, and never runs it on the target', async () => {
    const before = await columnsOf(loaded.handle.db);
    const result = await lintMigrations(loaded.handle, { dir: unsafe.dir });
    expect(result.migrations).toEqual(['0007_unsafe']);
    const found = result.findings.map((f) => [f.id, f.details.line, f.status]);
    expect(found).toContainEqual(['non-concurrent-index', 5, 'fail']);
    expect(found).toContainEqual(['add-column-rewrite', 6, 'fail']);
    expect(found).toContainEqual(['drop-used', 9, 'ok']);
    // widening varchar(200) → varchar(300) is known from the old type: no rewrite
    expect(found.filter(([id]) => id === 'column-type-rewrite')).toEqual([]);
    expect(result.statements.find((s) => s.line === 7)).toMatchObject({ lock: 'ACCESS EXCLUSIVE', rewrite: 'none' });
    expect(result.ok).toBe(false);
    expect(await columnsOf(loaded.handle.db)).toEqual(before);
    expect((await migrationStatus(loaded.handle, { dir: unsafe.dir })).pending).toBe(1);
  });

  it('lints a concurrent index in a non-transactional migration as safe', async () => {
    const result = await lintMigrations(loaded.handle, { dir: concurrent.dir });
    expect(result.statements.map((s) => s.lock)).toEqual(['SHARE UPDATE EXCLUSIVE']);
    expect(result.findings).toEqual([]);
  });

  it('--all lints every migration; the tables they create count as new, so the v1 schema is clean', async () => {
    const result = await lintMigrations(loaded.handle, { all: true });
    expect(result.migrations).toHaveLength(6);
    expect(result.statements.length).toBeGreaterThan(20);
    expect(result.findings.filter((f) => f.status === 'fail')).toEqual([]);
  });

  it('reports SQL that does not parse with the parser message and position, exit 1 and no crash', { timeout: 240_000 }, async () => {
    const result = await lintMigrations(loaded.handle, { dir: unparsable.dir });
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ id: 'parse-error', status: 'fail', details: { migration: '0007_unparsable', line: 5 } });
    expect(result.findings[0]!.message).toContain('syntax error at or near "tabel"');
    const cli = await runCli(['--url', loaded.db.url, '--migrations-dir', unparsable.dir, 'migrate', 'lint']);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('parse-error');
    expect(cli.stderr).not.toContain('unexpected error');
  });

  it('the CLI: --json carries ok, command and findings of the item shape; exit 1 on an error', { timeout: 240_000 }, async () => {
    const cli = await runCli(['--url', loaded.db.url, '--migrations-dir', unsafe.dir, 'migrate', 'lint', '--json']);
    expect(cli.code).toBe(1);
    const doc = JSON.parse(cli.stdout);
    expect(doc).toMatchObject({ ok: false, command: 'migrate lint', thresholdRows: 10_000 });
    for (const f of doc.findings) expect(Object.keys(f).sort()).toEqual(['details', 'fix', 'id', 'message', 'object', 'status']);
    const clean = await runCli(['--url', loaded.db.url, '--migrations-dir', concurrent.dir, 'migrate', 'lint']);
    expect(clean.code).toBe(0);
  });

  it('migrate up refuses the unsafe migration (nothing applied), then applies it with --allow-unsafe', { timeout: 240_000 }, async () => {
    const refused = await migrateUp(loaded.handle, { dir: unsafe.dir }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnsafeMigrationError);
    expect((refused as Error).message).toContain('non-concurrent-index');
    expect((refused as UnsafeMigrationError).hint).toContain('CONCURRENTLY');
    const cli = await runCli(['--url', loaded.db.url, '--migrations-dir', unsafe.dir, 'migrate', 'up', '--json']);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, command: 'migrate up' });
    expect((await migrationStatus(loaded.handle, { dir: unsafe.dir })).pending).toBe(1);
    expect(await columnsOf(loaded.handle.db)).not.toContain('rank');

    const forced = await runCli(['--url', loaded.db.url, '--migrations-dir', unsafe.dir, 'migrate', 'up', '--allow-unsafe']);
    expect(forced.code).toBe(0);
    expect(await columnsOf(loaded.handle.db)).toContain('rank');
  });
});

describe('migrate up is never blocked on an empty database or on PGlite', () => {
  it('PostgreSQL, empty tables: the unsafe migration applies', async () => {
    const empty = await migratedPostgres('lint_up_empty', 0);
    try {
      const result = await migrateUp(empty.handle, { dir: unsafe.dir });
      expect(result.steps.map((s) => s.name)).toEqual(['0007_unsafe']);
    } finally {
      await empty.close();
    }
  });

  it('PGlite with 20k tasks: lint calls it an error, migrate up applies it anyway', async () => {
    const dir = clonePglite();
    const handle = await openDatabase<any>({ url: dir.url });
    try {
      await migrateUp(handle);
      await loadTasks(handle.db, 20_000);
      const lint = await lintMigrations(handle, { dir: unsafe.dir });
      expect(lint.findings.filter((f) => f.status === 'fail').map((f) => f.id)).toContain('non-concurrent-index');
      const result = await migrateUp(handle, { dir: unsafe.dir });
      expect(result.steps.map((s) => s.name)).toEqual(['0007_unsafe']);
    } finally {
      await handle.close();
      dir.remove();
    }
  });
});

describe('migrate make --template', () => {
  it('the concurrent-index and backfill templates lint clean on 100k tasks', { timeout: 240_000 }, async () => {
    const { makeMigration } = await import('../src/index.js');
    const addColumn = `// @ts-check
import { sql } from 'kysely';
/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await sql\`set local lock_timeout = '2s'\`.execute(db);
  await db.schema.alterTable('tasks').addColumn('due_at', 'timestamptz').execute();
}
`;
    // the migrate up test above applied 0007_unsafe to loaded, so its file stays
    const copy = copyMigrations({ '0007_unsafe.js': UNSAFE, '0008_add_due_at.js': addColumn });
    const status = await migrationStatus(loaded.handle, { dir: copy.dir });
    if (status.migrations.find((m) => m.name === '0007_unsafe')?.state === 'pending') await migrateUp(loaded.handle, { dir: copy.dir, to: '0007_unsafe', allowUnsafe: true });
    try {
      makeMigration('backfill_due_at', { dir: copy.dir, template: 'backfill' });
      makeMigration('index_due_at', { dir: copy.dir, template: 'concurrent-index' });
      const result = await lintMigrations(loaded.handle, { dir: copy.dir });
      expect(result.migrations).toEqual(['0008_add_due_at', '0009_backfill_due_at', '0010_index_due_at']);
      expect(result.statements.map((s) => s.lock)).toEqual([null, 'ACCESS EXCLUSIVE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE']);
      expect(result.findings).toEqual([]);
    } finally {
      copy.remove();
    }
  });
});
