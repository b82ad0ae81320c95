// @ts-check
/** What every benchmark needs from the local server: the admin URL and a one-off statement. */
import pg from 'pg';

/** Where benchmarks create and drop their databases and roles. */
export const ADMIN_URL = process.env.TODO_DB_BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement as the admin on its own connection. @param {string} text */
export async function admin(text) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
