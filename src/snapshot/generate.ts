import { pathToFileURL } from 'node:url';
import { openDatabase, type TodoDatabase } from '../connection/open.js';
import { UnsupportedError } from '../errors.js';
import { BOOKKEEPING_TABLES } from '../migrations/bookkeeping.js';
import { listMigrationFiles } from '../migrations/files.js';
import { migrateUp } from '../migrations/runner.js';
import { changesBetween } from './fold.js';
import { readCatalog } from './read-catalog.js';
import { schemaVersionOf } from './schema-version.js';
import { SNAPSHOT_FORMAT, type Catalog, type MigrationChanges, type Snapshot } from './types.js';

export interface GenerateOptions {
  /** the migrations folder (the CLI passes --migrations-dir or the package's own) */
  migrationsDir: string;
  /**
   * An empty database to apply them to. Default: an in-memory PGlite, opened and
   * closed here. The output is the same on either (see read-catalog.ts).
   */
  scratch?: TodoDatabase<any>;
}

/**
 * Applies every migration, one at a time, to a scratch database and reads the
 * catalog after each with the queries verify uses: the schema after each
 * migration, and after the last.
 *
 * @example
 * const snapshot = await generateSnapshot({ migrationsDir: 'migrations' });
 * writeSnapshot('schema/snapshot.json', snapshot);
 */
export async function generateSnapshot(options: GenerateOptions): Promise<Snapshot> {
  const files = listMigrationFiles(options.migrationsDir);
  const scratch = options.scratch ?? (await openDatabase<any>({ url: 'pglite:memory' }));
  try {
    if (!scratch.capabilities.catalog) throw new UnsupportedError(`${scratch.kind} cannot generate a schema snapshot`, 'use PGlite (the default) or PostgreSQL');
    const migrations: MigrationChanges[] = [];
    let before: Catalog = {};
    let version: string | null = null;
    let roles: string[] = [];
    for (const file of files) {
      const mod = (await import(pathToFileURL(file.path).href)) as { schemaVersion?: unknown };
      version = schemaVersionOf(file.name, mod.schemaVersion, version);
      await migrateUp(scratch, { dir: options.migrationsDir, to: file.name });
      // Settings of a scratch cluster are not the schema's: the snapshot declares none.
      const read = await readCatalog(scratch.db, { ignoreTables: BOOKKEEPING_TABLES, parameters: [] });
      roles = read.roles;
      migrations.push({ name: file.name, schemaVersion: version, ...changesBetween(before, read.objects) });
      before = read.objects;
    }
    return { format: SNAPSHOT_FORMAT, schemaVersion: version, roles, migrations, objects: before };
  } finally {
    if (!options.scratch) await scratch.close();
  }
}
