import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_MIGRATIONS_DIR } from '../src/index.js';
import { createTestDatabase, adminQuery, urlFor, type TestDatabase } from './support/postgres.js';
import { runCli } from './support/cli.js';
import { CONTRACT_MIGRATIONS } from './support/contract-migrations.js';

const PASSWORD = 'sekret-pw-4711';

/** trust auth ignores the password, which lets us check it is never printed. */
function withPassword(url: string): string {
  const u = new URL(url);
  u.password = PASSWORD;
  return u.toString();
}

function expectOneErrorLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^todo-db: /);
  expect(stderr).not.toContain('    at ');
}

describe('todo-db binary', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('cli');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('prints its version and help without a database', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['migrate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/up \[options\]/);
  });

  it('rejects unknown commands and options with exit 2 and one line', async () => {
    for (const args of [['migrat'], ['migrate', 'up', '--bogus'], ['--connect-timeout', 'soon', 'migrate', 'status']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expectOneErrorLine(result.stderr);
    }
  });

  it('migrates a PostgreSQL database named by --url, never printing the password', async () => {
    const url = withPassword(db.url);
    const up = await runCli(['--url', url, 'migrate', 'up']);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/6 migrations applied/);
    expect(up.stdout).toContain(':****@');
    const status = await runCli(['--url', url, '--json', 'migrate', 'status']);
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as { ok: boolean; pending: number; migrations: { state: string }[] };
    expect(doc.ok).toBe(true);
    expect(doc.pending).toBe(0);
    expect(doc.migrations.map((m) => m.state)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied']);
    for (const out of [up.stdout, up.stderr, status.stdout, status.stderr]) expect(out).not.toContain(PASSWORD);
  });

  it('takes DATABASE_URL_UNPOOLED for schema changes and DATABASE_URL for the rest', async () => {
    const closed = 'postgres://postgres@127.0.0.1:1/nowhere';
    const migrate = await runCli(['migrate', 'up'], { env: { DATABASE_URL_UNPOOLED: db.url, DATABASE_URL: closed } });
    expect(migrate.code).toBe(0);
    const status = await runCli(['migrate', 'status'], { env: { DATABASE_URL_UNPOOLED: db.url, DATABASE_URL: closed } });
    expect(status.code).toBe(3);
    expectOneErrorLine(status.stderr);
    expect(status.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1 \(connection refused\)/);
  });

  it("refuses Neon's pooled endpoint for migrations, naming the fix", async () => {
    const result = await runCli(['--url', 'postgres://u:pw@ep-cool-lake-123-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require', 'migrate', 'up', '--connect-timeout', '2']);
    expect(result.code).toBe(2);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toMatch(/transaction pooler.*DATABASE_URL_UNPOOLED/);
  });

  it('answers bad connection input with one line and the documented exit code', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['--url', 'postgres://u:pw@host:notaport/x'], 2, /malformed database URL/],
      [['--url', 'mysql://u:pw@localhost/x'], 2, /unsupported database URL scheme "mysql:"/],
      [['--url', `postgres://postgres:${PASSWORD}@127.0.0.1:1/x`], 3, /connection refused/],
      [['--url', urlFor('tododb_no_such_database')], 3, /database "tododb_no_such_database" does not exist/],
      [['--url', `${db.url}?sslmode=require`], 3, /does not accept TLS/],
      [['--url', 'postgres://postgres@no-such-host.invalid/x'], 3, /cannot resolve host/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli([...args, 'migrate', 'status']);
      expect(result.code, args.join(' ')).toBe(code);
      expectOneErrorLine(result.stderr);
      expect(result.stderr).toMatch(message);
      expect(result.stderr + result.stdout).not.toContain(PASSWORD);
    }
  });

  it('reports errors as JSON on stdout with --json', async () => {
    const result = await runCli(['--json', '--url', 'postgres://postgres@127.0.0.1:1/x', 'migrate', 'status']);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { exitCode: 3 } });
  });

  it('will not revert without --yes when nobody can confirm, and changes nothing', async () => {
    const result = await runCli(['--url', db.url, 'migrate', 'down', '--all']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs confirmation.*pass --yes/);
    const rows = await adminQuery<{ n: number }>('select count(*)::int as n from kysely_migration', db.name);
    expect(rows[0]?.n).toBe(CONTRACT_MIGRATIONS.length);
  });

  it('applies each migration exactly once when two runners start at the same moment', async () => {
    const race = await createTestDatabase('race');
    try {
      const runs = await Promise.all([0, 1, 2, 3].map(() => runCli(['--url', race.url, 'migrate', 'up'])));
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const applied = runs.flatMap((r) => [...r.stdout.matchAll(/✓ (\d{4}_\w+)\s+applied/g)].map((m) => m[1]));
      expect(applied.sort()).toEqual([...CONTRACT_MIGRATIONS]);
      const rows = await adminQuery<{ name: string }>('select name from kysely_migration order by name', race.name);
      expect(rows.map((r) => r.name)).toHaveLength(CONTRACT_MIGRATIONS.length);
    } finally {
      await race.drop();
    }
  });

  it('agrees with `kysely migrate:list` on the same database', async () => {
    const { spawnSync } = await import('node:child_process');
    const kysely = spawnSync(process.execPath, ['node_modules/kysely-ctl/dist/bin.js', 'migrate:list', '--no-outdated-check'], {
      // consola (kysely-ctl's logger) goes silent under a test runner, and marks items `[`✓`]` under CI.
      env: { ...process.env, DATABASE_URL: db.url, DATABASE_URL_UNPOOLED: undefined, NO_COLOR: '1', NODE_ENV: 'production', VITEST: '', TEST: '' },
      encoding: 'utf8',
    });
    expect(kysely.status, kysely.stderr).toBe(0);
    expect(kysely.stdout + kysely.stderr).toMatch(/Found 6 migrations/);
    const listed = [...(kysely.stdout + kysely.stderr).matchAll(/\[`?(✓| )`?\] (\d{4}_\w+)/g)].map((m) => `${m[1] === '✓' ? 'applied' : 'pending'} ${m[2]}`);
    const status = JSON.parse((await runCli(['--url', db.url, '--json', 'migrate', 'status'])).stdout) as { migrations: { name: string; state: string }[] };
    expect(listed).toEqual(status.migrations.map((m) => `${m.state} ${m.name}`));
    expect(listed).toHaveLength(CONTRACT_MIGRATIONS.length);
  });

  it('writes a correctly numbered migration and refuses unsafe names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'todo-db-make-'));
    try {
      cpSync(PACKAGE_MIGRATIONS_DIR, dir, { recursive: true });
      const made = await runCli(['--migrations-dir', dir, 'migrate', 'make', 'add due date']);
      expect(made.code, made.stderr).toBe(0);
      expect(existsSync(join(dir, '0007_add_due_date.js'))).toBe(true);
      for (const name of ['../evil', 'a/b', '', '   ', 'add.due', 'add_due_date']) {
        const result = await runCli(['--migrations-dir', dir, 'migrate', 'make', name]);
        expect(result.code, JSON.stringify(name)).toBe(2);
        expectOneErrorLine(result.stderr);
      }
      expect(readdirSync(dir).filter((f) => f.startsWith('0007'))).toEqual(['0007_add_due_date.js']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the embedded default', () => {
  it('creates ./.todo-db/pglite with no server and no environment, or TODO_DB_DATA_DIR', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'todo-db-cwd-'));
    try {
      const up = await runCli(['migrate', 'up'], { cwd });
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/pglite:\.\/\.todo-db\/pglite/);
      expect(existsSync(join(cwd, '.todo-db', 'pglite', 'PG_VERSION'))).toBe(true);
      const status = await runCli(['migrate', 'status'], { cwd });
      expect(status.stdout).toMatch(/6 migrations applied, none pending/);
      const elsewhere = await runCli(['migrate', 'status'], { cwd, env: { TODO_DB_DATA_DIR: join(cwd, 'other') } });
      expect(elsewhere.stdout).toMatch(/6 pending/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
