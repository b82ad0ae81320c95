// kysely-ctl (`npx kysely migrate:list`, `migrate:latest`, `seed:run`) sees the same
// connection rules, migrations, migration table and checksums as `todo-db`.
import { defineConfig } from 'kysely-ctl';
import { createMigrationProvider, openDatabase } from './dist/src/index.js';

export default defineConfig({
  kysely: async () => (await openDatabase({ purpose: 'schema' })).db,
  migrations: { provider: createMigrationProvider() },
  seeds: { seedFolder: 'seeds', allowJS: true },
});
