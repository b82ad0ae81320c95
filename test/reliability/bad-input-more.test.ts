import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { adminQuery, createTestDatabase, urlFor, type TestDatabase } from '../support/postgres.js';

/**
 * The rest of issue 14's bad-input list: classes fixed on other branches (the
 * connection config in src/config and src/connection/target.ts, the CLI layer in
 * src/cli). They fail until those branches are merged; kept apart from the main
 * matrix (bad-input.test.ts) so that the merge shows them turning green.
 */

const PW = 'more-secret-7730';
const CASE_TIMEOUT_MS = 30_000;

interface Case {
  name: string;
  args: (url: string) => string[];
  env?: Record<string, string>;
  code: number;
  message: RegExp;
  /** with --json: stdout must be exactly one JSON document describing the failure */
  json?: boolean;
}

const pgUrl = (rest: string) => `postgres://u:${PW}@${rest}`;

const CASES: Case[] = [
  // Connection config (src/config, src/connection/target.ts).
  {
    name: 'percent-escape in the password that does not decode',
    args: () => ['--url', pgUrl('127.0.0.1/x').replace(PW, '%zz'), 'migrate', 'status'],
    code: 2,
    message: /malformed database URL|percent|escape/i,
  },
  {
    name: 'percent-escape in the database name that does not decode',
    args: () => ['--url', pgUrl('127.0.0.1/db%E0%A4'), 'migrate', 'status'],
    code: 2,
    message: /malformed database URL|percent|escape/i,
  },
  { name: 'port 0 in the URL', args: () => ['--url', pgUrl('127.0.0.1:0/x'), 'migrate', 'status'], code: 2, message: /port/i },
  { name: 'port above 65535 in the URL', args: () => ['--url', pgUrl('127.0.0.1:70000/x'), 'migrate', 'status'], code: 2, message: /port|malformed/i },
  { name: 'PGPORT=abc', args: () => ['migrate', 'status'], env: { PGHOST: '127.0.0.1', PGPORT: 'abc' }, code: 2, message: /PGPORT/ },
  { name: 'PGPORT=0', args: () => ['migrate', 'status'], env: { PGHOST: '127.0.0.1', PGPORT: '0' }, code: 2, message: /PGPORT/ },
  { name: 'PGPORT=99999', args: () => ['migrate', 'status'], env: { PGHOST: '127.0.0.1', PGPORT: '99999' }, code: 2, message: /PGPORT/ },
  { name: 'DATABASE_URL empty', args: () => ['migrate', 'status'], env: { DATABASE_URL: '' }, code: 2, message: /DATABASE_URL.*empty/ },
  { name: 'DATABASE_URL of spaces', args: () => ['migrate', 'up'], env: { DATABASE_URL: '   ' }, code: 2, message: /DATABASE_URL.*empty/ },
  { name: '--migrations-dir empty', args: (u) => ['--url', u, '--migrations-dir', '', 'migrate', 'up'], code: 2, message: /migrations-dir.*empty|empty.*migrations/i },
  { name: 'connect timeout above the timer limit', args: (u) => ['--url', u, '--connect-timeout', '9999999', 'migrate', 'status'], code: 2, message: /connect-timeout|at most/ },
  {
    name: 'statement timeout above the timer limit',
    args: (u) => ['--url', u, '--statement-timeout', '3000000', 'migrate', 'status'],
    code: 2,
    message: /statement-timeout|at most/,
  },
  {
    name: 'lock timeout above the timer limit, from the environment',
    args: (u) => ['--url', u, 'migrate', 'up'],
    env: { TODO_DB_LOCK_TIMEOUT: '1e12' },
    code: 2,
    message: /lock|at most/i,
  },
  // The CLI layer (src/cli).
  { name: 'monitor without a subcommand', args: () => ['monitor'], code: 2, message: /monitor/ },
  { name: 'rls without a subcommand', args: () => ['rls'], code: 2, message: /rls/ },
  { name: 'help for an unknown command', args: () => ['help', 'nosuch'], code: 2, message: /nosuch/ },
  { name: 'seed --sql with --users', args: () => ['seed', '--sql', '--users', '3'], code: 2, message: /--sql.*--users|--users.*--sql/ },
  { name: 'health --app-url that is not a URL', args: (u) => ['--url', u, 'health', '--app-url', 'garbage'], code: 2, message: /app-url|URL/ },
  { name: 'health --app-role empty', args: (u) => ['--url', u, 'health', '--app-role', ''], code: 2, message: /app-role/ },
  // --json: one JSON document on stdout on every error path.
  { name: '--json: unknown command', args: () => ['--json', 'migrat'], code: 2, message: /unknown command/, json: true },
  { name: '--json: missing subcommand', args: () => ['--json', 'monitor'], code: 2, message: /monitor/, json: true },
  { name: '--json: unknown option', args: () => ['--json', 'migrate', 'up', '--fast'], code: 2, message: /unknown option/, json: true },
  { name: '--json: unsupported scheme', args: () => ['--json', '--url', 'mysql://x@y/z', 'migrate', 'status'], code: 2, message: /unsupported database URL scheme/, json: true },
  { name: '--json: closed port', args: () => ['--json', '--url', pgUrl('127.0.0.1:1/x'), 'migrate', 'status'], code: 3, message: /connection refused/, json: true },
  {
    name: '--json: PGlite folder under /proc',
    args: () => ['--json', '--url', 'pglite:/proc/todo-db-test', 'migrate', 'up'],
    code: 2,
    message: /(is on|is under) \/proc/,
    json: true,
  },
  {
    name: '--json: archive cutoff out of range',
    args: (u) => ['--json', '--url', u, 'archive', '--completed-before', '999999y', '--dry-run'],
    code: 2,
    message: /out of range/,
    json: true,
  },
];

async function snapshot(database: string): Promise<string> {
  const rows = await adminQuery<{ s: string }>(
    `select concat_ws('|', (select string_agg(relname::text, ',' order by relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'),
       (select string_agg(name, ',' order by name) from kysely_migration), (select count(*) from users)) as s`,
    database,
  );
  return rows[0]?.s ?? '';
}

describe('classes fixed on other branches', () => {
  let db: TestDatabase;
  let url: string;
  // The working directory: a case that falls back to the embedded default (today's
  // empty DATABASE_URL) must not leave a folder in the package.
  let cwd: string;
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'todo-db-badmore-'));
    db = await createTestDatabase('badmore');
    url = urlFor(db.name).replace('postgres@', `postgres:${PW}@`);
    expect((await runCli(['--url', url, 'migrate', 'up', '--to', '0002_create_tasks'])).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it.each(CASES)(
    '$name',
    async (c) => {
      const before = await snapshot(db.name);
      const result = await runCli(c.args(url), { env: c.env ?? {}, cwd, timeoutMs: CASE_TIMEOUT_MS });
      expect(result.code, result.stderr).toBe(c.code);
      const lines = result.stderr.trim() === '' ? [] : result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^todo-db: .+ \(.+\)$/);
      expect(lines[0]).toMatch(c.message);
      expect(result.stderr).not.toMatch(/Warning|\n\s+at /);
      expect(result.stdout + result.stderr).not.toContain(PW);
      if (c.json) {
        const doc = JSON.parse(result.stdout) as { ok?: unknown; command?: unknown; durationMs?: unknown };
        expect(doc.ok).toBe(false);
        expect(typeof doc.command).toBe('string');
        expect(Number.isInteger(doc.durationMs)).toBe(true);
      } else {
        expect(result.stdout).not.toMatch(/Usage:/);
      }
      expect(await snapshot(db.name)).toBe(before);
    },
    CASE_TIMEOUT_MS + 10_000,
  );
});
