// kysely-ctl (`npx kysely migrate:list`, `migrate:latest`, `seed:run`) sees the same
// settings as `todo-db`: connection rules, .env, config file, migrations, table and checksums.
import { defineConfig } from 'kysely-ctl';
import { kyselyCtlConfig } from './dist/src/index.js';

export default defineConfig({
  ...kyselyCtlConfig({ env: process.env }),
  seeds: { seedFolder: 'seeds', allowJS: true },
});
