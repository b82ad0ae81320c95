import type { TodoDatabase } from '../connection/open.js';
import { migrationStatus } from '../migrations/runner.js';

export interface SchemaCheck {
  /** every migration applied and unedited, and (when available) the contract verified */
  ok: boolean;
  migrations: { applied: number; pending: number; edited: number; missing: number };
  /** 'verified': compared with the contract by verifySchema; 'unavailable': not in this version */
  contract: 'verified' | 'unavailable';
  findings: { object: string; message: string }[];
  note?: string;
}

interface VerifyLike {
  ok: boolean;
  findings: { object?: string; message: string }[];
}

/**
 * What a restored database is checked with: its migration history (every file
 * applied, none edited) and the full contract check when this build has it.
 */
export async function checkSchema(handle: TodoDatabase<any>): Promise<SchemaCheck> {
  const status = await migrationStatus(handle);
  const applied = status.migrations.filter((m) => m.state === 'applied').length;
  const migrations = { applied, pending: status.pending, edited: status.edited, missing: status.missing };
  const findings = status.migrations
    .filter((m) => m.state === 'pending' || m.problems.some((p) => p === 'edited' || p === 'missing'))
    .map((m) => ({ object: m.name, message: m.state === 'pending' ? 'not applied in the backup' : `applied, but ${m.problems.join(', ')}` }));
  const migrationsOk = findings.length === 0 && applied > 0;
  if (applied === 0) findings.push({ object: 'migrations', message: 'the restored database has no applied migrations' });
  const verify = await verifySchemaIfAvailable();
  if (!verify) {
    return { ok: migrationsOk, migrations, contract: 'unavailable', findings, note: 'the full contract check (verify) is not available in this build; checked the migration history only' };
  }
  const result = await verify(handle);
  findings.push(...result.findings.map((f) => ({ object: f.object ?? '', message: f.message })));
  return { ok: migrationsOk && result.ok, migrations, contract: 'verified', findings };
}

// Looked up at run time: verify is built alongside backup, and either may ship first.
async function verifySchemaIfAvailable(): Promise<((handle: TodoDatabase<any>) => Promise<VerifyLike>) | null> {
  const library = (await import('../index.js')) as Record<string, unknown>;
  const fn = library.verifySchema;
  return typeof fn === 'function' ? (fn as (handle: TodoDatabase<any>) => Promise<VerifyLike>) : null;
}
