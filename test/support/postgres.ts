import pg from 'pg';

/** The local server the tests run against (DEVELOPERS.md: 127.0.0.1:5432, trust auth). */
export const PG_ADMIN_URL = process.env.TODO_DB_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A prefix unique to this test run, so parallel runs on one server never collide. */
export const RUN_ID = process.env.TODO_DB_TEST_RUN_ID ?? `${process.pid}`;

let counter = 0;

export function urlFor(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs SQL as the admin (superuser) on the given database (default: postgres). */
export async function adminQuery<R extends pg.QueryResultRow = any>(text: string, database?: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: database ? urlFor(database) : PG_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database; drop() removes it (and kicks any session still on it). */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `tododb_t${RUN_ID}_${label}_${process.pid}_${++counter}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
  await adminQuery(`create database "${name}"`);
  return {
    name,
    url: urlFor(name),
    drop: async () => {
      // pg's pool.end() resolves before its sockets close: give closing clients a moment, so
      // the force below does not terminate one mid-goodbye (an unhandled FATAL 57P01 in its process).
      for (let waited = 0; waited < 1_000; waited += 50) {
        const [row] = await adminQuery<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', undefined, [name]);
        if (!row?.n) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await adminQuery(`drop database if exists "${name}" with (force)`);
    },
  };
}
