import { stalePreparedStatement, statementName } from '../connection/statement-names.js';
import { substituted, tryLiterals } from './statements.js';

/** pg's answer for one statement. */
export interface PgResult {
  command?: string;
  rowCount: number | null;
  rows: any[];
}

/** The part of a pg client this needs; a PlanCachingClient (src/connection/pg-client.ts) also has `sqlPrepared`. */
export interface SimpleClient {
  query(config: { text: string }): Promise<unknown>;
  readonly sqlPrepared?: Set<string>;
}

/**
 * Sends `<prefix><statement>` as ONE simple query and answers the statement's
 * result. `sql` must be a registered pattern (statementName), whose text is ours,
 * so its `$n` can be replaced by literals; undefined when a value cannot be
 * written as a literal (the caller then binds it as a parameter instead).
 *
 * On a PlanCachingClient the statement is `execute <name>_q(<literals>)` of a
 * statement the connection prepared once (`prepare <name>_q as <sql>`, sent in
 * front on first use). When that statement went stale (DISCARD ALL, a migration
 * changed the type of a column it returns) the call is sent once more, prepared afresh, after
 * `retryFirst` (a `rollback; ` when the prefix opened a transaction): the failed
 * query changed nothing but the prepared statement, so that is safe.
 */
export async function sendPrefixed(
  client: SimpleClient,
  prefix: string,
  sql: string,
  parameters: readonly unknown[],
  escapeLiteral: (text: string) => string,
  retryFirst = '',
): Promise<PgResult | undefined> {
  const literals = tryLiterals(parameters, escapeLiteral);
  if (!literals) return undefined;
  const known = client.sqlPrepared;
  const base = statementName(sql);
  if (!known || !base) return lastResult(await client.query({ text: prefix + substituted(sql, literals) }));
  const name = `${base}_q`;
  const call = `execute ${name}${literals.length > 0 ? `(${literals.join(', ')})` : ''}`;
  const prepare = `prepare ${name} as ${sql}; `;
  const fresh = !known.has(name);
  // PREPARE is not transactional: it stays even when the call fails after it.
  known.add(name);
  try {
    return lastResult(await client.query({ text: prefix + (fresh ? prepare : '') + call }));
  } catch (error) {
    const stale = stalePreparedStatement(error);
    if (!stale) throw error;
    return lastResult(await client.query({ text: `${retryFirst}${prefix}${stale === 'changed' ? `deallocate ${name}; ` : ''}${prepare}${call}` }));
  }
}

/** pg answers a multi-statement simple query with one result per statement: the last is the pattern's. */
export function lastResult(answer: unknown): PgResult {
  const results = answer as PgResult | PgResult[];
  return Array.isArray(results) ? results[results.length - 1]! : results;
}
