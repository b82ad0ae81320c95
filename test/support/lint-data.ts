import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateUp, openDatabase, type TodoDatabase } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const LINT_FIXTURES = fileURLToPath(new URL('../fixtures/lint/', import.meta.url));

/** The corpus: each `NAME.bad.sql` names its rule on its first line; `NAME.good.sql` is its safe twin. */
export function lintCorpus(): Array<{ name: string; kind: 'bad' | 'good'; rule: string | null; sql: string }> {
  return readdirSync(LINT_FIXTURES)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(LINT_FIXTURES, file), 'utf8');
      const kind = file.endsWith('.bad.sql') ? 'bad' : 'good';
      return { name: file.replace(/\.(bad|good)\.sql$/, ''), kind, rule: /^-- rule: (\S+)/.exec(sql)?.[1] ?? null, sql };
    });
}

/** Fills tasks with `n` real rows of one user, by plain SQL (no ANALYZE: autovacuum is off, as on the test server). */
export async function loadTasks(db: TodoDatabase<any>['db'], n: number): Promise<void> {
  const { sql } = await import('kysely');
  await sql`insert into users (id, email, name) values ('00000000-0000-4000-8000-000000000001', 'lint@example.com', 'lint')`.execute(db);
  await sql`insert into tasks (user_id, title) select '00000000-0000-4000-8000-000000000001', 'task ' || g from generate_series(1, ${n}) g`.execute(db);
}

/** A migrated PostgreSQL database with `tasks` rows; close() drops it. */
export async function migratedPostgres(label: string, tasks: number): Promise<{ db: TestDatabase; handle: TodoDatabase<any>; close(): Promise<void> }> {
  const db = await createTestDatabase(label);
  const handle = await openDatabase<any>({ url: db.url });
  await migrateUp(handle);
  if (tasks > 0) await loadTasks(handle.db, tasks);
  return {
    db,
    handle,
    close: async () => {
      await handle.close();
      await db.drop();
    },
  };
}
