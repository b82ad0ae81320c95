import { DEFAULT_SNAPSHOT_FILE } from '../config/resolve.js';

/** The config file init writes: every path the app owns from now on. */
export const CONFIG_FILE_NAME = 'todo-db.config.json';

export function configTemplate(): string {
  const config = { migrationsDir: './migrations', seedsDir: './seeds', snapshotPath: `./${DEFAULT_SNAPSHOT_FILE}` };
  return JSON.stringify(config, null, 2) + '\n';
}

/** kysely-ctl in the app: the same folder, table (kysely_migration) and .env as todo-db. */
export function kyselyConfigTemplate(): string {
  return `// Written by \`todo-db init\`. \`npx kysely migrate:list\`, \`migrate:latest\` and \`seed:run\`
// use todo-db's settings: the same connection (DATABASE_URL_UNPOOLED, DATABASE_URL, .env),
// the migrations in ./migrations, the kysely_migration table and the checksums.
import { defineConfig } from 'kysely-ctl';
import { kyselyCtlConfig } from 'todo-db';

export default defineConfig({
  ...kyselyCtlConfig({ env: process.env }),
  seeds: { seedFolder: 'seeds', allowJS: true },
});
`;
}
