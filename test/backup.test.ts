import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, backupDatabase, defaultBackupName, detectFormat, migrateUp, openDatabase, restoreDatabase, toolInvocation, type TodoDatabase } from '../src/index.js';
import { SERVER_BACKENDS, openFresh, provision } from './support/backends.js';
import { roleBlocks } from '../src/backup/contract-roles.js';
import { adminQuery } from './support/postgres.js';
import { withRoleLock } from './support/role-lock.js';

/** PGlite runs pg_dump and a second database in WebAssembly: slow on a busy two-core machine. */
const SLOW = 240_000;

/** md5 of every row of the contract's tables in id order: equal checksums mean identical rows. */
async function checksums(handle: TodoDatabase): Promise<Record<string, { n: number; md5: string }>> {
  return handle.db.transaction().execute(async (trx) => {
    await sql`set local timezone = 'UTC'`.execute(trx);
    const out: Record<string, { n: number; md5: string }> = {};
    for (const table of ['users', 'tasks', 'tasks_archive', 'accounts', 'sessions', 'verifications']) {
      const { rows } = await sql<{ n: number; md5: string }>`
        select count(*)::int as n, md5(coalesce(string_agg(t::text, ',' order by id), '')) as md5 from ${sql.table(table)} t`.execute(trx);
      out[table] = rows[0]!;
    }
    return out;
  });
}

async function addData(handle: TodoDatabase): Promise<void> {
  const users = await handle.db
    .insertInto('users')
    .values([
      { email: 'ada@backup.test', name: 'Ada', email_verified: true },
      { email: 'bo@backup.test', name: null, image: 'https://img.test/bo.png' },
      { email: 'zoë@backup.test', name: "Zoë «quoted», with 'apostrophes'" },
    ])
    .returning('id')
    .execute();
  await handle.db
    .insertInto('tasks')
    .values(
      users.flatMap((u, i) =>
        Array.from({ length: i + 2 }, (_, j) => ({
          user_id: u.id,
          title: `task ${i}.${j}${j === 1 ? ' — with a\nnewline' : ''}`,
          description: j % 2 ? null : `details ${j}`,
          completed: j % 3 === 0,
        })),
      ),
    )
    .execute();
  // Two archived tasks, so the archive table's rows are carried over too.
  await handle.db
    .insertInto('tasks_archive')
    .values(
      users
        .slice(0, 2)
        .map((u, i) => ({ id: randomUUID(), user_id: u.id, title: `archived ${i}`, completed: true, created_at: '2025-01-02T03:04:05Z', updated_at: '2025-02-03T04:05:06Z' })),
    )
    .execute();
}

describe('the roles a restore creates', () => {
  it('are the role blocks of sql/rls.sql and sql/rls-auth.sql, run as they are there', () => {
    const [app, auth] = roleBlocks();
    expect(app).toMatch(/^DO \$\$[\s\S]*CREATE ROLE todo_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;[\s\S]*END \$\$;$/);
    expect(auth).toMatch(/^DO \$\$[\s\S]*CREATE ROLE todo_auth NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;[\s\S]*END \$\$;$/);
    expect(readFileSync(new URL('../sql/rls.sql', import.meta.url), 'utf8')).toContain(app);
    expect(readFileSync(new URL('../sql/rls-auth.sql', import.meta.url), 'utf8')).toContain(auth);
  });
});

describe('backup file names', () => {
  it('are timestamped in UTC and carry the format', () => {
    const at = new Date('2026-11-24T01:02:03.456Z');
    expect(defaultBackupName('todo', 'custom', at)).toBe('todo-db-todo-20261124-010203.dump');
    expect(defaultBackupName('my db/x', 'sql', at)).toBe('todo-db-my_db_x-20261124-010203.sql');
  });
});

describe.each(SERVER_BACKENDS)('backup and restore on %s', (backend) => {
  let source: Awaited<ReturnType<typeof openFresh>>;
  let work: string;
  let expected: Awaited<ReturnType<typeof checksums>>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'todo-db-backup-test-'));
    source = await openFresh(backend, 'backup');
    await migrateUp(source.handle);
    await addData(source.handle);
    expected = await checksums(source.handle);
    expect(expected.users!.n).toBe(3);
    expect(expected.tasks!.n).toBe(9);
    expect(expected.tasks_archive!.n).toBe(2);
  });
  afterAll(async () => {
    await source?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it(
    'backs up, then restores into a new database with identical rows and a schema that checks out',
    async () => {
      const backup = await backupDatabase(source.handle, { cwd: work });
      expect(basename(backup.file)).toMatch(new RegExp(`^todo-db-.+-\\d{8}-\\d{6}\\.${backend === 'postgres' ? 'dump' : 'sql'}$`));
      expect(detectFormat(backup.file)).toBe(backend === 'postgres' ? 'custom' : 'sql');
      expect(backup.bytes).toBeGreaterThan(0);
      expect(existsSync(`${backup.file}.partial`)).toBe(false);
      expect(backup.tables.map((t) => [t.table, t.rows])).toEqual([
        ['users', 3],
        ['accounts', 0],
        ['sessions', 0],
        ['tasks', 9],
        ['tasks_archive', 2],
        ['verifications', 0],
      ]);

      const target = await provision(backend, 'restore');
      try {
        const handle = await openDatabase({ url: target.url });
        try {
          const restored = await withRoleLock('shared', () => restoreDatabase(handle, backup.file));
          expect(restored.replaced).toEqual([]);
          expect(restored.schema.findings).toEqual([]);
          expect(restored.schema.ok).toBe(true);
          expect(restored.schema.migrations).toMatchObject({ applied: 6, pending: 0, edited: 0 });
          expect(await checksums(handle)).toEqual(expected);
          expect(restored.tables).toEqual(backup.tables);
        } finally {
          await handle.close();
        }
      } finally {
        await target.cleanup();
      }
    },
    SLOW,
  );

  it(
    'backup --verify restores into a scratch database, compares rows, and drops it',
    async () => {
      const backup = await withRoleLock('shared', () => backupDatabase(source.handle, { cwd: work, out: 'verified.backup', verify: true }));
      const proof = backup.verification!;
      expect(proof.schema.findings).toEqual([]);
      expect(proof.tables).toEqual([
        { table: 'users', source: 3, restored: 3, ok: true },
        { table: 'accounts', source: 0, restored: 0, ok: true },
        { table: 'sessions', source: 0, restored: 0, ok: true },
        { table: 'tasks', source: 9, restored: 9, ok: true },
        { table: 'tasks_archive', source: 2, restored: 2, ok: true },
        { table: 'verifications', source: 0, restored: 0, ok: true },
      ]);
      expect(proof.ok).toBe(true);
      if (backend === 'postgres') {
        const name = new URL(proof.scratch).pathname.slice(1);
        expect(name).toMatch(/^todo_db_check_/);
        expect(await adminQuery('select 1 from pg_database where datname = $1', undefined, [name])).toEqual([]);
      } else {
        expect(proof.scratch).toBe('pglite:memory');
      }
    },
    SLOW,
  );

  it(
    'refuses to overwrite an existing backup file, or to write into a missing folder',
    async () => {
      await expect(backupDatabase(source.handle, { cwd: work, out: 'verified.backup' })).rejects.toThrow(/already exists/);
      await expect(backupDatabase(source.handle, { cwd: work, out: 'no/such/folder.backup' })).rejects.toThrow(/the folder .*no\/such does not exist/);
    },
    SLOW,
  );

  it(
    'refuses a non-empty target (exit 2, nothing changed), and replaces it only with clean',
    async () => {
      const backup = await backupDatabase(source.handle, { cwd: work, out: 'again.backup' });
      const target = await provision(backend, 'restore');
      try {
        const handle = await openDatabase({ url: target.url });
        try {
          await withRoleLock('shared', () => restoreDatabase(handle, backup.file));
          await handle.db.insertInto('users').values({ email: 'extra@backup.test' }).execute();
          const before = await checksums(handle);
          const refused = await restoreDatabase(handle, backup.file).catch((e: unknown) => e);
          expect(refused).toBeInstanceOf(UsageError);
          expect((refused as UsageError).exitCode).toBe(2);
          expect((refused as UsageError).message).toMatch(/is not empty: \d+ tables in the current schema \(accounts, .*\); nothing was changed/);
          expect(await checksums(handle)).toEqual(before);

          const cleaned = await withRoleLock('shared', () => restoreDatabase(handle, backup.file, { clean: true }));
          expect(cleaned.replaced).toEqual(expect.arrayContaining(['kysely_migration', 'tasks', 'users']));
          expect(cleaned.schema.ok).toBe(true);
          expect(await checksums(handle)).toEqual(expected);
        } finally {
          await handle.close();
        }
      } finally {
        await target.cleanup();
      }
    },
    SLOW,
  );

  it(
    'refuses a backup of the other backend',
    async () => {
      const other = backend === 'postgres' ? 'pglite' : 'postgres';
      const backup = await backupDatabase(source.handle, { cwd: work, out: `for-${other}.backup` });
      const target = await provision(other, 'restore');
      try {
        const handle = await openDatabase({ url: target.url });
        try {
          await expect(restoreDatabase(handle, backup.file)).rejects.toThrow(/restores into (a PostgreSQL server|PGlite), not/);
          expect(await sql`select 1 from pg_class where relname = 'users'`.execute(handle.db).then((r) => r.rows)).toEqual([]);
        } finally {
          await handle.close();
        }
      } finally {
        await target.cleanup();
      }
    },
    SLOW,
  );
});

describe('pg_dump and pg_restore never see the password', () => {
  const role = `tododb_bk_${process.pid}_${Date.now().toString(36)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  let source: Awaited<ReturnType<typeof openFresh>>;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'todo-db-backup-test-'));
    source = await openFresh('postgres', 'backup_pw');
    await migrateUp(source.handle);
    await addData(source.handle);
    // A login role with a password of its own; BYPASSRLS because pg_dump must read every row.
    await adminQuery(`create role "${role}" login bypassrls password '${password}'`);
    await adminQuery(`grant select on all tables in schema public to "${role}"`, source.handle.server.database);
  });
  afterAll(async () => {
    await source?.close();
    await adminQuery(`drop role if exists "${role}"`).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('passes it in PGPASSWORD, not in argv', async () => {
    const url = new URL(source.backend.url);
    url.username = role;
    url.password = password;
    const handle = await openDatabase({ url: url.toString() });
    try {
      expect(handle.server.user).toBe(role);
      const backup = await backupDatabase(handle, { cwd: work });
      expect(backup.tool.program).toBe('pg_dump');
      expect(backup.tool.args.join(' ')).not.toContain(password);
      expect(backup.tool.args).toContain(`--dbname=postgres://${role}@${url.host}${url.pathname}`);
      expect(backup.tables.map((t) => t.rows)).toEqual([3, 0, 0, 9, 2, 0]);
      if (handle.target.backend !== 'postgres') throw new Error('expected a postgres target');
      const invocation = toolInvocation('pg_restore', handle.target, ['x.dump'], {});
      expect(invocation.env.PGPASSWORD).toBe(password);
      expect(invocation.args.join(' ')).not.toContain(password);
    } finally {
      await handle.close();
      await adminQuery(`drop owned by "${role}"`, source.handle.server.database);
    }
  });
});
