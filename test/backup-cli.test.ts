import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, openDatabase } from '../src/index.js';
import { SERVER_BACKENDS, provision, type TestBackend } from './support/backends.js';
import { runCli } from './support/cli.js';
import { withRoleLock } from './support/role-lock.js';

/** PGlite runs pg_dump and a second database in WebAssembly: slow on a busy two-core machine. */
const SLOW = 240_000;

/** A migrated database with two users and three tasks, closed again so the CLI can open it. */
async function sourceWithData(backend: (typeof SERVER_BACKENDS)[number]): Promise<TestBackend> {
  const source = await provision(backend, 'backup_cli');
  const handle = await openDatabase({ url: source.url });
  try {
    await migrateUp(handle);
    const users = await handle.db
      .insertInto('users')
      .values([{ email: 'cli-a@backup.test' }, { email: 'cli-b@backup.test' }])
      .returning('id')
      .execute();
    await handle.db
      .insertInto('tasks')
      .values([
        { user_id: users[0]!.id, title: 'one' },
        { user_id: users[0]!.id, title: 'two', completed: true },
        { user_id: users[1]!.id, title: 'three' },
      ])
      .execute();
  } finally {
    await handle.close();
  }
  return source;
}

describe.each(SERVER_BACKENDS)('todo-db backup and restore (the binary) on %s', (backend) => {
  let source: TestBackend;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'todo-db-backup-cli-'));
    source = await sourceWithData(backend);
  });
  afterAll(async () => {
    await source?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it(
    'backup --verify --json writes a timestamped file and reports the proof',
    async () => {
      const run = await withRoleLock('shared', () => runCli(['--url', source.url, 'backup', '--verify', '--json'], { cwd: work }));
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout);
      expect(doc.ok).toBe(true);
      expect(doc.file).toMatch(/\/todo-db-[\w.-]+-\d{8}-\d{6}\.(dump|sql)$/);
      expect(existsSync(doc.file)).toBe(true);
      expect(doc.tables.map((t: { table: string; rows: number }) => [t.table, t.rows])).toEqual([
        ['users', 2],
        ['accounts', 0],
        ['sessions', 0],
        ['tasks', 3],
        ['tasks_archive', 0],
        ['verifications', 0],
      ]);
      expect(doc.verification).toMatchObject({ ok: true, schema: { ok: true } });
    },
    SLOW,
  );

  it(
    'restore refuses a non-empty database with exit 2, and --clean needs --yes off a terminal',
    async () => {
      const file = readdirSync(work).find((f) => f.startsWith('todo-db-'))!;
      const unnamed = await runCli(['restore', file], { cwd: work, env: { DATABASE_URL: source.url } });
      expect(unnamed.code).toBe(2);
      expect(unnamed.stderr).toMatch(/^todo-db: restore needs the target named with --url/);
      const refused = await runCli(['--url', source.url, 'restore', file], { cwd: work });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^todo-db: .* is not empty: 9 tables in the current schema .*nothing was changed \(restore into an empty database, or pass --clean --yes/);
      const unconfirmed = await runCli(['--url', source.url, 'restore', file, '--clean'], { cwd: work });
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toMatch(/restore --clean needs confirmation.*pass --yes/);
    },
    SLOW,
  );

  it(
    'restore into an empty database prints what came back and that the schema checks out',
    async () => {
      const file = readdirSync(work).find((f) => f.startsWith('todo-db-'))!;
      const target = await provision(backend, 'restore_cli');
      try {
        const run = await withRoleLock('shared', () => runCli(['--url', target.url, 'restore', file], { cwd: work }));
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/✓ users +2 rows/);
        expect(run.stdout).toMatch(/✓ tasks +3 rows/);
        expect(run.stdout).toMatch(/✓ schema +matches contract v\d+\.\d+\.\d+ · 6 migrations applied/);
        expect(run.stdout).toMatch(/the schema checks out\.\n$/);
      } finally {
        await target.cleanup();
      }
    },
    SLOW,
  );
});

describe('todo-db backup without a usable pg_dump', () => {
  let source: TestBackend;
  let bin: string;
  beforeAll(async () => {
    source = await sourceWithData('postgres');
    bin = mkdtempSync(join(tmpdir(), 'todo-db-fake-bin-'));
  });
  afterAll(async () => {
    await source?.cleanup();
    rmSync(bin, { recursive: true, force: true });
  });

  it(
    'names the package to install when the client is missing (exit 2, no file)',
    async () => {
      const run = await runCli(['--url', source.url, 'backup'], { cwd: bin, env: { PATH: bin } });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        'todo-db: pg_dump is not installed (it comes with the PostgreSQL client tools) (install them: apt-get install postgresql-client (Debian/Ubuntu), or put pg_dump on PATH)\n',
      );
      expect(readdirSync(bin)).toEqual([]);
    },
    SLOW,
  );

  it('says so when the server is newer than the local pg_dump', async () => {
    const fake = join(bin, 'pg_dump');
    writeFileSync(fake, '#!/bin/sh\necho "pg_dump (PostgreSQL) 12.22"\n');
    chmodSync(fake, 0o755);
    const run = await runCli(['--url', source.url, 'backup'], { cwd: bin, env: { PATH: bin } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^todo-db: the server runs PostgreSQL 15 but the local pg_dump is version 12, which cannot dump a newer server \(install postgresql-client-15/);
    expect(readdirSync(bin)).toEqual(['pg_dump']);
  });
});
