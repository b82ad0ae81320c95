import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/index.js';
import { cliEnv } from './support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/postgres.js';

/**
 * todo-db as an app installs it: one `npm pack` of this checkout, one scratch app
 * (`npm init -y; npm install <tarball>`), then `todo-db init` and the day-one steps.
 * The install comes from npm's cache (--prefer-offline): every package is already a
 * dependency or dev dependency of this repo.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
/** The versions this repo already installs, so npm finds them in its cache. */
const devVersion = (name: string) => manifest.devDependencies[name] ?? manifest.dependencies[name]!;

let work: string;
let app: string;
let db: TestDatabase;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command in the app folder, as the developer types it (npx finds the local bins), no terminal. */
function inApp(command: string, args: readonly string[], env: Record<string, string | undefined> = {}): Run {
  // consola (kysely-ctl's logger) goes silent under a test runner; these make it talk as in a shell.
  const run = spawnSync('npx', ['--no', '--', command, ...args], {
    cwd: app,
    encoding: 'utf8',
    timeout: 180_000,
    env: shellEnv({ VITEST: '', TEST: '', NODE_ENV: 'production', ...env }),
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * The environment of a developer's shell: `npm test` exports this repo's npm config
 * (`npm_config_*`, from any .npmrc and the command line) to its children, and the
 * app's own npm must not inherit it (legacy-peer-deps, say, would skip the peer
 * dependency install an app gets).
 */
function shellEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = cliEnv(extra);
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  return env;
}

const todoDb = (args: readonly string[], env?: Record<string, string | undefined>) => inApp('todo-db', args, env);

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'dist/src/index.js')), 'dist is built (npm run build)').toBe(true);
  work = mkdtempSync(join(tmpdir(), 'todo-db-app-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  ) as { filename: string }[];
  const tarball = join(work, packed[0]!.filename);
  app = join(work, 'app');
  mkdirSync(app);
  execFileSync('npm', ['init', '-y'], { cwd: app, stdio: 'ignore', env: shellEnv() });
  const deps = [
    tarball,
    `kysely-ctl@${devVersion('kysely-ctl')}`,
    `typescript@${devVersion('typescript')}`,
    `@types/node@${devVersion('@types/node')}`,
    `@types/pg@${devVersion('@types/pg')}`,
    `pg@${devVersion('pg')}`,
  ];
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...deps], { cwd: app, stdio: ['ignore', 'ignore', 'pipe'], env: shellEnv() });
  db = await createTestDatabase('app_repo');
}, 600_000);

afterAll(async () => {
  await db?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('an app repo after npm install <packed todo-db>', () => {
  it('installs kysely once, as a peer of todo-db', () => {
    // kysely-ctl brings kysely too, so the manifest is what proves the peer: an app without kysely-ctl gets it from there.
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/todo-db/package.json'), 'utf8')) as {
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(installed.peerDependencies?.kysely).toBe(manifest.devDependencies.kysely);
    expect(installed.peerDependenciesMeta?.kysely?.optional).not.toBe(true);
    expect(existsSync(join(app, 'node_modules/kysely/package.json'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/todo-db/node_modules/kysely'))).toBe(false);
  });

  it('init writes the config, the base migrations with their sql/ files, seeds and kysely.config.ts, and prints next steps', () => {
    const init = todoDb(['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Next:/);
    for (const file of [
      'todo-db.config.json',
      'kysely.config.ts',
      'migrations/0001_create_users.js',
      'migrations/0005_tasks_archive.js',
      'sql/rls.sql',
      'sql/rls-remove.sql',
      'sql/rls-archive.sql',
      'seeds/0001_development.js',
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    const again = todoDb(['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^todo-db: todo-db.config.json already exists/);
    const config = readFileSync(join(app, 'todo-db.config.json'), 'utf8');
    const forced = todoDb(['init', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(app, 'todo-db.config.json'), 'utf8')).toBe(config);
    expect(forced.stdout).toMatch(/todo-db.config.json\s+kept/);
  });

  it('migrate make writes into ./migrations, never node_modules', () => {
    const made = todoDb(['migrate', 'make', 'add_due_date']);
    expect(made.code, made.stderr).toBe(0);
    expect(existsSync(join(app, 'migrations/0007_add_due_date.js'))).toBe(true);
    expect(readdirSync(join(app, 'node_modules/todo-db/migrations'))).not.toContain('0007_add_due_date.js');
    writeFileSync(
      join(app, 'migrations/0007_add_due_date.js'),
      `// @ts-check
/** @param {import('kysely').Kysely<any>} db */
export async function up(db) {
  await db.schema.alterTable('tasks').addColumn('due_at', 'timestamptz').execute();
}
/** @param {import('kysely').Kysely<any>} db */
export async function down(db) {
  await db.schema.alterTable('tasks').dropColumn('due_at').execute();
}
`,
    );
  });

  it('migrate up on PostgreSQL through .env, and npx kysely reaches the same database and agrees', async () => {
    writeFileSync(join(app, '.env'), `DATABASE_URL=${db.url}\n`);
    const up = todoDb(['migrate', 'up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/DATABASE_URL from \.env/);
    expect(up.stdout).toMatch(/7 migrations applied/);
    const column = await adminQuery(`select data_type from information_schema.columns where table_name = 'tasks' and column_name = 'due_at'`, db.name);
    expect(column).toEqual([{ data_type: 'timestamp with time zone' }]);
    const status = JSON.parse(todoDb(['--json', 'migrate', 'status']).stdout) as { migrations: { name: string; state: string }[] };
    expect(status.migrations).toHaveLength(7);
    const list = inApp('kysely', ['migrate:list', '--no-outdated-check']);
    expect(list.code, list.stderr).toBe(0);
    const listed = [...(list.stdout + list.stderr).matchAll(/\[`?(✓| )`?\] (\d{4}_\w+)/g)].map((m) => `${m[1] === '✓' ? 'applied' : 'pending'} ${m[2]}`);
    expect(listed).toEqual(status.migrations.map((m) => `${m.state} ${m.name}`));
    // Checksums are the app's own: nothing is flagged as edited.
    expect(todoDb(['migrate', 'status']).code).toBe(0);
  });

  it("migrate up on PGlite applies the same seven migrations (the package's six and the app's own)", async () => {
    const up = todoDb(['--url', 'pglite:./.todo-db/pglite', 'migrate', 'up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/7 migrations applied/);
    const handle = await openDatabase({ url: `pglite:${join(app, '.todo-db/pglite')}` });
    try {
      const { rows } = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'tasks' and column_name = 'due_at'`.execute(
        handle.db,
      );
      expect(rows).toEqual([{ column_name: 'due_at' }]);
    } finally {
      await handle.close();
    }
  });

  it('schema snapshot, verify on PostgreSQL and PGlite, drift named, a stale snapshot caught', async () => {
    await schemaStepsInApp(db.name);
  });

  it('type-checks an app that uses its own Kysely instance and pg Pool with --strict and no skipLibCheck', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'] },
        files: ['app.ts'],
      }),
    );
    writeFileSync(
      join(app, 'app.ts'),
      `import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { listTasks, openDatabase, resolveTarget, withUser, type Database } from 'todo-db';

const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }) });
export const tasks = await withUser(db, '00000000-0000-4000-8000-000000000001', (trx) => listTasks(trx, '00000000-0000-4000-8000-000000000001', 10));
export const handle = await openDatabase({ target: resolveTarget({ env: process.env }) });
`,
    );
    writeFileSync(join(app, 'package.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')), type: 'module' }, null, 2));
    const tsc = inApp('tsc', ['-p', 'tsconfig.json']);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
  });
});

/** The schema steps in the app, after `migrate up` on both backends. */
async function schemaStepsInApp(databaseName: string): Promise<void> {
  const snapshot = todoDb(['schema', 'snapshot']);
  expect(snapshot.code, snapshot.stderr).toBe(0);
  expect(readFileSync(join(app, 'schema/snapshot.json'), 'utf8')).toMatch(/due_at/);
  expect(todoDb(['schema', 'snapshot', '--check']).code).toBe(0);
  const verified = todoDb(['verify']);
  expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  expect(todoDb(['--url', 'pglite:./.todo-db/pglite', 'verify']).code).toBe(0);
  await adminQuery('alter table tasks add column x int', databaseName);
  const drifted = todoDb(['verify']);
  expect(drifted.code).toBe(1);
  expect(drifted.stdout).toMatch(/tasks\.x/);
  await adminQuery('alter table tasks drop column x', databaseName);
  const migration = join(app, 'migrations/0007_add_due_date.js');
  writeFileSync(migration, readFileSync(migration, 'utf8').replace("addColumn('due_at', 'timestamptz')", "addColumn('due_at', 'timestamp')"));
  const stale = todoDb(['schema', 'snapshot', '--check']);
  expect(stale.code).toBe(1);
  expect(stale.stdout + stale.stderr).toMatch(/tasks\.due_at/);
}
