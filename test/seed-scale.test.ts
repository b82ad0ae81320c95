import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  SCALE_EPOCH,
  UsageError,
  cleanup,
  verifySchema,
  migrateUp,
  scaleShape,
  scaleTasks,
  scaleUsers,
  seedDevelopment,
  seedScale,
  withBulkWriter,
  type SeedProgress,
  type TaskRow,
  type TodoDatabase,
} from '../src/index.js';
import { iso } from '../src/seed/scale-data.js';
import { ALL_BACKENDS, SERVER_BACKENDS, openFresh } from './support/backends.js';

/** An order-independent fingerprint of all data: equal checksums mean equal rows. */
async function checksum(handle: TodoDatabase): Promise<string> {
  const { rows } = await sql<{ users: string; tasks: string }>`
    select (select md5(string_agg(u::text, '|' order by u.id)) from users u) as users,
           (select md5(string_agg(t::text, '|' order by t.id)) from tasks t) as tasks`.execute(handle.db);
  return `${rows[0]?.users}/${rows[0]?.tasks}`;
}

/** Every index and key of tasks, as the catalog spells it. */
async function taskCatalog(handle: TodoDatabase): Promise<string[]> {
  const { rows } = await sql<{ def: string }>`
    select pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'tasks'::regclass
    union all
    select conname || ': ' || pg_get_constraintdef(oid) from pg_constraint where conrelid = 'tasks'::regclass and contype in ('p', 'f', 'c', 'u')
    order by 1`.execute(handle.db);
  return rows.map((r) => r.def);
}

function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

describe.each(SERVER_BACKENDS)('scale seed on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeEach(async () => {
    fresh = await openFresh(backend, 'seedscale');
    await migrateUp(fresh.handle);
  });
  afterEach(async () => {
    await fresh?.close();
  });

  it('gives the same rows for the same seed and other rows for another seed', async () => {
    const shape = { users: 40, tasksPerUser: 5, seed: 42 };
    const first = await seedScale(fresh.handle, shape);
    expect(first).toMatchObject({ users: 40, tasks: 200, seed: 42, analyzed: true });
    const loaded = await checksum(fresh.handle);
    await cleanup(fresh.handle);
    await seedScale(fresh.handle, shape);
    expect(await checksum(fresh.handle)).toBe(loaded);
    await cleanup(fresh.handle);
    await seedScale(fresh.handle, { ...shape, seed: 43 });
    const other = await checksum(fresh.handle);
    expect(other).not.toBe(loaded);
    // The database holds exactly what the generator yields (COPY changed nothing on the way).
    const users = (await fresh.handle.db.selectFrom('users').selectAll().orderBy('email').execute()).map(plain);
    expect(users).toEqual([...scaleUsers({ ...shape, seed: 43 })].sort((a, b) => a.email.localeCompare(b.email)));
    const tasks = (await fresh.handle.db.selectFrom('tasks').selectAll().orderBy('id').execute()).map(plain);
    expect(tasks).toEqual([...scaleTasks({ ...shape, seed: 43 })].sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  it('defers the tasks indexes into an empty table and leaves exactly the contract indexes and keys', async () => {
    const before = await taskCatalog(fresh.handle);
    expect(before).toHaveLength(5 + 1 + 2 + 1); // 5 indexes and the primary key's, then pkey, fkey and check constraints
    const first = await seedScale(fresh.handle, { users: 30, tasksPerUser: 4, seed: 1 });
    expect([...first.rebuilt].sort()).toEqual([
      'idx_tasks_created_at',
      'idx_tasks_updated_at',
      'idx_tasks_user_completed',
      'idx_tasks_user_created',
      'idx_tasks_user_id',
      'tasks_pkey',
      'tasks_user_id_fkey',
    ]);
    expect(await taskCatalog(fresh.handle)).toEqual(before);
    expect((await verifySchema(fresh.handle)).findings).toEqual([]);
    expect(first.indexes).toMatchObject({ strategy: 'rebuild', existing: 0, reason: expect.stringMatching(/^tasks is empty: .*locked exclusively/) });
    // More rows there (120) than being loaded (40): the second load keeps the indexes and maintains them.
    const notices: string[] = [];
    const second = await seedScale(fresh.handle, { users: 10, tasksPerUser: 4, seed: 2, onNotice: (m) => notices.push(m) });
    expect(second.rebuilt).toEqual([]);
    expect(second.indexes).toMatchObject({ strategy: 'maintain', existing: 41 });
    expect(notices).toEqual([expect.stringMatching(/^tasks already holds more than 40 rows .*loading into the indexed table.*slower/)]);
    expect(await taskCatalog(fresh.handle)).toEqual(before);
    // The foreign key is back and enforced.
    await expect(fresh.handle.db.insertInto('tasks').values({ user_id: '99999999-9999-4999-8999-999999999999', title: 'orphan' }).execute()).rejects.toThrow(/foreign key/);
    // ANALYZE ran: the planner has column statistics for the new rows.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stats where tablename = 'tasks'`.execute(fresh.handle.db);
    expect(rows[0]?.n).toBeGreaterThan(0);
  });

  it('rebuilds the indexes after the development seed too (few rows next to the load), shows the phases, and ends vacuumed', async () => {
    await seedDevelopment(fresh.handle);
    const before = await taskCatalog(fresh.handle);
    const events: SeedProgress[] = [];
    const result = await seedScale(fresh.handle, { users: 50, tasksPerUser: 10, seed: 4, onProgress: (p) => events.push({ ...p }) });
    expect(result.indexes).toMatchObject({ strategy: 'rebuild', existing: 14, reason: expect.stringMatching(/^tasks holds 14 rows, no more than the 500 being loaded/) });
    expect(result.rebuilt).toHaveLength(7);
    expect(await taskCatalog(fresh.handle)).toEqual(before);
    expect((await verifySchema(fresh.handle)).findings).toEqual([]);
    // The development rows are still there, under their users.
    const { rows: dev } = await sql<{
      n: number;
    }>`select count(*)::int as n from tasks t join users u on u.id = t.user_id where u.email in ('alice@example.com', 'bob@example.com', 'carol@example.com')`.execute(
      fresh.handle.db,
    );
    expect(dev[0]?.n).toBe(14);
    // The index phase is announced before the first build and names each one; then commit, then VACUUM.
    const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['users', 'tasks', 'indexes', 'commit', 'vacuum']);
    const indexEvents = events.filter((e) => e.phase === 'indexes');
    expect(indexEvents[0]).toEqual({ phase: 'indexes', done: 0, total: 7, current: 'tasks_pkey' });
    expect(indexEvents.at(-1)).toEqual({ phase: 'indexes', done: 7, total: 7 });
    expect(result).toMatchObject({ vacuumed: true, analyzed: true });
    // VACUUM set the visibility map (ANALYZE alone leaves it empty): index-only scans can skip the heap.
    const { rows } = await sql<{ visible: number; pages: number }>`select relallvisible as visible, relpages as pages from pg_class where relname = 'tasks'`.execute(
      fresh.handle.db,
    );
    expect(rows[0]!.visible).toBeGreaterThan(0);
    expect(rows[0]!.visible).toBe(rows[0]!.pages);
  });

  it('refuses a seed that is already loaded and changes nothing', async () => {
    await seedScale(fresh.handle, { users: 10, tasksPerUser: 2, seed: 5 });
    const loaded = await checksum(fresh.handle);
    const again = seedScale(fresh.handle, { users: 20, tasksPerUser: 3, seed: 5 });
    await expect(again).rejects.toThrow(UsageError);
    await expect(again).rejects.toThrow(/scale seed 5 is already loaded/);
    expect(await checksum(fresh.handle)).toBe(loaded);
  });

  it('restores the indexes when a load fails halfway (one transaction)', async () => {
    const before = await taskCatalog(fresh.handle);
    // A clashing email deep in the load: the unique index rejects it at commit time or earlier.
    await fresh.handle.db.insertInto('users').values({ email: 'user000007.s3@example.com' }).execute();
    await expect(seedScale(fresh.handle, { users: 10, tasksPerUser: 2, seed: 3 })).rejects.toThrow(/already loaded/);
    expect(await taskCatalog(fresh.handle)).toEqual(before);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tasks`.execute(fresh.handle.db);
    expect(rows[0]?.n).toBe(0);
  });
});

describe('scale seed on postgres, with the app in the middle of a transaction', () => {
  it('refuses to lock tasks away from another session, names it, and changes nothing', async () => {
    const fresh = await openFresh('postgres', 'seedbusy');
    const other = new pg.Client({ connectionString: fresh.backend.url, application_name: 'the-app' });
    try {
      await migrateUp(fresh.handle);
      await seedDevelopment(fresh.handle);
      const before = await checksum(fresh.handle);
      await other.connect();
      await other.query('begin');
      await other.query('select count(*) from tasks');
      const pid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const attempt = seedScale(fresh.handle, { users: 20, tasksPerUser: 5, seed: 6 });
      await expect(attempt).rejects.toThrow(UsageError);
      await expect(attempt).rejects.toThrow(new RegExp(`tasks is in use by other sessions \\(pid ${pid}, the-app, idle in transaction\\)`));
      expect(await checksum(fresh.handle)).toBe(before);
      // Once the app's transaction ends, the same seed runs.
      await other.query('commit');
      expect((await seedScale(fresh.handle, { users: 20, tasksPerUser: 5, seed: 6 })).indexes.strategy).toBe('rebuild');
    } finally {
      await other.end().catch(() => undefined);
      await fresh.close();
    }
  });
});

/** Titles that break naive COPY text: quotes, backslashes, tabs, newlines, CR, the end marker, emoji, 200 characters. */
const AWKWARD = [
  `it's "quoted"`,
  'back\\slash and \\N and \\\\ double',
  'tab\there',
  'new\nline',
  'crlf\r\nend',
  '\\.',
  '🎉 done ✅ 日本語 — ünïcödé',
  'é'.repeat(200),
  '✅'.repeat(200),
];

describe.each(ALL_BACKENDS)('bulk load on %s', (backend) => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeEach(async () => {
    fresh = await openFresh(backend, 'seedcopy');
    await migrateUp(fresh.handle);
  });
  afterEach(async () => {
    await fresh?.close();
  });

  it('round-trips awkward titles and descriptions unchanged', async () => {
    const user = [...scaleUsers({ users: 1, tasksPerUser: 1, seed: 9 })][0]!;
    // pg-mem (which gets inserts, not COPY) inlines parameters into its own parser and chokes on `\N`-like text.
    const titles = backend === 'pgmem' ? AWKWARD.filter((t) => !/\\[A-Za-z]/.test(t)) : AWKWARD;
    const tasks: TaskRow[] = titles.map((title, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      user_id: user.id,
      title,
      description: i % 2 === 0 ? null : `${title}\t|\n${title}`.slice(0, 1000),
      completed: i % 3 === 0,
      created_at: '2025-06-01T12:00:00.000Z',
      updated_at: '2025-06-02T12:00:00.000Z',
    }));
    await withBulkWriter(fresh.handle, async (writer) => {
      await writer.load('users', [user]);
      await writer.load('tasks', tasks);
    });
    const back = (await fresh.handle.db.selectFrom('tasks').selectAll().orderBy('id').execute()).map(plain);
    expect(back).toEqual(tasks);
  });

  it("loads a small scale seed with the backend's fastest method", async () => {
    const result = await seedScale(fresh.handle, { users: 6, tasksPerUser: 3, seed: 11 });
    expect(result.method).toBe({ postgres: 'copy', pglite: 'blob-copy', pgmem: 'insert' }[backend]);
    expect(await fresh.handle.db.selectFrom('tasks').selectAll().execute()).toHaveLength(18);
    expect(await fresh.handle.db.selectFrom('users').selectAll().execute()).toHaveLength(6);
  });
});

describe('scale data', () => {
  it('is a pure function of the seed: a larger shape starts with the smaller one', () => {
    const small = [...scaleTasks({ users: 2, tasksPerUser: 3, seed: 7 })];
    const large = [...scaleTasks({ users: 4, tasksPerUser: 3, seed: 7 })];
    expect(large.slice(0, 6)).toEqual(small);
    expect([...scaleTasks({ users: 2, tasksPerUser: 3, seed: 7 })]).toEqual(small);
    expect([...scaleTasks({ users: 2, tasksPerUser: 3, seed: 8 })].map((t) => t.id)).not.toEqual(small.map((t) => t.id));
  });

  it('has unique version-4 ids, example.com emails, valid titles and timestamps before the fixed epoch', () => {
    const shape = { users: 2000, tasksPerUser: 50, seed: 123 };
    const ids = new Set<string>();
    const users = [...scaleUsers(shape)];
    for (const u of users) {
      ids.add(u.id);
      expect(u.email).toMatch(/^user\d{6}\.s123@example\.com$/);
    }
    // Checked in plain JS and asserted once: 100,000 expect() calls would take seconds.
    const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const bad: string[] = [];
    let completed = 0;
    for (const t of scaleTasks(shape)) {
      ids.add(t.id);
      const created = Date.parse(t.created_at);
      const updated = Date.parse(t.updated_at);
      const ok = UUID4.test(t.id) && t.title.trim().length > 0 && t.title.length <= 200 && created <= updated && updated <= SCALE_EPOCH && created > SCALE_EPOCH - 731 * 86_400_000;
      if (!ok) bad.push(JSON.stringify(t));
      if (t.completed) completed++;
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(ids.size).toBe(2000 + 100_000);
    expect(completed / 100_000).toBeGreaterThan(0.3);
    expect(completed / 100_000).toBeLessThan(0.5);
  });

  it('formats timestamps exactly as toISOString does', () => {
    const mismatches: number[] = [];
    for (let ms = SCALE_EPOCH - 800 * 86_400_000; ms <= SCALE_EPOCH; ms += 86_399_000 / 7) {
      const whole = Math.floor(ms / 1000) * 1000;
      if (iso(whole) !== new Date(whole).toISOString()) mismatches.push(whole);
    }
    expect(mismatches).toEqual([]);
  });

  it('rejects values that are not positive integers (a seed may be 0)', () => {
    for (const users of ['0', '-3', '1.5', 'abc', '', '1e3', ' ', '4294967296']) {
      expect(() => scaleShape({ users }), users).toThrow(UsageError);
    }
    expect(() => scaleShape({ users: '5', tasksPerUser: '0' })).toThrow(/--tasks-per-user must be a positive integer/);
    expect(() => scaleShape({ users: '5', seed: '-1' })).toThrow(/--seed must be an integer from 0/);
    expect(() => scaleShape({ users: '5', seed: 'x' })).toThrow(UsageError);
    expect(scaleShape({ users: '5', seed: '0' })).toEqual({ users: 5, tasksPerUser: 10, seed: 0 });
  });
});
