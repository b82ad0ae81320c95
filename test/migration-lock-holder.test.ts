import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationLockBusy } from '../src/connection/advisory-lock.js';
import { MIGRATION_LOCK_ID, openDatabase } from '../src/index.js';
import { runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

/**
 * Advisory locks are per database: the migration lock another app holds in its own
 * database is no one's business here. The holder a timed-out wait names must be
 * this database's (it once named whichever run in the cluster came first).
 */
describe('the migration lock holder named on a timeout (PostgreSQL)', () => {
  let elsewhere: TestDatabase;
  let here: TestDatabase;
  let idle: TestDatabase;
  const holders: pg.Client[] = [];
  const hold = async (database: TestDatabase, application_name: string) => {
    const client = new pg.Client({ connectionString: database.url, application_name });
    await client.connect();
    holders.push(client);
    await client.query(`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
  };

  beforeAll(async () => {
    [elsewhere, here, idle] = await Promise.all([createTestDatabase('lockelse'), createTestDatabase('lockhere'), createTestDatabase('lockidle')]);
    await hold(elsewhere, 'elsewhere-runner');
    await hold(here, 'other-runner');
  });
  afterAll(async () => {
    for (const client of holders) await client.end();
    await Promise.all([elsewhere, here, idle].map((d) => d?.drop()));
  });

  it("names this database's holder, never another database's", async () => {
    for (let i = 0; i < 3; i++) {
      const result = await runCli(['--url', here.url, '--lock-timeout', '1', 'migrate', 'up']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(/^todo-db: another migration run \(pid \d+, other-runner\) holds the migration lock; gave up after 1 s/);
    }
  });

  it('names no holder when only another database holds the key', async () => {
    const database = await openDatabase({ url: idle.url });
    try {
      const error = await migrationLockBusy(database.db, 1_000);
      expect(error.message).toBe('another migration run holds the migration lock; gave up after 1 s');
    } finally {
      await database.close();
    }
  });
});
