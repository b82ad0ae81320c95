import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';

/** What a statement did: touched some rows, or was refused by the database. */
export type Outcome = { rows: number } | { denied: string };

/**
 * Runs one probe statement inside a savepoint that is always rolled back: a
 * leaking write is undone at once, and a refused one does not abort the
 * surrounding transaction.
 */
export async function attempt(trx: Transaction<Database>, statement: () => Promise<number | bigint | undefined>): Promise<Outcome> {
  await sql`savepoint rls_probe`.execute(trx);
  let outcome: Outcome;
  try {
    outcome = { rows: Number((await statement()) ?? 0) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) throw error;
    outcome = { denied: code };
  }
  await sql`rollback to savepoint rls_probe`.execute(trx);
  return outcome;
}

export function isDenied(o: Outcome): boolean {
  return 'denied' in o;
}

/** Nothing happened: refused, or no row touched. */
export function isNothing(o: Outcome): boolean {
  return 'denied' in o || o.rows === 0;
}

export function describeOutcome(o: Outcome, noun = 'row'): string {
  if ('denied' in o) return o.denied === '42501' ? 'denied' : `refused (SQLSTATE ${o.denied})`;
  return `${o.rows} ${noun}${o.rows === 1 ? '' : 's'}`;
}

/** Visible rows of a table: all of them, and how many belong to the given user. */
export async function visible(trx: Transaction<Database>, table: 'users' | 'tasks' | 'tasks_archive', userId: string): Promise<{ total: number; own: number } | { denied: string }> {
  const column = table === 'users' ? 'id' : 'user_id';
  let counts = { total: 0, own: 0 };
  const outcome = await attempt(trx, async () => {
    counts = await trx
      .selectFrom(table)
      .select([sql<number>`count(*)::int`.as('total'), sql<number>`(count(*) filter (where ${sql.ref(column)} = ${userId}))::int`.as('own')])
      .executeTakeFirstOrThrow();
    return 0;
  });
  return 'denied' in outcome ? outcome : counts;
}
