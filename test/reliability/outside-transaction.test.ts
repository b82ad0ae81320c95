import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateUp, migrationStatus, openDatabase, ProblemError, type TodoDatabase } from '../../src/index.js';
import { copyMigrations } from '../support/migrations-copy.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { CONCURRENT_INDEX } from '../support/migration-snippets.js';

const FAILING_UNIQUE_INDEX = `export const config = { transaction: false };
export async function up(db) {
  const { sql } = await import('kysely');
  await sql\`create unique index concurrently if not exists idx_tasks_unique_title on tasks (title)\`.execute(db);
}
export async function down(db) {}
`;

describe('migrations that run outside a transaction (PostgreSQL)', () => {
  let database: TestDatabase;
  let handle: TodoDatabase;
  beforeEach(async () => {
    database = await createTestDatabase('outside');
    handle = await openDatabase({ url: database.url });
    await migrateUp(handle);
  });
  afterEach(async () => {
    await handle.close();
    await database.drop();
  });

  it('builds an index concurrently and records it', async () => {
    const copy = copyMigrations({ '0007_concurrent_index.js': CONCURRENT_INDEX });
    try {
      const result = await migrateUp(handle, { dir: copy.dir });
      expect(result.steps.map((s) => s.name)).toEqual(['0007_concurrent_index']);
      const { rows } = await sql<{
        valid: boolean;
      }>`select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'idx_tasks_title'`.execute(handle.db);
      expect(rows).toEqual([{ valid: true }]);
      expect((await migrationStatus(handle, { dir: copy.dir })).pending).toBe(0);
    } finally {
      copy.remove();
    }
  });

  it('names the invalid index a failed concurrent build leaves, and how to recover', async () => {
    await sql`insert into users (id, email) values ('00000000-0000-4000-8000-000000000001', 'dup@example.com')`.execute(handle.db);
    await sql`insert into tasks (user_id, title) select '00000000-0000-4000-8000-000000000001', 'same' from generate_series(1, 2)`.execute(handle.db);
    const copy = copyMigrations({ '0007_unique_title.js': FAILING_UNIQUE_INDEX });
    try {
      const error = await migrateUp(handle, { dir: copy.dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).message).toMatch(/left the invalid index idx_tasks_unique_title behind/);
      expect((error as ProblemError).hint).toMatch(/DROP INDEX CONCURRENTLY idx_tasks_unique_title/);
      // The next run refuses too, rather than skipping the index with `if not exists`.
      await expect(migrateUp(handle, { dir: copy.dir })).rejects.toThrow(/invalid index idx_tasks_unique_title is left from an earlier failed build/);
      expect((await migrationStatus(handle, { dir: copy.dir })).pending).toBe(1);
    } finally {
      copy.remove();
    }
  });

  it('warns about a long transaction it waits for, and a waiting runner cannot deadlock with the build', async () => {
    const copy = copyMigrations({ '0007_concurrent_index.js': CONCURRENT_INDEX });
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    const second = await openDatabase({ url: database.url, lockTimeoutMs: 30_000 });
    try {
      await blocker.query('begin');
      await blocker.query('select count(*) from tasks');
      const first = migrateUp(handle, { dir: copy.dir, longTransactionSeconds: 0 });
      // A second runner polls for the lock meanwhile; it holds no snapshot the build waits for.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const waiting = migrateUp(second, { dir: copy.dir });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await blocker.query('commit');
      const [a, b] = await Promise.all([first, waiting]);
      expect(a.steps.map((s) => s.name)).toEqual(['0007_concurrent_index']);
      expect(a.notices.join('\n')).toMatch(/0007_concurrent_index will wait for pid \d+/);
      expect(b.steps).toEqual([]);
    } finally {
      await blocker.end();
      await second.close();
      copy.remove();
    }
  });
});
