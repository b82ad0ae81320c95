import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { developmentSeedSql, migrateUp, seedDevelopment, type Database, type TodoDatabase } from '../src/index.js';
import { ALL_BACKENDS, SERVER_BACKENDS, openFresh } from './support/backends.js';
import { useFreshDatabase } from './support/fresh-database.js';

const SQL_FILE = new URL('../sql/seed-development.sql', import.meta.url);

/** Every row of both tables, ordered, timestamps as ISO strings: equal dumps mean equal data. */
type Row = Record<string, unknown>;
async function dump(handle: TodoDatabase, withUpdatedAt = true): Promise<{ users: Row[]; tasks: Row[] }> {
  const iso = (v: unknown) => new Date(v as string).toISOString();
  const rows = async (table: 'users' | 'tasks') =>
    (await handle.db.selectFrom(table).selectAll().orderBy('id').execute()).map((r: Row): Row => {
      const { updated_at, created_at, ...rest } = r;
      return { ...rest, created_at: iso(created_at), ...(withUpdatedAt ? { updated_at: iso(updated_at) } : {}) };
    });
  return { users: await rows('users'), tasks: await rows('tasks') };
}

describe.each(ALL_BACKENDS)('development seed on %s', (backend) => {
  const fresh = useFreshDatabase(backend, { label: 'seeddev', each: true });

  it('loads a few example.com users with tasks, and a second run leaves exactly the same rows', async () => {
    const first = await seedDevelopment(fresh.handle);
    expect(first.users).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(first.tasks).toEqual({ inserted: 14, updated: 0, unchanged: 0 });
    const before = await dump(fresh.handle);
    expect(before.users.map((u) => u.email).sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    expect(new Set(before.tasks.map((t) => t.completed))).toEqual(new Set([true, false]));
    const second = await seedDevelopment(fresh.handle);
    expect(second.users).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(second.tasks).toEqual({ inserted: 0, updated: 0, unchanged: 14 });
    expect(await dump(fresh.handle)).toEqual(before);
  });

  it('puts back edited and deleted seed rows and leaves every other row alone', async () => {
    await seedDevelopment(fresh.handle);
    const before = await dump(fresh.handle, false);
    const db = fresh.handle.db;
    await db.insertInto('users').values({ id: '11111111-1111-4111-8111-111111111111', email: 'real@person.org', name: 'Real' }).execute();
    await db.updateTable('users').set({ name: 'Alice Edited' }).where('email', '=', 'alice@example.com').execute();
    const [victim, edited] = before.tasks;
    await db
      .updateTable('tasks')
      .set({ title: 'changed', completed: false })
      .where('id', '=', edited!.id as string)
      .execute();
    await db
      .deleteFrom('tasks')
      .where('id', '=', victim!.id as string)
      .execute();
    const other = await dump(fresh.handle);
    const result = await seedDevelopment(fresh.handle);
    expect(result.users).toEqual({ inserted: 0, updated: 1, unchanged: 2 });
    expect(result.tasks).toEqual({ inserted: 1, updated: 1, unchanged: 12 });
    const after = await dump(fresh.handle, false);
    expect(after.tasks).toEqual(before.tasks);
    expect(after.users.filter((u) => u.email !== 'real@person.org')).toEqual(before.users);
    expect((await dump(fresh.handle)).users.find((u) => u.email === 'real@person.org')).toEqual(other.users.find((u) => u.email === 'real@person.org'));
  });
});

describe.each(SERVER_BACKENDS)('sql/seed-development.sql on %s', (backend) => {
  let a: Awaited<ReturnType<typeof openFresh>>;
  let b: Awaited<ReturnType<typeof openFresh>>;
  beforeEach(async () => {
    a = await openFresh(backend, 'seedsql_a');
    b = await openFresh(backend, 'seedsql_b');
    await migrateUp(a.handle);
    await migrateUp(b.handle);
  });
  afterEach(async () => {
    await a?.close();
    await b?.close();
  });

  /** Runs the file the way a person would: psql on a server, the embedded client on PGlite. */
  async function runFile(target: typeof b): Promise<void> {
    if (backend === 'postgres') {
      execFileSync('psql', [target.backend.url, '-q', '-v', 'ON_ERROR_STOP=1', '-f', SQL_FILE.pathname], { stdio: 'pipe' });
    } else {
      const raw = target.handle.raw;
      if (raw.kind !== 'pglite') throw new Error('expected PGlite');
      await raw.client.exec(readFileSync(SQL_FILE, 'utf8'));
    }
  }

  it('has the same effect as the command: first load, rerun, and repair of an edited row', async () => {
    await seedDevelopment(a.handle);
    await runFile(b);
    expect(await dump(b.handle)).toEqual(await dump(a.handle));
    await seedDevelopment(a.handle);
    await runFile(b);
    expect(await dump(b.handle)).toEqual(await dump(a.handle));
    for (const side of [a, b]) await side.handle.db.updateTable('tasks').set({ title: 'edited' }).where('title', '=', 'Buy groceries').execute();
    await seedDevelopment(a.handle);
    await runFile(b);
    expect(await dump(b.handle, false)).toEqual(await dump(a.handle, false));
    // Both repaired the row (the trigger stamped it) and left the others' updated_at alone.
    for (const side of [a, b]) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from tasks where updated_at > now() - interval '1 hour'`.execute(side.handle.db);
      expect(rows[0]?.n).toBe(1);
    }
  });
});

describe('the seed module', () => {
  it('is what `todo-db seed --sql` renders from seeds/0001_development.js', async () => {
    expect(readFileSync(SQL_FILE, 'utf8'), 'regenerate it: node bin/todo-db.js seed --sql > sql/seed-development.sql').toBe(await developmentSeedSql());
  });

  it('is a kysely-ctl seed: seed(db) works on a plain Kysely that todo-db did not open', async () => {
    const fresh = await openFresh('postgres', 'seedmod');
    const plain = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.backend.url }) }) });
    try {
      await migrateUp(fresh.handle);
      const mod = (await import('../seeds/0001_development.js')) as { seed(db: Kysely<Database>): Promise<unknown> };
      await mod.seed(plain);
      await mod.seed(plain);
      expect(await dump(fresh.handle)).toEqual(await seededElsewhere());
    } finally {
      await plain.destroy();
      await fresh.close();
    }
  });
});

async function seededElsewhere() {
  const other = await openFresh('pglite', 'seedmod_ref');
  try {
    await migrateUp(other.handle);
    await seedDevelopment(other.handle);
    return await dump(other.handle);
  } finally {
    await other.close();
  }
}
