import { CommanderError } from 'commander';
import { maskSecrets } from '../connection/target.js';
import { ExitCode, TodoDbError, type ExitCodeValue } from '../errors.js';
import { hasSqlState, sqlState } from '../sql-state.js';

export interface RenderedError {
  exitCode: ExitCodeValue | 130;
  line: string;
  json: { ok: false; error: { message: string; hint?: string; exitCode: number } };
}

/** The one place an error becomes `todo-db: <what> (<what to do>)` and an exit code. */
export function renderError(error: unknown, secrets: readonly string[]): RenderedError {
  const { message, hint, exitCode } = classify(error);
  const clean = (s: string) => maskSecrets(s.replace(/\s+/g, ' ').trim(), secrets);
  const line = `todo-db: ${clean(message)}${hint ? ` (${clean(hint)})` : ''}`;
  return { exitCode, line, json: { ok: false, error: { message: clean(message), ...(hint ? { hint: clean(hint) } : {}), exitCode } } };
}

function classify(error: unknown): { message: string; hint?: string; exitCode: ExitCodeValue } {
  if (error instanceof TodoDbError) return { message: error.message, ...(error.hint ? { hint: error.hint } : {}), exitCode: error.exitCode };
  if (error instanceof CommanderError) {
    return { message: error.message.replace(/^error: /, ''), hint: 'see `todo-db --help`', exitCode: ExitCode.usage };
  }
  const e = error as { code?: unknown; message?: unknown };
  const missing = /relation "([^"]+)" does not exist/.exec(String(e?.message ?? ''));
  if (missing && (hasSqlState(error, 'undefinedTable') || e.code === undefined)) {
    return { message: `the table ${missing[1]} does not exist in this database`, hint: 'run `todo-db migrate up` first', exitCode: ExitCode.problem };
  }
  const state = sqlState(error);
  if (state !== undefined) {
    return { message: `database error: ${String(e.message)} (SQLSTATE ${state})`, exitCode: ExitCode.problem };
  }
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) {
    return { message: `lost the database connection: ${String(e.message)}`, hint: 'check that the server is up and reachable', exitCode: ExitCode.connection };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { message: `unexpected error: ${text.split('\n')[0]}`, hint: 'run with --verbose for details', exitCode: ExitCode.problem };
}
