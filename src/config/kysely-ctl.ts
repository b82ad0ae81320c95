import type { Kysely } from 'kysely';
import type { EnvRecord } from '../connection/target.js';
import { openDatabase } from '../connection/open.js';
import { createMigrationProvider } from '../migrations/provider.js';
import { loadSettings } from './resolve.js';
import type { RawFlags, Settings } from './types.js';

export interface KyselyCtlOptions {
  /** the environment to read: pass process.env (kysely-ctl has already put .env into it) */
  env: EnvRecord;
  /** the project root (default: the current folder, where kysely-ctl runs) */
  root?: string;
  flags?: RawFlags;
}

/**
 * The parts of a kysely.config.ts that make `npx kysely migrate:*` use exactly
 * todo-db's settings: the same resolved connection (schema purpose), migrations
 * folder, checksums and table (`kysely_migration`, kysely-ctl's default).
 *
 * @example
 * // kysely.config.ts
 * import { defineConfig } from 'kysely-ctl';
 * import { kyselyCtlConfig } from 'todo-db';
 * export default defineConfig({ ...kyselyCtlConfig({ env: process.env }), seeds: { seedFolder: 'seeds', allowJS: true } });
 */
export function kyselyCtlConfig(options: KyselyCtlOptions): {
  kysely: () => Promise<Kysely<any>>;
  migrations: { provider: ReturnType<typeof createMigrationProvider> };
} {
  let settings: Promise<Settings> | undefined;
  const resolved = () => (settings ??= loadSettings({ flags: options.flags ?? {}, env: options.env, root: options.root ?? process.cwd() }));
  return {
    kysely: async () => {
      const s = await resolved();
      const database = await openDatabase<any>({
        target: s.targets.schema,
        purpose: 'schema',
        cwd: s.root,
        ...(s.connectTimeoutMs !== undefined ? { connectTimeoutMs: s.connectTimeoutMs } : {}),
        ...(s.lockTimeoutMs !== undefined ? { lockTimeoutMs: s.lockTimeoutMs } : {}),
      });
      return database.db;
    },
    migrations: { provider: { getMigrations: async () => createMigrationProvider((await resolved()).migrationsDir).getMigrations() } },
  };
}
