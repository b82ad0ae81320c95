import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_MIGRATIONS_DIR } from '../src/index.js';
import { runCli } from './support/cli.js';
import { inconsistentMigrations } from './support/consistency.js';
import { CONCURRENT_INDEX } from './support/migration-snippets.js';
import { copyMigrations } from './support/migrations-copy.js';
import { startPgbouncer, type Pgbouncer } from './support/pgbouncer.js';
import { adminQuery, createTestDatabase } from './support/postgres.js';

/** Whatever migrations the package has (the list grows; nothing here counts them). */
const MIGRATIONS = readdirSync(PACKAGE_MIGRATIONS_DIR)
  .filter((f) => /^\d{4}_\w+\.(js|ts|mjs)$/.test(f))
  .map((f) => f.replace(/\.\w+$/, ''))
  .sort();

function appliedIn(stdout: string): string[] {
  return [...stdout.matchAll(/✓ (\d{4}_\w+)\s+applied/g)].map((m) => m[1]!);
}

async function recorded(database: string): Promise<string[]> {
  const exists = await adminQuery<{ n: number }>(`select count(*)::int as n from pg_tables where tablename = 'kysely_migration'`, database);
  if (!exists[0]?.n) return [];
  return (await adminQuery<{ name: string }>('select name from kysely_migration order by name', database)).map((r) => r.name);
}

/**
 * The CLI through PgBouncer in transaction mode on 127.0.0.1 (the URL does not
 * say "pooler", so only detection can tell): schema changes either run safely
 * under transaction-level locks or are refused before anything is applied.
 */
describe('todo-db through a transaction pooler', () => {
  let bouncer: Pgbouncer;
  beforeAll(async () => {
    bouncer = await startPgbouncer({ poolSize: 2 });
  });
  afterAll(() => bouncer?.stop());

  it('4 concurrent `migrate up` apply every migration exactly once, also racing a direct runner', async () => {
    for (const direct of [0, 1]) {
      const db = await createTestDatabase(`pool${direct}`);
      try {
        const urls = [...Array(4 - direct).fill(bouncer.url(db.name)), ...Array(direct).fill(db.url)];
        const runs = await Promise.all(urls.map((url) => runCli(['--url', url, 'migrate', 'up'], { timeoutMs: 90_000 })));
        for (const run of runs) expect(run.code, run.stderr + bouncer.log().slice(-2000)).toBe(0);
        expect(runs.flatMap((r) => appliedIn(r.stdout)).sort()).toEqual(MIGRATIONS);
        expect(await recorded(db.name)).toEqual(MIGRATIONS);
        expect(await inconsistentMigrations(db.name)).toEqual([]);
        // The lock was transaction-level: nothing is left holding it on any server connection.
        const held = await adminQuery<{ n: number }>(
          `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database where l.locktype = 'advisory' and d.datname = current_database()`,
          db.name,
        );
        expect(held[0]?.n).toBe(0);
        const again = await runCli(['--url', bouncer.url(db.name), 'migrate', 'up']);
        expect(again.code, again.stderr).toBe(0);
        expect(appliedIn(again.stdout)).toEqual([]);
      } finally {
        await db.drop();
      }
    }
  });

  it('refuses a migration that runs outside a transaction, before applying anything, and migrate down', async () => {
    const db = await createTestDatabase('poolnotx');
    const copy = copyMigrations({ '9001_title_index.js': CONCURRENT_INDEX });
    try {
      const env = { TODO_DB_MIGRATIONS_DIR: copy.dir };
      const refused = await runCli(['--url', bouncer.url(db.name), 'migrate', 'up'], { env });
      expect(refused.code, refused.stdout + refused.stderr).toBe(2);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toMatch(/goes through a transaction pooler .*9001_title_index runs outside a transaction.*nothing was applied.*DATABASE_URL_UNPOOLED/);
      expect(await recorded(db.name)).toEqual([]);
      // Up to the one before it is fine through the pooler; the index then goes through the direct URL.
      expect((await runCli(['--url', bouncer.url(db.name), 'migrate', 'up', '--to', MIGRATIONS.at(-1)!], { env })).code).toBe(0);
      const direct = await runCli(['--url', db.url, 'migrate', 'up'], { env });
      expect(direct.code, direct.stderr).toBe(0);
      expect(appliedIn(direct.stdout)).toEqual(['9001_title_index']);

      const down = await runCli(['--url', bouncer.url(db.name), 'migrate', 'down', '--yes'], { env });
      expect(down.code).toBe(2);
      expect(down.stderr).toMatch(/transaction pooler.*migrate down needs one session.*nothing was reverted/);
      expect(await recorded(db.name)).toContain('9001_title_index');
    } finally {
      copy.remove();
      await db.drop();
    }
  });

  it('health, verify and rls verify run through it', async () => {
    const db = await createTestDatabase('poolread');
    try {
      expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
      const url = bouncer.url(db.name);
      for (const args of [['health'], ['verify'], ['rls', 'verify', '--quiet'], ['migrate', 'status']]) {
        const run = await runCli(['--url', url, ...args], { timeoutMs: 60_000 });
        expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(0);
        expect(run.stderr).toBe('');
      }
      // Asked-for server-side limits cannot pass a pooler: one line, not a silent drop.
      const limited = await runCli(['--url', url, 'health', '--statement-timeout', '3000']);
      expect(limited.code).toBe(3);
      expect(limited.stderr).toMatch(/^todo-db: .* refused the startup parameter statement_timeout: a connection pooler/);
    } finally {
      await db.drop();
    }
  });
});
