import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_MIGRATIONS_DIR, UnsupportedError, generateSnapshot, verifyMigrations } from '../src/index.js';
import { SERVER_BACKENDS, openFresh, type BackendName } from './support/backends.js';
import { runCli } from './support/cli.js';
import { adminQuery, createTestDatabase } from './support/postgres.js';
import { withRoleLock } from './support/role-lock.js';
import { CONTRACT_MIGRATIONS } from './support/contract-migrations.js';

const NAMES = [...CONTRACT_MIGRATIONS];

/**
 * A copy of migrations/ (and the sql/ it reads) plus one extra migration. Inside the
 * package (in the git-ignored .todo-db/), so the built CLI resolves `kysely` and
 * `todo-db` from the copied files as it does from the real ones.
 */
function migrationsWith(name: string, source: string): { dir: string; remove(): void } {
  const scratch = join(PACKAGE_MIGRATIONS_DIR, '..', '.todo-db');
  mkdirSync(scratch, { recursive: true });
  const parent = mkdtempSync(join(scratch, 'verify-migrations-'));
  const dir = join(parent, 'migrations');
  cpSync(PACKAGE_MIGRATIONS_DIR, dir, { recursive: true });
  cpSync(join(PACKAGE_MIGRATIONS_DIR, '..', 'sql'), join(parent, 'sql'), { recursive: true });
  writeFileSync(join(dir, `${name}.js`), source);
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** Its up adds a type (which the snapshot does not cover); its down forgets it. */
const FORGETFUL = `import { sql } from 'kysely';
export async function up(db) { await sql\`create type task_priority as enum ('low', 'high')\`.execute(db); }
export async function down() {}
`;

/** A down that drops more than its up created. */
const GREEDY = `import { sql } from 'kysely';
export async function up(db) { await sql\`create index idx_tasks_title on tasks (title)\`.execute(db); }
export async function down(db) {
  await sql\`drop index idx_tasks_title\`.execute(db);
  await sql\`drop index idx_tasks_updated_at\`.execute(db);
}
`;

const scratchDatabases = async () => (await adminQuery<{ datname: string }>("select datname from pg_database where datname like 'todo_db_check_%'")).map((r) => r.datname);

describe.each(SERVER_BACKENDS)('verify --migrations on %s', (backend: BackendName) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  // The verify steps read todo_app's attributes, so hold the role lock shared on the server.
  const roleLock = <T>(fn: () => Promise<T>) => (backend === 'postgres' ? withRoleLock('shared', fn) : fn());
  beforeAll(async () => {
    fresh = await openFresh(backend, 'vmig');
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('passes on the real migrations, step by step, and leaves the connected database alone', async () => {
    const result = await roleLock(() => verifyMigrations(fresh.handle));
    expect(result.ok).toBe(true);
    expect(result.migrations).toEqual(NAMES);
    expect(result.steps.map((s) => `${s.phase} ${s.migration ?? ''}`.trim())).toEqual([
      ...NAMES.map((n) => `up ${n}`),
      'verify',
      ...[...NAMES].reverse().map((n) => `down ${n}`),
      'reapply',
      'reverify',
    ]);
    expect(result.steps.every((s) => s.ok && s.problems.length === 0)).toBe(true);
    const { rows } = await fresh.handle.db.introspection.getTables().then((tables) => ({ rows: tables }));
    expect(rows).toEqual([]);
  });

  it('names the migration whose down forgets something, and the one that cannot be applied again', async () => {
    const copy = migrationsWith('0007_forgetful', FORGETFUL);
    try {
      // The copy's own snapshot: the extra migration is part of its schema.
      const snapshot = await generateSnapshot({ migrationsDir: copy.dir });
      const result = await roleLock(() => verifyMigrations(fresh.handle, { dir: copy.dir, snapshot }));
      expect(result.ok).toBe(false);
      const failed = result.steps.filter((s) => !s.ok);
      expect(failed.map((s) => [s.phase, s.migration])).toEqual([
        ['down', '0007_forgetful'],
        ['reapply', '0007_forgetful'],
      ]);
      expect(failed[0]!.problems).toEqual(['left behind: type task_priority e']);
      expect(failed[1]!.problems[0]).toMatch(/task_priority" already exists/);
      // earlier downs are not blamed for what 0005 left behind
      expect(result.steps.filter((s) => s.phase === 'down' && s.migration !== '0007_forgetful').every((s) => s.ok)).toBe(true);
    } finally {
      copy.remove();
    }
  });

  it('names a down that removes what existed before its up', async () => {
    const copy = migrationsWith('0007_greedy', GREEDY);
    try {
      // Against the package's snapshot, which does not have its index: the verify steps find it.
      const result = await roleLock(() => verifyMigrations(fresh.handle, { dir: copy.dir }));
      const failed = result.steps.filter((s) => !s.ok);
      expect(failed.map((s) => [s.phase, s.migration])).toEqual([
        ['verify', null],
        ['down', '0007_greedy'],
        ['reverify', null],
      ]);
      expect(failed[0]!.problems).toEqual([expect.stringMatching(/unexpected index idx_tasks_title/)]);
      expect(failed[1]!.problems).toEqual(['removed, though it existed before the migration: index CREATE INDEX idx_tasks_updated_at ON public.tasks USING btree (updated_at)']);
      expect(result.findings.map((f) => f.object)).toEqual(['idx_tasks_title']);
    } finally {
      copy.remove();
    }
  });

  if (backend === 'postgres') {
    it('removes its scratch database even when a step fails', async () => {
      const copy = migrationsWith('0007_broken', 'export async function up() { throw new Error("boom"); }\nexport async function down() {}\n');
      try {
        const result = await verifyMigrations(fresh.handle, { dir: copy.dir });
        expect(result.steps.at(-1)).toMatchObject({ phase: 'up', migration: '0007_broken', ok: false, problems: [expect.stringMatching(/boom/)] });
        expect(await scratchDatabases()).toEqual([]);
      } finally {
        copy.remove();
      }
    });
  }
});

describe('verify --migrations from the command line', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase('vmigcli');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('exits 0 on the real migrations and 1 naming a forgetful one, with --json', async () => {
    await withRoleLock('shared', async () => {
      const good = await runCli(['--url', db.url, 'verify', '--migrations']);
      expect(good.stderr).toBe('');
      expect(good.code).toBe(0);
      expect(good.stdout).toMatch(/✓ down 0005_tasks_archive/);
      expect(good.stdout).toMatch(/6 migrations apply, match the snapshot v1\.2\.0, revert without a trace and apply again\./);

      const copy = migrationsWith('0007_forgetful', FORGETFUL);
      try {
        const snap = join(copy.dir, '..', 'snapshot.json');
        expect((await runCli(['--migrations-dir', copy.dir, 'schema', 'snapshot', '--out', snap])).code).toBe(0);
        const human = await runCli(['--url', db.url, '--migrations-dir', copy.dir, 'verify', '--migrations', '--snapshot', snap]);
        expect(human.code).toBe(1);
        expect(human.stdout).toMatch(/✗ down 0007_forgetful\n\s+left behind: type task_priority e/);
        expect(human.stdout).toMatch(/2 steps failed: down 0007_forgetful, apply all again 0007_forgetful\./);
        const json = await runCli(['--url', db.url, '--migrations-dir', copy.dir, '--json', 'verify', '--migrations', '--snapshot', snap]);
        expect(json.code).toBe(1);
        const doc = JSON.parse(json.stdout) as { ok: boolean; steps: Array<{ phase: string; migration: string | null; ok: boolean }> };
        expect(doc.ok).toBe(false);
        expect(doc.steps.filter((s) => !s.ok).map((s) => s.migration)).toEqual(['0007_forgetful', '0007_forgetful']);
      } finally {
        copy.remove();
      }
    });
    expect(await scratchDatabases()).toEqual([]);
  });

  it('exits 2 on pg-mem', async () => {
    const result = await runCli(['--url', 'pgmem:', 'verify', '--migrations']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^todo-db: pgmem has no PostgreSQL catalog/);
  });
});

describe('verify --migrations on pg-mem (library)', () => {
  it('throws UnsupportedError', async () => {
    const fresh = await openFresh('pgmem');
    try {
      await expect(verifyMigrations(fresh.handle)).rejects.toThrow(UnsupportedError);
    } finally {
      await fresh.close();
    }
  });
});
