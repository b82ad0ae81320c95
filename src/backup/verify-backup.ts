import type { TodoDatabase } from '../connection/open.js';
import { tableContents, type TableContents } from './contents.js';
import { restoreDatabase } from './restore.js';
import { withScratchDatabase } from '../verify/scratch-database.js';
import type { SchemaCheck } from './schema-check.js';

export interface TableComparison {
  table: string;
  source: number;
  restored: number;
  /** same row count and the same row fingerprint */
  ok: boolean;
}

export interface BackupVerification {
  /** the schema checks out and every content table came back identical */
  ok: boolean;
  /** the scratch database it restored into, already removed again */
  scratch: string;
  schema: SchemaCheck;
  tables: TableComparison[];
  durationMs: number;
}

export interface VerifyBackupOptions {
  /** the source's rows at the moment of the dump; default: read them from `source` now */
  expected?: TableContents[];
  onProgress?: (detail: string) => void;
}

/**
 * Proves a backup: restores it into a scratch database beside `source`, checks the
 * schema, compares row counts and row fingerprints of the contract tables, and drops
 * the scratch database whatever happened (an in-memory PGlite for PGlite).
 *
 * @example
 * const proof = await verifyBackup(database, 'todo-db-app-20261124-010000.dump');
 * if (!proof.ok) console.log(proof.schema.findings, proof.tables);
 */
export async function verifyBackup(source: TodoDatabase<any>, file: string, options: VerifyBackupOptions = {}): Promise<BackupVerification> {
  const started = performance.now();
  const expected = options.expected ?? (await tableContents(source.db));
  const progress = options.onProgress ?? (() => undefined);
  progress('creating a scratch database');
  // The scratch database is dropped (or the folder removed) whatever happens, or this throws.
  const outcome = await withScratchDatabase(source, async (scratch) => {
    progress(`restoring into ${scratch.target.display}`);
    return { display: scratch.target.display, result: await restoreDatabase(scratch, file) };
  });
  const restored = new Map(outcome.result.tables.map((t) => [t.table, t]));
  const tables = expected.map((e) => {
    const r = restored.get(e.table);
    return { table: e.table, source: e.rows, restored: r?.rows ?? 0, ok: r !== undefined && r.rows === e.rows && r.fingerprint === e.fingerprint };
  });
  const schema = outcome.result.schema;
  return {
    ok: schema.ok && tables.every((t) => t.ok) && tables.length === outcome.result.tables.length,
    scratch: outcome.display,
    schema,
    tables,
    durationMs: performance.now() - started,
  };
}
