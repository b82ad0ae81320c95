import { createHash } from 'node:crypto';

/**
 * The statements todo-db prepares when the plan cache is on (docs/plan-cache.md):
 * the seven patterns' SQL, registered by src/queries/statements.ts as each is
 * compiled. The name is a hash of the text, so one text has one name on every
 * connection and two texts never share one. No pg import: PGlite-only apps load this.
 */
const NAMES = new Map<string, string>();

/** Registers `text` for preparing and returns its statement name. */
export function registerStatement(text: string): string {
  let name = NAMES.get(text);
  if (!name) {
    name = `todo_db_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    NAMES.set(text, name);
  }
  return name;
}

/** The registered name for `text`, or undefined for any other statement (those stay unnamed). */
export const statementName = (text: string): string | undefined => NAMES.get(text);

/**
 * Server errors after which a prepared statement must be prepared again: it was
 * dropped (DISCARD ALL, DEALLOCATE: 26000), or a schema change altered its result
 * columns ("cached plan must not change result type": 0A000, which PostgreSQL
 * repeats on every execution until the statement is replaced).
 */
export function stalePreparedStatement(error: unknown): 'missing' | 'changed' | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === '26000') return 'missing';
  if (code === '0A000' && /cached plan must not change result type/i.test(String(message))) return 'changed';
  if (code === '42P05') return 'changed';
  return undefined;
}
