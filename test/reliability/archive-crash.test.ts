import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { archiveTasks, migrateUp, openDatabase } from '../../src/index.js';
import { clonePglite } from '../support/pglite.js';
import { withRoleLock } from '../support/role-lock.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_SQL, addArchivableTasks, taskLedger, type TaskLedger } from '../support/archive-data.js';
import { interruptWhen, runCli, type Interrupted } from '../support/cli.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../support/postgres.js';

const USERS = 200;
const DUE_PER_USER = 500; // 100,000 tasks to archive
const BATCH = 1000;

/**
 * A killed client's statement may still be running on the server, which then
 * commits or rolls it back whole: wait until it has, before counting.
 */
async function settled(database: string): Promise<void> {
  for (;;) {
    const [row] = await adminQuery<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and query like '%tasks_archive%' and pid <> pg_backend_pid()`,
      database,
    );
    if (row!.n === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function archivedSoFar(database: string): Promise<number> {
  return (await adminQuery<{ n: number }>('select count(*)::int as n from tasks_archive', database))[0]!.n;
}

/** Starts `archive` and sends `signal` once at least `after` tasks are archived. */
function interruptedRun(url: string, database: string, after: number, signal: NodeJS.Signals): Promise<Interrupted> {
  const args = ['--url', url, 'archive', '--completed-before', '30d', '--batch-size', String(BATCH), '--yes'];
  return interruptWhen(args, async () => (await archivedSoFar(database)) >= after, { signal, everyMs: 5 });
}

describe('archiving 100,000 tasks, interrupted and resumed', () => {
  let db: TestDatabase;
  let before: TaskLedger;
  beforeAll(async () => {
    db = await createTestDatabase('archkill');
    expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
    await addArchivableTasks(db.name, USERS, DUE_PER_USER);
    before = await taskLedger(db.name);
    expect(before).toMatchObject({ rows: USERS * (DUE_PER_USER + 2), ids: USERS * (DUE_PER_USER + 2), archived: 0 });
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('killed with SIGKILL, then stopped with Ctrl-C, then resumed: every task exactly once, in whole batches', async () => {
    const killed = await interruptedRun(db.url, db.name, 15_000, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    await settled(db.name);
    const afterKill = await taskLedger(db.name);
    expect(afterKill).toEqual({ ...before, archived: afterKill.archived });
    expect(afterKill.archived).toBeGreaterThanOrEqual(15_000);
    expect(afterKill.archived).toBeLessThan(USERS * DUE_PER_USER);
    // Only whole batches: the one in flight committed or rolled back entirely.
    expect(afterKill.archived % BATCH).toBe(0);

    const stopped = await interruptedRun(db.url, db.name, afterKill.archived + 20_000, 'SIGINT');
    // Ctrl-C lets the batch in flight finish, then stops with the interrupted exit code.
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/^todo-db: stopping after the batch in progress \(Ctrl-C again to leave at once\)$/m);
    const afterStop = await taskLedger(db.name);
    expect(afterStop).toEqual({ ...before, archived: afterStop.archived });
    expect(afterStop.archived).toBeGreaterThan(afterKill.archived);
    expect(afterStop.archived % BATCH).toBe(0);

    const resumed = await runCli(['--url', db.url, 'archive', '--completed-before', '30d', '--batch-size', String(BATCH), '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const rest = USERS * DUE_PER_USER - afterStop.archived;
    expect(resumed.stdout).toContain(`archived ${rest.toLocaleString('en-US')} tasks`);
    expect(await taskLedger(db.name)).toEqual({ ...before, archived: USERS * DUE_PER_USER });
    const left = await adminQuery<{ title: string; n: number }>('select title, count(*)::int as n from tasks group by title order by title', db.name);
    expect(left).toEqual([
      { title: 'open', n: USERS },
      { title: 'recent done', n: USERS },
    ]);
    // verify reads the cluster-wide todo_app too: hold it intact meanwhile.
    const verify = await withRoleLock('shared', () => runCli(['--url', db.url, 'verify']));
    expect(verify.code, verify.stdout).toBe(0);
  }, 300_000);

  it('two runs at once share the work and still move every task exactly once', async () => {
    await addArchivableTasks(db.name, 40, 500);
    const start = await taskLedger(db.name);
    const args = ['--url', db.url, '--json', 'archive', '--completed-before', '30d', '--batch-size', '500', '--yes'];
    const runs = await Promise.all([runCli(args), runCli(args)]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const moved = runs.map((r) => (JSON.parse(r.stdout) as { moved: number }).moved);
    expect(moved[0]! + moved[1]!).toBe(20_000);
    expect(await taskLedger(db.name)).toEqual({ ...start, archived: start.archived + 20_000 });
  }, 120_000);
});

const LIBRARY = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));

/** The ledger of an embedded database, through the library. */
async function embeddedLedger(url: string): Promise<TaskLedger> {
  const handle = await openDatabase({ url });
  try {
    return (await sql.raw<TaskLedger>(LEDGER_SQL).execute(handle.db)).rows[0]!;
  } finally {
    await handle.close();
  }
}

describe('archiving on the embedded database (PGlite), killed part-way', () => {
  it('loses and doubles nothing, and the next run finishes the job', async () => {
    const data = clonePglite();
    try {
      const handle = await openDatabase({ url: data.url });
      try {
        await migrateUp(handle);
        await sql`insert into users (email) select 'embedded-' || u || '@example.com' from generate_series(1, 20) as u`.execute(handle.db);
        await sql`
          insert into tasks (user_id, title, completed, created_at, updated_at)
          select u.id, 'done ' || i, true, now() - interval '200 days', now() - interval '100 days' - i * interval '1 second'
          from users u cross join generate_series(1, 600) as i`.execute(handle.db);
      } finally {
        await handle.close();
      }
      const before = await embeddedLedger(data.url);
      expect(before).toMatchObject({ rows: 12000, ids: 12000, archived: 0 });
      // The child reports each committed batch; the kill lands while later ones run.
      const script = `
        const { archiveTasks, openDatabase } = await import(${JSON.stringify(LIBRARY)});
        const handle = await openDatabase({ url: ${JSON.stringify(data.url)} });
        await archiveTasks(handle, { completedBefore: '30d', batchSize: 50, onBatch: ({ batches }) => process.stdout.write(batches + '\\n') });`;
      const how = await new Promise<NodeJS.Signals | null>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout.on('data', (d: Buffer) => {
          if (d.toString().split('\n').includes('5')) child.kill('SIGKILL');
        });
        child.on('exit', (_code, signal) => resolve(signal));
      });
      expect(how).toBe('SIGKILL');
      const afterKill = await embeddedLedger(data.url);
      expect(afterKill).toEqual({ ...before, archived: afterKill.archived });
      expect(afterKill.archived).toBeGreaterThanOrEqual(250);
      expect(afterKill.archived).toBeLessThan(12000);
      expect(afterKill.archived % 50).toBe(0);

      const resumed = await openDatabase({ url: data.url });
      try {
        expect(await archiveTasks(resumed, { completedBefore: '30d' })).toMatchObject({ moved: 12000 - afterKill.archived, remaining: 0 });
      } finally {
        await resumed.close();
      }
      expect(await embeddedLedger(data.url)).toEqual({ ...before, archived: 12000 });
    } finally {
      data.remove();
    }
  }, 180_000);
});
