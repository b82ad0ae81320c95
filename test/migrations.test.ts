import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MigrationFailedError, PACKAGE_MIGRATIONS_DIR, UnsupportedError, UsageError, migrateDown, migrateUp, migrationStatus, type TodoDatabase } from '../src/index.js';
import { ALL_BACKENDS, SERVER_BACKENDS, openFresh } from './support/backends.js';
import { copyMigrations } from './support/migrations-copy.js';
import { CONTRACT_MIGRATIONS } from './support/contract-migrations.js';

const NAMES = [...CONTRACT_MIGRATIONS];

async function userTables(handle: TodoDatabase): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_name not like 'kysely_%' and table_name not like 'todo_db_%'
    order by table_name`.execute(handle.db);
  return rows.map((r) => r.table_name);
}

describe.each(ALL_BACKENDS)('migrations on %s', (backend) => {
  // Each test gets its own database: pg-mem cannot re-create a table it dropped
  // (it keeps the old primary key's name), so tests must not depend on each other.
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeEach(async () => {
    fresh = await openFresh(backend, 'migrations');
  });
  afterEach(async () => {
    await fresh?.close();
  });

  it('applies every migration in order, once', async () => {
    const result = await migrateUp(fresh.handle);
    expect(result.steps.map((s) => s.name)).toEqual(NAMES);
    expect(await userTables(fresh.handle)).toEqual(['accounts', 'sessions', 'tasks', 'tasks_archive', 'users', 'verifications']);
    expect((await migrateUp(fresh.handle)).steps).toEqual([]);
    const status = await migrationStatus(fresh.handle);
    expect(status.migrations.map((m) => [m.name, m.state, m.problems])).toEqual(NAMES.map((n) => [n, 'applied', []]));
    expect(status.pending).toBe(0);
  });

  it('says which steps the backend skipped, and only where it must', async () => {
    const result = await migrateUp(fresh.handle);
    if (backend === 'pgmem') {
      expect(result.notices).toEqual([
        expect.stringMatching(/skipped the set_updated_at\(\) triggers/),
        expect.stringMatching(/skipped the todo_app role/),
        expect.stringMatching(/skipped row-level security on tasks_archive/),
        expect.stringMatching(/skipped the updated_at triggers of the auth tables/),
        expect.stringMatching(/skipped the todo_auth role, grants and row-level security of the auth tables/),
      ]);
    } else {
      expect(result.notices).toEqual([]);
    }
  });

  it('reverts the newest, down to a named one, and all', async () => {
    await migrateUp(fresh.handle);
    expect((await migrateDown(fresh.handle)).steps.map((s) => s.name)).toEqual(['0006_better_auth']);
    expect((await migrateDown(fresh.handle, { to: '0001_create_users' })).steps.map((s) => s.name)).toEqual([
      '0005_tasks_archive',
      '0004_row_level_security',
      '0003_updated_at_triggers',
      '0002_create_tasks',
    ]);
    expect(await userTables(fresh.handle)).toEqual(['users']);
    expect((await migrateDown(fresh.handle, { all: true })).steps.map((s) => s.name)).toEqual(['0001_create_users']);
    expect(await userTables(fresh.handle)).toEqual([]);
    expect((await migrationStatus(fresh.handle)).pending).toBe(NAMES.length);
  });

  it('applies up to a named migration and rejects unknown or already-applied names', async () => {
    const result = await migrateUp(fresh.handle, { to: '0002_create_tasks' });
    expect(result.steps.map((s) => s.name)).toEqual(['0001_create_users', '0002_create_tasks']);
    await expect(migrateUp(fresh.handle, { to: 'nope' })).rejects.toThrow(UsageError);
    await expect(migrateUp(fresh.handle, { to: '0001_create_users' })).rejects.toThrow(/already applied/);
    await expect(migrateDown(fresh.handle, { to: '0004_row_level_security' })).rejects.toThrow(/not applied/);
    await migrateUp(fresh.handle);
  });

  it('flags an applied migration whose file changed, and refuses to migrate past it', async () => {
    await migrateUp(fresh.handle);
    const copy = copyMigrations();
    try {
      const file = join(copy.dir, '0002_create_tasks.js');
      writeFileSync(file, readFileSync(file, 'utf8') + '\n// edited after apply\n');
      const status = await migrationStatus(fresh.handle, { dir: copy.dir });
      expect(status.migrations.find((m) => m.name === '0002_create_tasks')?.problems).toEqual(['edited']);
      expect(status.edited).toBe(1);
      writeFileSync(join(copy.dir, '0007_more.js'), 'export async function up() {}\nexport async function down() {}\n');
      await expect(migrateUp(fresh.handle, { dir: copy.dir })).rejects.toThrow(/0002_create_tasks was edited after it was applied/);
    } finally {
      copy.remove();
    }
  });

  it('counts an edit of the sql/ file a migration reads as an edit of that migration', async () => {
    await migrateUp(fresh.handle);
    const copy = copyMigrations();
    try {
      const rls = join(copy.dir, '..', 'sql', 'rls.sql');
      writeFileSync(rls, readFileSync(rls, 'utf8') + '\n-- loosened later\n');
      const status = await migrationStatus(fresh.handle, { dir: copy.dir });
      expect(status.migrations.filter((m) => m.problems.includes('edited')).map((m) => m.name)).toEqual(['0004_row_level_security']);
      const archive = join(copy.dir, '..', 'sql', 'rls-archive.sql');
      writeFileSync(archive, readFileSync(archive, 'utf8') + '\n-- loosened later\n');
      const both = await migrationStatus(fresh.handle, { dir: copy.dir });
      expect(both.migrations.filter((m) => m.problems.includes('edited')).map((m) => m.name)).toEqual(['0004_row_level_security', '0005_tasks_archive']);
    } finally {
      copy.remove();
    }
  });

  it('names a migration whose file is missing, and a late-merged one that sorts before applied ones', async () => {
    await migrateUp(fresh.handle);
    const copy = copyMigrations();
    try {
      rmSync(join(copy.dir, '0004_row_level_security.js'));
      writeFileSync(join(copy.dir, '00035_late_branch.js'), 'export async function up() {}\nexport async function down() {}\n');
      const status = await migrationStatus(fresh.handle, { dir: copy.dir });
      expect(status.migrations.find((m) => m.name === '0004_row_level_security')?.problems).toEqual(['missing']);
      await expect(migrateUp(fresh.handle, { dir: copy.dir })).rejects.toThrow(/0004_row_level_security is recorded as applied but its file is missing/);
      rmSync(join(copy.dir, '00035_late_branch.js'));
      cpSync(join(PACKAGE_MIGRATIONS_DIR, '0004_row_level_security.js'), join(copy.dir, '0004_row_level_security.js'));
      writeFileSync(join(copy.dir, '00035_late_branch.js'), 'export async function up() {}\nexport async function down() {}\n');
      await expect(migrateUp(fresh.handle, { dir: copy.dir })).rejects.toThrow(/00035_late_branch is pending but sorts before 0006_better_auth, which is already applied/);
    } finally {
      copy.remove();
    }
  });

  it('rejects a migration file that does not export up, before changing anything', async () => {
    const copy = copyMigrations();
    try {
      writeFileSync(join(copy.dir, '0007_broken.js'), 'export const nothing = 1;\n');
      await expect(migrateUp(fresh.handle, { dir: copy.dir })).rejects.toThrow(/0007_broken does not export an up function/);
    } finally {
      copy.remove();
    }
  });
});

describe.each(SERVER_BACKENDS)('transactional safety on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeAll(async () => {
    fresh = await openFresh(backend, 'txsafety');
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('rolls back a failed migration completely and names it', async () => {
    await migrateUp(fresh.handle);
    const copy = copyMigrations();
    try {
      writeFileSync(
        join(copy.dir, '0007_half_done.js'),
        `import { sql } from 'kysely';
export async function up(db) {
  await sql\`alter table tasks add column priority int\`.execute(db);
  await sql\`select * from no_such_table\`.execute(db);
}
export async function down(db) { await sql\`alter table tasks drop column priority\`.execute(db); }
`,
      );
      const error = await migrateUp(fresh.handle, { dir: copy.dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationFailedError);
      expect((error as MigrationFailedError).migration).toBe('0007_half_done');
      expect((error as Error).message).toMatch(/rolled back: relation "no_such_table" does not exist/);
      expect((error as MigrationFailedError).result.steps).toEqual([]);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'tasks' and column_name = 'priority'`.execute(
        fresh.handle.db,
      );
      expect(rows[0]?.n).toBe(0);
      const status = await migrationStatus(fresh.handle, { dir: copy.dir });
      expect(status.migrations.find((m) => m.name === '0007_half_done')?.state).toBe('pending');
    } finally {
      copy.remove();
    }
  });

  it('dry-runs show the SQL and change nothing', async () => {
    await migrateDown(fresh.handle, { all: true });
    const result = await migrateUp(fresh.handle, { dryRun: true });
    expect(result.steps.map((s) => s.name)).toEqual(NAMES);
    expect(result.steps[1]?.sql?.join('\n')).toMatch(/create index "idx_tasks_user_created" on "tasks" \("user_id", "created_at" desc\)/);
    const status = await migrationStatus(fresh.handle);
    expect(status.pending).toBe(NAMES.length);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name in ('users', 'tasks', 'tasks_archive')`.execute(
      fresh.handle.db,
    );
    expect(rows[0]?.n).toBe(0);
    await migrateUp(fresh.handle);
    const down = await migrateDown(fresh.handle, { all: true, dryRun: true });
    expect(down.steps.map((s) => s.name)).toEqual([...NAMES].reverse());
    expect((await migrationStatus(fresh.handle)).pending).toBe(0);
  });
});

describe('pg-mem limits', () => {
  it('refuses a dry run it could not roll back', async () => {
    const fresh = await openFresh('pgmem');
    try {
      await expect(migrateUp(fresh.handle, { dryRun: true })).rejects.toThrow(UnsupportedError);
    } finally {
      await fresh.close();
    }
  });
});
