import { sql, type Transaction } from 'kysely';
import { SQLSTATE, sqlState } from '../../sql-state.js';

/** What one probe statement did. */
export type Outcome = { rows: number } | { denied: string; message?: string } | { notRun: string };

const COULD_NOT_RUN = new Set<string>([SQLSTATE.lockNotAvailable, SQLSTATE.queryCanceled]);

/**
 * Runs one probe statement in a savepoint that is always rolled back: a leaking
 * write is undone at once, a refused one does not abort the transaction, and one
 * stopped by the lock or statement timeout is "not run", never a pass.
 */
export async function attempt(trx: Transaction<any>, statement: () => Promise<number>, timing?: Timing): Promise<Outcome> {
  await sql`savepoint rls_proof`.execute(trx);
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = { rows: await statement() };
  } catch (error) {
    const code = sqlState(error);
    if (code === undefined) throw error;
    outcome = COULD_NOT_RUN.has(code)
      ? { notRun: code === SQLSTATE.lockNotAvailable ? 'waited too long for a lock another session holds' : 'the statement timeout stopped it' }
      : { denied: code, message: (error as Error).message };
  }
  await sql`rollback to savepoint rls_proof`.execute(trx);
  // Row locks a probe write took are released with its savepoint: this is how long they were held.
  if (timing) timing.longestMs = Math.max(timing.longestMs, performance.now() - started);
  return outcome;
}

/** The longest any one probe statement held its locks. */
export interface Timing {
  longestMs: number;
}

/**
 * A write refused because a new row failed a policy's WITH CHECK: the USING
 * (or the missing WHERE) let the statement reach that row in the first place.
 */
export function refusedByCheck(o: Outcome): boolean {
  return 'denied' in o && /row-level security/.test(o.message ?? '');
}

export function describe(o: Outcome, noun = 'row'): string {
  if ('notRun' in o) return `not run: ${o.notRun}`;
  if (refusedByCheck(o)) return 'refused by WITH CHECK (it reached a row that is not its own)';
  if ('denied' in o) return o.denied === SQLSTATE.insufficientPrivilege ? 'denied' : `refused (SQLSTATE ${o.denied})`;
  return `${o.rows} ${noun}${o.rows === 1 ? '' : 's'}`;
}

/** Row counts of a result: rows changed by a write, or the first column of a count. */
export function affected(result: { numAffectedRows?: bigint; rows: unknown[] }): number {
  if (result.numAffectedRows !== undefined) return Number(result.numAffectedRows);
  const first = result.rows[0] as Record<string, unknown> | undefined;
  return first ? Number(Object.values(first)[0] ?? 0) : 0;
}
