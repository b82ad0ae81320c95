import { requireWritable } from '../connection/writable.js';
import { sql } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { ProblemError } from '../errors.js';
import { readSql } from '../sql-file.js';
import { diffStatus, type RlsChange } from './diff.js';
import type { RlsFinding } from './findings.js';
import { requireCapabilities } from '../connection/capabilities.js';
import { rlsStatus, type RlsStatus } from './status.js';
import { hasSqlState } from '../sql-state.js';
import { snapshotRlsSql } from './snapshot-sql.js';

export interface ApplyRlsResult {
  /** the RLS scripts ran (only when the status showed drift) */
  ranScript: boolean;
  /** role attribute statements run (superuser connections only) */
  roleStatements: string[];
  /** what changed, fact by fact */
  changes: RlsChange[];
  /** drift left alone: role attributes without a superuser, or needing a person */
  remaining: RlsFinding[];
  before: RlsStatus;
  after: RlsStatus;
}

/**
 * The RLS setup, in the order it must run: each script is shared with the
 * migration that introduced it (0004 for users and tasks, 0005 for tasks_archive, 0006 for todo_auth and the Better Auth tables).
 */
export const RLS_SCRIPTS: readonly string[] = ['rls.sql', 'rls-archive.sql', 'rls-auth.sql'];

function rlsScript(): string {
  // Then what the snapshot declares for the tenant tables the scripts do not name.
  return [...RLS_SCRIPTS.map((file) => readSql(file)), snapshotRlsSql()].join('\n');
}

/**
 * Re-applies the RLS scripts (sql/rls.sql, sql/rls-archive.sql, sql/rls-auth.sql) in one
 * transaction when the status shows drift (a dropped or loosened policy, RLS
 * switched off, grants changed), and resets
 * todo_app's SUPERUSER/BYPASSRLS when connected as a superuser. On an intact
 * database it runs nothing and takes no lock.
 *
 * @example
 * const { changes } = await applyRls(database);
 */
export async function applyRls(database: TodoDatabase<any>): Promise<ApplyRlsResult> {
  requireCapabilities(database, ['rls'], 'rls apply');
  await requireWritable(database, 'rls apply');
  const before = await rlsStatus(database);
  const missing = before.findings.find((f) => f.code === 'table-missing');
  if (missing) throw new ProblemError(missing.message, 'run `todo-db migrate up` first');
  const scriptDrift = before.findings.filter((f) => f.repair === 'apply');
  const roleStatements = database.server.superuser ? before.findings.flatMap((f) => (f.repair === 'superuser' && f.sql ? [f.sql] : [])) : [];
  if (scriptDrift.length === 0 && roleStatements.length === 0) {
    return { ranScript: false, roleStatements: [], changes: [], remaining: before.findings, before, after: before };
  }
  try {
    await database.db.transaction().execute(async (trx) => {
      if (scriptDrift.length > 0) await sql.raw(rlsScript()).execute(trx);
      for (const statement of roleStatements) await sql.raw(statement).execute(trx);
    });
  } catch (error) {
    throw applyFailure(error, database.server.user);
  }
  const after = await rlsStatus(database);
  return { ranScript: scriptDrift.length > 0, roleStatements, changes: diffStatus(before, after), remaining: after.findings, before, after };
}

function applyFailure(error: unknown, user: string): unknown {
  if (hasSqlState(error, 'insufficientPrivilege')) {
    return new ProblemError(
      `${user} may not change the RLS setup (${(error as Error).message}); nothing was changed`,
      'connect as the role that owns the tables (DATABASE_URL_UNPOOLED or --url)',
      { cause: error },
    );
  }
  return error;
}
