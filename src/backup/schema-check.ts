import type { TodoDatabase } from '../connection/open.js';
import { migrationStatus } from '../migrations/runner.js';
import { verifySchema } from '../verify/verify-schema.js';

export interface SchemaCheck {
  /** every migration applied and unedited, and the schema exactly the contract */
  ok: boolean;
  migrations: { applied: number; pending: number; edited: number; missing: number };
  /** the contract version the schema was compared with (`todo-db verify`) */
  contractVersion: string;
  findings: { object: string; message: string }[];
}

/**
 * What a restored database is checked with: its migration history (every file
 * applied, none edited) and the full contract check of `todo-db verify`.
 */
export async function checkSchema(database: TodoDatabase<any>): Promise<SchemaCheck> {
  const status = await migrationStatus(database);
  const applied = status.migrations.filter((m) => m.state === 'applied').length;
  const migrations = { applied, pending: status.pending, edited: status.edited, missing: status.missing };
  const findings = status.migrations
    .filter((m) => m.state === 'pending' || m.problems.some((p) => p === 'edited' || p === 'missing'))
    .map((m) => ({ object: m.name, message: m.state === 'pending' ? 'not applied in the backup' : `applied, but ${m.problems.join(', ')}` }));
  const migrationsOk = findings.length === 0 && applied > 0;
  if (applied === 0) findings.push({ object: 'migrations', message: 'the restored database has no applied migrations' });
  const result = await verifySchema(database);
  findings.push(...result.findings.map((f) => ({ object: f.object, message: f.message })));
  return { ok: migrationsOk && result.ok, migrations, contractVersion: result.contractVersion, findings };
}
