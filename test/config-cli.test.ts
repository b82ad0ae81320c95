import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

/** The resolver as the binary uses it: no database server (PGlite in memory at most). */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'todo-db-config-cli-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function oneErrorLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^todo-db: /);
  return lines[0]!;
}

describe('todo-db settings on the command line', () => {
  it.each([
    { name: 'DATABASE_URL set but empty', env: { DATABASE_URL: '' }, message: /DATABASE_URL is set but empty/ },
    { name: 'DATABASE_URL of spaces', env: { DATABASE_URL: '   ' }, message: /DATABASE_URL is set but empty/ },
    { name: 'PGPORT=abc', env: { PGHOST: '127.0.0.1', PGPORT: 'abc' }, message: /PGPORT is "abc", not a port/ },
    { name: "a timeout past Node's timer limit", args: ['--lock-timeout', '9999999999'], message: /--lock-timeout .* more than the limit/ },
    { name: 'an empty TODO_DB_MIGRATIONS_DIR', env: { TODO_DB_MIGRATIONS_DIR: '' }, message: /TODO_DB_MIGRATIONS_DIR is empty/ },
    { name: 'an undecodable password', args: ['--url', 'postgres://u:p%zz@127.0.0.1/db'], message: /percent-escape that does not decode: postgres:\/\/u:\*\*\*\*@/ },
  ])('$name: exit 2, one line, nothing connected', async ({ env, args, message }) => {
    const result = await runCli([...(args ?? []), 'migrate', 'status'], { cwd: project({}), ...(env ? { env } : {}) });
    expect(result.code).toBe(2);
    expect(oneErrorLine(result.stderr)).toMatch(message);
    expect(result.stderr).not.toContain('p%zz');
  });

  it('names every problem at once, also in --json', async () => {
    const cwd = project({ 'todo-db.config.json': '{ "lockTimeot": 5 }' });
    const result = await runCli(['--json', '--connect-timeout', 'soon', 'migrate', 'status'], { cwd, env: { PGHOST: 'h', PGPORT: '0' } });
    expect(result.code).toBe(2);
    const line = oneErrorLine(result.stderr);
    expect(line).toMatch(/^todo-db: 3 configuration problems: /);
    for (const part of [/unknown key "lockTimeot" in todo-db.config.json/, /--connect-timeout is "soon"/, /PGPORT is "0"/]) expect(line).toMatch(part);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false });
  });

  it('--help and --version read no settings, however broken', async () => {
    const cwd = project({ 'todo-db.config.json': '{ broken', '.env': 'DATABASE_URL=\n' });
    for (const args of [['--version'], ['--help'], ['migrate', '--help']]) {
      const result = await runCli(args, { cwd });
      expect(result.code, args.join(' ')).toBe(0);
    }
  });

  it('reads .env, and .env.NAME with --env NAME; the header says where the URL came from; the environment wins', async () => {
    const cwd = project({ '.env': 'DATABASE_URL=pglite:memory\n', '.env.ci': 'DATABASE_URL=pgmem:\n' });
    const fromFile = await runCli(['migrate', 'status'], { cwd });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(/^todo-db · pglite:memory \(PostgreSQL [\d.]+, embedded, DATABASE_URL from \.env\)/);
    const named = await runCli(['--env', 'ci', 'migrate', 'status'], { cwd });
    expect(named.stdout).toMatch(/^todo-db · pgmem: .*DATABASE_URL from \.env\.ci/);
    const fromEnv = await runCli(['migrate', 'status'], { cwd, env: { DATABASE_URL: 'pgmem:' } });
    expect(fromEnv.stdout).toMatch(/^todo-db · pgmem: \(.*, DATABASE_URL\)/);
    const missing = await runCli(['--env', 'prod', 'migrate', 'status'], { cwd });
    expect(missing.code).toBe(2);
    expect(oneErrorLine(missing.stderr)).toMatch(/there is no \.env\.prod/);
  });
});
