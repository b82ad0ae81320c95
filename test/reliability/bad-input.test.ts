import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthCluster, type AuthCluster } from '../support/auth-cluster.js';
import { BIN, runCli, type CliResult } from '../support/cli.js';
import { copyMigrations } from '../support/migrations-copy.js';
import { clonePglite, type TestDataDir } from '../support/pglite.js';
import { adminQuery, createTestDatabase, urlFor, type TestDatabase } from '../support/postgres.js';

/** The password of every URL in this file: it must never appear in any output. */
const PW = 'matrix-secret-5521';

interface Case {
  name: string;
  args: (ctx: Ctx) => string[];
  env?: (ctx: Ctx) => Record<string, string>;
  code: number;
  message: RegExp;
  /** runs the case itself (signals); default: runCli */
  run?: (ctx: Ctx, args: string[]) => Promise<CliResult>;
  /** the working directory (default: the package) */
  cwd?: (ctx: Ctx) => string;
  /** paths the case must not create */
  absent?: (ctx: Ctx) => string[];
}

/** Longest any case may run: a hang fails its case (the child is killed), never the run. */
const CASE_TIMEOUT_MS = 30_000;

interface Ctx {
  db: TestDatabase;
  url: string;
  auth: AuthCluster;
  hungPort: number;
  dirs: Record<'noUp' | 'ts' | 'badName' | 'sameNumber' | 'slow' | 'deleted', string>;
  /** a scratch folder with `a-file`, `foreign/` (someone's files), `a-fifo` and `a-folder/` */
  scratch: string;
  /** an embedded database with the v1 schema */
  pglite: TestDataDir;
}

const SLOW = `import { sql } from 'kysely';
export async function up(db) { await sql\`create table slow_marker (id int)\`.execute(db); await sql\`select pg_sleep(3)\`.execute(db); }
export async function down(db) { await sql\`drop table slow_marker\`.execute(db); }
`;

/** Sends Ctrl-C once the slow step is running. */
async function interruptDuringSlowStep(ctx: Ctx, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let sent = false;
    const timer = setInterval(async () => {
      if (sent) return;
      const rows = await adminQuery<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query like '%pg_sleep(3)%' and query not like '%pg_stat_activity%'`,
        ctx.db.name,
      );
      if (rows[0]?.n && !sent) {
        sent = true;
        clearInterval(timer);
        child.kill('SIGINT');
      }
    }, 50);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const CASES: Case[] = [
  { name: 'malformed URL (port)', args: () => ['--url', `postgres://u:${PW}@host:notaport/x`, 'migrate', 'status'], code: 2, message: /malformed database URL/ },
  { name: 'malformed URL (path)', args: () => ['--url', `postgres://u:${PW}@localhost/a/b`, 'migrate', 'status'], code: 2, message: /malformed database URL/ },
  { name: 'unknown scheme', args: () => ['--url', `mysql://u:${PW}@localhost/x`, 'migrate', 'status'], code: 2, message: /unsupported database URL scheme "mysql:"/ },
  { name: 'no scheme at all', args: () => ['--url', 'just-a-name', 'migrate', 'status'], code: 2, message: /unsupported database URL scheme none/ },
  { name: 'unknown sslmode', args: (c) => ['--url', `${c.url}?sslmode=sometimes`, 'migrate', 'status'], code: 2, message: /unknown sslmode "sometimes"/ },
  {
    name: 'malformed DATABASE_URL',
    args: () => ['migrate', 'status'],
    env: () => ({ DATABASE_URL: `postgres://u:${PW}@h:99999999/x` }),
    code: 2,
    message: /malformed database URL in DATABASE_URL/,
  },
  {
    name: 'unreachable host',
    args: () => ['--url', `postgres://u:${PW}@no-such-host.invalid/x`, 'migrate', 'status'],
    code: 3,
    message: /cannot resolve host "no-such-host.invalid"/,
  },
  { name: 'closed port', args: () => ['--url', `postgres://u:${PW}@127.0.0.1:1/x`, 'migrate', 'status'], code: 3, message: /cannot connect to 127.0.0.1:1 \(connection refused\)/ },
  {
    name: 'closed port through PG* variables',
    args: () => ['migrate', 'status'],
    env: () => ({ PGHOST: '127.0.0.1', PGPORT: '1', PGPASSWORD: PW }),
    code: 3,
    message: /connection refused/,
  },
  { name: 'wrong password', args: (c) => ['--url', c.auth.url(PW), 'migrate', 'status'], code: 3, message: /password authentication failed for user "postgres"/ },
  {
    name: 'wrong password through PGPASSWORD',
    args: () => ['migrate', 'status'],
    env: (c) => ({ PGHOST: '127.0.0.1', PGPORT: String(c.auth.port), PGUSER: 'postgres', PGDATABASE: 'postgres', PGPASSWORD: PW }),
    code: 3,
    message: /password authentication failed/,
  },
  {
    name: 'missing database',
    args: () => ['--url', urlFor('tododb_missing_db').replace('postgres@', `postgres:${PW}@`), 'migrate', 'status'],
    code: 3,
    message: /database "tododb_missing_db" does not exist/,
  },
  { name: 'TLS required but refused', args: (c) => ['--url', `${c.url}?sslmode=require`, 'migrate', 'status'], code: 3, message: /does not accept TLS/ },
  {
    name: 'TLS certificate not trusted',
    args: (c) => ['--url', c.auth.url(c.auth.password, '?sslmode=verify-full'), 'migrate', 'status'],
    code: 3,
    message: /TLS certificate of 127.0.0.1:\d+ is not trusted/,
  },
  {
    name: 'hung server',
    args: (c) => ['--url', `postgres://u:${PW}@127.0.0.1:${c.hungPort}/x`, '--connect-timeout', '1', 'migrate', 'status'],
    code: 3,
    message: /timed out connecting to 127.0.0.1/,
  },
  { name: 'unknown command', args: () => ['migrat'], code: 2, message: /unknown command 'migrat'/ },
  { name: 'unknown subcommand', args: () => ['migrate', 'sideways'], code: 2, message: /unknown command 'sideways'/ },
  { name: 'unknown option', args: () => ['migrate', 'up', '--fast'], code: 2, message: /unknown option '--fast'/ },
  { name: 'missing argument', args: () => ['migrate', 'make'], code: 2, message: /missing required argument 'name'/ },
  { name: 'non-numeric timeout', args: (c) => ['--url', c.url, '--connect-timeout', 'soon', 'migrate', 'status'], code: 2, message: /positive number of seconds/ },
  { name: 'negative timeout', args: (c) => ['--url', c.url, '--lock-timeout', '-5', 'migrate', 'status'], code: 2, message: /positive number of seconds/ },
  { name: 'unknown migration for --to', args: (c) => ['--url', c.url, 'migrate', 'up', '--to', '0009_nope'], code: 2, message: /unknown migration "0009_nope"/ },
  { name: '--to pointing backwards', args: (c) => ['--url', c.url, 'migrate', 'up', '--to', '0001_create_users'], code: 2, message: /0001_create_users is already applied/ },
  {
    name: 'down --to a pending migration',
    args: (c) => ['--url', c.url, 'migrate', 'down', '--to', '0004_row_level_security', '--yes'],
    code: 2,
    message: /0004_row_level_security is not applied/,
  },
  {
    name: 'down --to with --all',
    args: (c) => ['--url', c.url, 'migrate', 'down', '--to', '0001_create_users', '--all', '--yes'],
    code: 2,
    message: /--to and --all exclude each other/,
  },
  { name: 'down without --yes and no terminal', args: (c) => ['--url', c.url, 'migrate', 'down'], code: 2, message: /needs confirmation.*--yes/ },
  { name: 'make with a path separator', args: () => ['migrate', 'make', '../evil'], code: 2, message: /not a safe migration name/ },
  { name: 'make with a slash', args: () => ['migrate', 'make', 'a/b'], code: 2, message: /not a safe migration name/ },
  { name: 'make with an empty name', args: () => ['migrate', 'make', '  '], code: 2, message: /migration name is empty/ },
  { name: 'make with an existing name', args: () => ['migrate', 'make', 'create_users'], code: 2, message: /already exists/ },
  {
    name: 'migrations folder that does not exist',
    args: (c) => ['--url', c.url, '--migrations-dir', '/nonexistent/migrations', 'migrate', 'up'],
    code: 2,
    message: /migrations folder \/nonexistent\/migrations does not exist/,
  },
  {
    name: 'a migration without up',
    args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.noUp, 'migrate', 'up'],
    code: 2,
    message: /0007_no_up does not export an up function/,
  },
  { name: 'a TypeScript migration', args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.ts, 'migrate', 'up'], code: 2, message: /0007_typed.ts is TypeScript/ },
  {
    name: 'a badly named migration',
    args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.badName, 'migrate', 'up'],
    code: 2,
    message: /add-thing.js is not named NNNN_description.js/,
  },
  { name: 'two migrations with one number', args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.sameNumber, 'migrate', 'up'], code: 2, message: /share the number 0002/ },
  {
    name: 'an applied migration whose file was deleted',
    args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.deleted, 'migrate', 'up'],
    code: 1,
    message: /0002_create_tasks is recorded as applied but its file is missing/,
  },
  { name: 'status with a deleted file', args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.deleted, 'migrate', 'status'], code: 1, message: /^$/ },
  { name: 'dry run on pg-mem', args: () => ['--url', 'pgmem:', 'migrate', 'up', '--dry-run'], code: 2, message: /--dry-run needs DDL that can be rolled back/ },
  {
    name: 'Neon pooled URL for migrations',
    args: () => ['--url', `postgres://u:${PW}@ep-x-123-pooler.eu-central-1.aws.neon.tech/neondb?sslmode=require`, 'migrate', 'up'],
    code: 2,
    message: /transaction pooler.*DATABASE_URL_UNPOOLED/,
  },
  {
    name: 'statement timeout',
    args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.slow, '--statement-timeout', '0.5', 'migrate', 'up'],
    code: 1,
    message: /0003_updated_at_triggers|slow|statement timeout/,
  },
  // The embedded database's folder, checked before PGlite (or a recursive mkdir) touches it.
  {
    name: 'PGlite folder whose parent is a file',
    args: (c) => ['--url', `pglite:${c.scratch}/a-file/db`, 'migrate', 'status'],
    code: 2,
    message: /embedded database folder .*\/a-file\/db (\(from --url\) )?cannot be created: .*\/a-file is a file/,
    absent: (c) => [`${c.scratch}/a-file.lock`],
  },
  {
    name: 'PGlite folder that is a file',
    args: (c) => ['--url', `pglite:${c.scratch}/a-file`, 'migrate', 'up'],
    code: 2,
    message: /embedded database folder .*\/a-file (is a file, not a folder|\(from --url\) cannot be created: .*\/a-file is a file)/,
    absent: (c) => [`${c.scratch}/a-file.lock`],
  },
  {
    name: 'PGlite folder under /sys',
    args: () => ['--url', 'pglite:/sys/todo-db-test/db', 'migrate', 'up'],
    code: 2,
    message: /embedded database folder \/sys\/todo-db-test\/db (is on \/sys, which cannot hold data|\(from --url\) is under \/sys, a system folder)/,
  },
  {
    name: 'PGlite folder under /proc (recursive mkdir spun there)',
    args: () => ['--url', 'pglite:/proc/todo-db-test/db', 'migrate', 'up'],
    code: 2,
    message: /embedded database folder \/proc\/todo-db-test\/db .*(is on|is under) \/proc/,
  },
  {
    name: 'TODO_DB_DATA_DIR under /proc',
    args: () => ['migrate', 'status'],
    env: () => ({ TODO_DB_DATA_DIR: '/proc/todo-db-test' }),
    code: 2,
    message: /embedded database folder \/proc\/todo-db-test .*(is on|is under) \/proc/,
  },
  {
    name: 'the embedded default from a working directory in /proc',
    args: () => ['migrate', 'up'],
    cwd: () => '/proc',
    code: 2,
    message: /embedded database folder \/proc\/\.todo-db\/pglite .*(is on|is under) \/proc/,
  },
  {
    name: 'PGlite folder under /dev',
    args: () => ['--url', 'pglite:/dev/todo-db-test', 'migrate', 'up'],
    code: 2,
    message: /(is on|is under) \/dev/,
    absent: () => ['/dev/todo-db-test', '/dev/todo-db-test.lock'],
  },
  {
    name: "PGlite folder holding someone else's files",
    args: (c) => ['--url', `pglite:${c.scratch}/foreign`, 'migrate', 'up'],
    code: 2,
    message: /foreign is not an embedded database \(no PG_VERSION\) and not empty/,
    absent: (c) => [`${c.scratch}/foreign/PG_VERSION`, `${c.scratch}/foreign.lock`],
  },
  // Paths that are the wrong kind of thing: usage (2), not "lost the database connection" (3).
  {
    name: 'migrations folder that is a file',
    args: (c) => ['--url', c.url, '--migrations-dir', `${c.scratch}/a-file`, 'migrate', 'up'],
    code: 2,
    message: /(the migrations folder|--migrations-dir is) .*\/a-file,? (is|which is) a file, not a folder/,
  },
  {
    name: 'migrations folder that is a file (status)',
    args: (c) => ['--url', c.url, '--migrations-dir', `${c.scratch}/a-file`, 'migrate', 'status'],
    code: 2,
    message: /(the migrations folder|--migrations-dir is) .*\/a-file,? (is|which is) a file/,
  },
  {
    name: 'migrations folder that is a file, on PGlite',
    args: (c) => ['--url', c.pglite.url, '--migrations-dir', `${c.scratch}/a-file`, 'migrate', 'up'],
    code: 2,
    message: /(the migrations folder|--migrations-dir is) .*\/a-file,? (is|which is) a file/,
  },
  {
    name: 'restore of a folder',
    args: (c) => ['--url', c.url, 'restore', `${c.scratch}/a-folder`],
    code: 2,
    message: /cannot restore .*\/a-folder: it is a folder, not a backup file/,
  },
  { name: 'restore of a folder into PGlite', args: (c) => ['--url', c.pglite.url, 'restore', `${c.scratch}/a-folder`], code: 2, message: /it is a folder, not a backup file/ },
  {
    name: 'restore of a named pipe (would block)',
    args: (c) => ['--url', c.url, 'restore', `${c.scratch}/a-fifo`],
    code: 2,
    message: /cannot restore .*\/a-fifo: it is a pipe, socket or device/,
  },
  { name: 'restore of a device', args: (c) => ['--url', c.url, 'restore', '/dev/zero'], code: 2, message: /cannot restore \/dev\/zero: it is a pipe, socket or device/ },
  // A password-protected (scram) server and no password: the line, then the process ends.
  {
    name: 'scram server, no password in the URL',
    args: (c) => ['--url', `postgres://postgres@127.0.0.1:${c.auth.port}/postgres`, 'migrate', 'status'],
    code: 3,
    message: /127\.0\.0\.1:\d+ asks for a password for user "postgres", and none was given \(add :password/,
  },
  {
    name: 'scram server, no PGPASSWORD',
    args: () => ['health'],
    env: (c) => ({ PGHOST: '127.0.0.1', PGPORT: String(c.auth.port), PGUSER: 'postgres', PGDATABASE: 'postgres' }),
    code: 3,
    message: /asks for a password for user "postgres"/,
  },
  {
    name: 'scram server, empty password',
    args: (c) => ['--url', `postgres://postgres:@127.0.0.1:${c.auth.port}/postgres`, 'migrate', 'status'],
    code: 3,
    message: /asks for a password|password authentication failed/,
  },
  // Archive cutoffs outside what a timestamp can hold, refused before connecting.
  {
    name: 'archive cutoff a million years back',
    args: (c) => ['--url', c.url, 'archive', '--completed-before', '999999y', '--dry-run'],
    code: 2,
    message: /--completed-before 999999y is out of range: it reaches back more than 1000 years/,
  },
  {
    name: 'archive cutoff in months past the range',
    args: (c) => ['--url', c.url, 'archive', '--completed-before', '12001mo', '--yes'],
    code: 2,
    message: /12001mo is out of range/,
  },
  {
    name: 'archive cutoff in the year 0',
    args: (c) => ['--url', c.url, 'archive', '--completed-before', '0000-06-01', '--yes'],
    code: 2,
    message: /0000-06-01 is out of range: it is before 0001-01-01/,
  },
  {
    name: 'archive cutoff out of range, on PGlite',
    args: (c) => ['--url', c.pglite.url, 'archive', '--completed-before', '999999w', '--dry-run'],
    code: 2,
    message: /999999w is out of range/,
  },
  // Others found by trying.
  { name: 'down --to an unknown migration', args: (c) => ['--url', c.url, 'migrate', 'down', '--to', 'nosuch', '--yes'], code: 2, message: /unknown migration "nosuch"/ },
  { name: 'unknown migration for --to, on PGlite', args: (c) => ['--url', c.pglite.url, 'migrate', 'up', '--to', '0009_nope'], code: 2, message: /unknown migration "0009_nope"/ },
  {
    name: 'archive batch size zero',
    args: (c) => ['--url', c.url, 'archive', '--completed-before', '90d', '--batch-size', '0', '--yes'],
    code: 2,
    message: /--batch-size expects a whole number from 1 to 100000/,
  },
  { name: 'seed with zero users', args: (c) => ['--url', c.url, 'seed', '--users', '0'], code: 2, message: /--users must be a positive integer/ },
  { name: 'seed with users in exponent notation', args: (c) => ['--url', c.url, 'seed', '--users', '1e3'], code: 2, message: /--users must be a positive integer/ },
  { name: 'a zero statement timeout', args: (c) => ['--url', c.url, '--statement-timeout', '0', 'migrate', 'status'], code: 2, message: /positive number of seconds/ },
  {
    name: 'Ctrl-C during a migration',
    args: (c) => ['--url', c.url, '--migrations-dir', c.dirs.slow, 'migrate', 'up'],
    code: 130,
    message: /interrupted; the step in progress was rolled back/,
    run: interruptDuringSlowStep,
  },
];

/** Everything a command could change: tables, indexes, policies, bookkeeping, rows. */
async function snapshot(database: string): Promise<string> {
  const rows = await adminQuery<{ s: string }>(
    `select concat_ws('|',
       (select string_agg(relname::text || ':' || relkind::text, ',' order by relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'),
       (select string_agg(policyname, ',' order by policyname) from pg_policies),
       (select string_agg(name, ',' order by name) from kysely_migration),
       (select count(*) from users), (select count(*) from tasks)) as s`,
    database,
  );
  return rows[0]?.s ?? '';
}

describe('bad input: one line, the documented exit code, no password, nothing changed', () => {
  const ctx = {} as Ctx;
  let hung: Server;
  const cleanups: Array<() => void> = [];
  beforeAll(async () => {
    ctx.db = await createTestDatabase('badinput');
    ctx.url = urlFor(ctx.db.name).replace('postgres@', `postgres:${PW}@`);
    expect((await runCli(['--url', ctx.url, 'migrate', 'up', '--to', '0002_create_tasks'])).code).toBe(0);
    await adminQuery(`insert into users (id, email) values ('00000000-0000-4000-8000-00000000000a', 'keep@example.org')`, ctx.db.name);
    // 55450-55459: the ports this suite may use for a private cluster.
    ctx.auth = startAuthCluster(55_450);
    cleanups.push(() => ctx.auth.stop());
    hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    ctx.hungPort = (hung.address() as { port: number }).port;
    const make = (files: Record<string, string>) => {
      const copy = copyMigrations(files);
      cleanups.push(copy.remove);
      return copy.dir;
    };
    ctx.dirs = {
      noUp: make({ '0007_no_up.js': 'export const nothing = 1;\n' }),
      ts: make({ '0007_typed.ts': 'export async function up() {}\n' }),
      badName: make({ 'add-thing.js': 'export async function up() {}\n' }),
      sameNumber: make({ '0002_also_two.js': 'export async function up() {}\n' }),
      slow: make({ '0003_updated_at_triggers.js': SLOW }),
      deleted: make({}),
    };
    rmSync(join(ctx.dirs.deleted, '0002_create_tasks.js'));
    ctx.scratch = mkdtempSync(join(tmpdir(), 'todo-db-badinput-'));
    cleanups.push(() => rmSync(ctx.scratch, { recursive: true, force: true }));
    writeFileSync(join(ctx.scratch, 'a-file'), 'not a folder\n');
    mkdirSync(join(ctx.scratch, 'foreign'));
    writeFileSync(join(ctx.scratch, 'foreign', 'notes.txt'), 'my own files\n');
    mkdirSync(join(ctx.scratch, 'a-folder'));
    execFileSync('mkfifo', [join(ctx.scratch, 'a-fifo')]);
    ctx.pglite = clonePglite();
    cleanups.push(() => ctx.pglite.remove());
    expect((await runCli(['--url', ctx.pglite.url, 'migrate', 'up'])).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    hung?.close();
    for (const cleanup of cleanups.reverse()) cleanup();
    await ctx.db?.drop();
  });

  it(`has at least 65 cases`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(65);
  });

  it.each(CASES)(
    '$name',
    async (c) => {
      const before = await snapshot(ctx.db.name);
      const pgliteBefore = readdirSync(ctx.pglite.dir).sort();
      const args = c.args(ctx);
      const cwd = c.cwd?.(ctx) ?? join(BIN, '..', '..');
      const result = c.run ? await c.run(ctx, args) : await runCli(args, { env: c.env?.(ctx) ?? {}, cwd, timeoutMs: CASE_TIMEOUT_MS });
      expect(result.code, result.stderr).toBe(c.code);
      const lines = result.stderr.trim() === '' ? [] : result.stderr.trim().split('\n');
      if (c.code === 1 && c.message.source === '^$') {
        expect(lines).toEqual([]);
      } else {
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(/^todo-db: /);
        expect(lines[0]).toMatch(c.message);
      }
      expect(result.stderr).not.toMatch(/\n\s+at /);
      for (const text of [result.stdout, result.stderr]) {
        expect(text).not.toContain(PW);
        expect(text).not.toContain(ctx.auth.password);
      }
      expect(await snapshot(ctx.db.name)).toBe(before);
      expect(readdirSync(ctx.pglite.dir).sort()).toEqual(pgliteBefore);
      for (const path of c.absent?.(ctx) ?? []) expect(existsSync(path), path).toBe(false);
      expect(readdirSync(join(ctx.scratch, 'foreign'))).toEqual(['notes.txt']);
    },
    CASE_TIMEOUT_MS + 10_000,
  );

  it('names who holds the migration lock when the bounded wait runs out', async () => {
    const holder = new pg.Client({ connectionString: ctx.db.url, application_name: 'other-runner' });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock(3853314791062309107)');
      const result = await runCli(['--url', ctx.url, '--lock-timeout', '1', 'migrate', 'up']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(
        /^todo-db: another migration run \(pid \d+, other-runner\) holds the migration lock; gave up after 1 s \(wait for it to finish, or raise --lock-timeout\)$/,
      );
    } finally {
      await holder.end();
    }
  });
});
