import type { Migration, MigrationProvider } from 'kysely';
import { forgetChecksum, recordChecksum } from './bookkeeping.js';
import { loadMigrations, migrationsDir, type LoadedMigration } from './files.js';

/**
 * Wraps a migration so that applying it records its checksum and reverting it
 * forgets it, inside the migration's own transaction.
 */
export function withChecksum(loaded: LoadedMigration): Migration {
  const { migration, name, checksum } = loaded;
  return {
    up: async (db) => {
      await migration.up(db);
      await recordChecksum(db, name, checksum);
    },
    ...(migration.down
      ? {
          down: async (db) => {
            await migration.down!(db);
            await forgetChecksum(db, name);
          },
        }
      : {}),
  };
}

/**
 * A Kysely MigrationProvider over todo-db's migrations, for kysely-ctl and
 * Kysely's Migrator: the same files, the same table, checksums recorded.
 *
 * @example
 * new Migrator({ db, provider: createMigrationProvider() })
 */
export function createMigrationProvider(dir?: string): MigrationProvider {
  return {
    async getMigrations() {
      const loaded = await loadMigrations(migrationsDir(dir));
      return Object.fromEntries(loaded.map((m) => [m.name, withChecksum(m)]));
    },
  };
}
