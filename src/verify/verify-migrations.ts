import { requireWritable } from '../connection/writable.js';
import type { TodoDatabase } from '../connection/open.js';
import { packageSnapshot } from '../snapshot/package-snapshot.js';
import type { Snapshot } from '../snapshot/types.js';
import { listMigrationFiles, migrationsDir } from '../migrations/files.js';
import { MigrationFailedError, migrateDown, migrateUp } from '../migrations/runner.js';
import type { SchemaFinding } from './finding.js';
import { withScratchDatabase } from './scratch-database.js';
import { catalogSnapshot, diffSnapshots } from './snapshot.js';
import { requireCatalog, verifySchema } from './verify-schema.js';

export type CheckPhase = 'up' | 'verify' | 'down' | 'reapply' | 'reverify';

export interface CheckStep {
  phase: CheckPhase;
  /** the migration of an up or down step; null for verify steps and the whole re-apply */
  migration: string | null;
  ok: boolean;
  /** what went wrong, one line each: findings, objects left behind or removed, the error */
  problems: string[];
}

export interface VerifyMigrationsResult {
  ok: boolean;
  schemaVersion: string | null;
  migrations: string[];
  steps: CheckStep[];
  /** the snapshot findings of the first verify (after applying everything) */
  findings: SchemaFinding[];
}

export interface VerifyMigrationsOptions {
  /** migrations folder; default TODO_DB_MIGRATIONS_DIR, then the package's migrations/ */
  dir?: string;
  /** what the migrations must produce; default this package's schema/snapshot.json */
  snapshot?: Snapshot;
}

/**
 * The reversibility check, on a scratch database it creates and removes: apply
 * every migration one by one, verify against the snapshot, revert them one by one
 * checking that each `down` restores the catalog exactly as it was before that
 * migration's `up`, then apply all again and verify again. A step that fails names
 * its migration. The database `database` points at is not touched.
 *
 * @example
 * const check = await verifyMigrations(database, { dir: 'migrations' });
 * for (const step of check.steps.filter((s) => !s.ok)) console.log(step.migration, step.problems);
 */
export async function verifyMigrations(database: TodoDatabase<any>, options: VerifyMigrationsOptions = {}): Promise<VerifyMigrationsResult> {
  requireCatalog(database);
  await requireWritable(database, 'verify --migrations', 'creates a scratch database');
  const snapshot = options.snapshot ?? packageSnapshot();
  const names = listMigrationFiles(migrationsDir(options.dir)).map((f) => f.name);
  const dir = options.dir !== undefined ? { dir: options.dir } : {};
  const steps: CheckStep[] = [];
  let findings: SchemaFinding[] = [];
  await withScratchDatabase(database, async (scratch) => {
    const step = (phase: CheckPhase, migration: string | null, problems: string[]) => {
      steps.push({ phase, migration, ok: problems.length === 0, problems });
      return problems.length === 0;
    };
    const failure = (error: unknown) => [error instanceof Error ? error.message : String(error)];

    const snapshots = [await catalogSnapshot(scratch.db)];
    for (const name of names) {
      try {
        await migrateUp(scratch, { ...dir, to: name });
      } catch (error) {
        step('up', name, failure(error));
        return;
      }
      step('up', name, []);
      snapshots.push(await catalogSnapshot(scratch.db));
    }
    findings = (await verifySchema(scratch, { snapshot })).findings;
    step(
      'verify',
      null,
      findings.map((f) => f.message),
    );

    // What earlier downs left behind or removed is not blamed again on later ones.
    let drift = { added: [] as string[], removed: [] as string[] };
    for (let i = names.length - 1; i >= 0; i--) {
      const name = names[i]!;
      try {
        await migrateDown(scratch, dir);
      } catch (error) {
        step('down', name, failure(error));
        return;
      }
      const expected = [...diffSnapshots(drift.removed, [...snapshots[i]!, ...drift.added]).added];
      const diff = diffSnapshots(expected, await catalogSnapshot(scratch.db));
      step('down', name, [...diff.added.map((l) => `left behind: ${l}`), ...diff.removed.map((l) => `removed, though it existed before the migration: ${l}`)]);
      drift = { added: [...drift.added, ...diff.added], removed: [...drift.removed, ...diff.removed] };
    }

    try {
      await migrateUp(scratch, dir);
    } catch (error) {
      step('reapply', error instanceof MigrationFailedError ? error.migration : null, failure(error));
      return;
    }
    const diff = diffSnapshots(snapshots[names.length]!, await catalogSnapshot(scratch.db));
    step('reapply', null, [...diff.added.map((l) => `new on the second apply: ${l}`), ...diff.removed.map((l) => `missing on the second apply: ${l}`)]);
    step(
      'reverify',
      null,
      (await verifySchema(scratch, { snapshot })).findings.map((f) => f.message),
    );
  });
  return { ok: steps.every((s) => s.ok), schemaVersion: snapshot.schemaVersion, migrations: names, steps, findings };
}
