import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { PG_ADMIN_URL } from './support/postgres.js';

/**
 * Once per run: PostgreSQL must answer (a missing server is a failure, never a
 * skip), and a fresh PGlite data folder is prepared for the tests to clone.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Each tier (vitest project) calls this; the first one prepares for all.
  const prepared = process.env.TODO_DB_TEST_PGLITE_TEMPLATE;
  if (prepared && existsSync(prepared)) return async () => undefined;
  const runId = `${Date.now().toString(36)}${process.pid}`;
  process.env.TODO_DB_TEST_RUN_ID = runId;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${PG_ADMIN_URL} (${(error as Error).message}); start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  }
  await client.end();

  const parent = mkdtempSync(join(tmpdir(), 'todo-db-template-'));
  const dir = join(parent, 'data');
  const template = await PGlite.create(dir);
  await template.close();
  process.env.TODO_DB_TEST_PGLITE_TEMPLATE = dir;

  return async () => {
    rmSync(parent, { recursive: true, force: true });
    // Databases a crashed test left behind in this run.
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`tododb_t${runId}%`]);
    for (const row of rows) await admin.query(`drop database if exists "${row.datname}" with (force)`);
    await admin.end();
  };
}
