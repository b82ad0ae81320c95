import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addArchivableTasks, taskLedger } from './support/archive-data.js';
import { BIN, runCli } from './support/cli.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const BATCH_FILE = new URL('../sql/archive/batch.sql', import.meta.url).pathname;

describe('todo-db archive on postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('archcli');
    expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
    await addArchivableTasks(db.name, 30, 100);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each([
    [
      ['--completed-before', 'soon'],
      /^todo-db: --completed-before expects a duration \(36h, 90d, 12w, 6mo, 1y\) or a date .*, not "soon" \(e\.g\. todo-db archive --completed-before 90d\)$/,
    ],
    [['--completed-before', '90d', '--batch-size', '0'], /^todo-db: --batch-size expects a whole number from 1 to 100000, not "0"$/],
    [['--completed-before', '90d'], /^todo-db: archive needs confirmation, and there is no terminal to ask on \(pass --yes to confirm\)$/],
    [['--completed-before', '2999-01-01', '--yes'], /^todo-db: --completed-before 2999-01-01 is in the future/],
    [[], /required option '--completed-before <when>' not specified/],
  ])('refuses %j in one line, exit 2, changing nothing', async (args, message) => {
    const before = await taskLedger(db.name);
    const run = await runCli(['--url', db.url, 'archive', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(await taskLedger(db.name)).toEqual(before);
  });

  it('--dry-run counts and changes nothing; --json gives the same as a document', async () => {
    const before = await taskLedger(db.name);
    const human = await runCli(['--url', db.url, 'archive', '--completed-before', '90d', '--dry-run']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(
      /3,000 completed tasks last updated before \S+ would move to tasks_archive \(last updated \d{4}-\d\d-\d\d … \d{4}-\d\d-\d\d\); nothing was changed\./,
    );
    const json = await runCli(['--url', db.url, '--json', 'archive', '--completed-before', '90d', '--dry-run']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, dryRun: true, pending: 3000, moved: 0 });
    expect(await taskLedger(db.name)).toEqual(before);
  });

  it('moves them in batches with --yes; again, there is nothing left to move', async () => {
    const before = await taskLedger(db.name);
    const run = await runCli(['--url', db.url, 'archive', '--completed-before', '90d', '--batch-size', '700', '--yes']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/archived 3,000 tasks \(last updated .*\) in 5 batches of up to 700, [\d.]+ m?s\./);
    expect(await taskLedger(db.name)).toEqual({ ...before, archived: 3000 });
    const again = await runCli(['--url', db.url, 'archive', '--completed-before', '90d', '--yes']);
    expect(again.stdout).toMatch(/No completed task last updated before \S+: nothing to archive\./);
  });

  it('skips tasks another transaction holds, says so, and moves them on the next run', async () => {
    await addArchivableTasks(db.name, 3, 100);
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`select id from tasks where title = 'done 50' for update`);
      const held = await runCli(['--url', db.url, 'archive', '--completed-before', '90d', '--batch-size', '70', '--yes']);
      expect(held.code, held.stderr).toBe(0);
      expect(held.stdout).toMatch(/archived 297 tasks .*\n3 tasks were locked by other transactions and stay in tasks: run the same command again to move them\.\n$/);
      await other.query('commit');
    } finally {
      await other.end();
    }
    const next = await runCli(['--url', db.url, '--json', 'archive', '--completed-before', '90d', '--yes']);
    expect(JSON.parse(next.stdout)).toMatchObject({ pending: 3, moved: 3, remaining: 0 });
  });

  it('the batch file runs in psql as documented, with the same effect', async () => {
    await addArchivableTasks(db.name, 5, 20);
    const before = await taskLedger(db.name);
    let rounds = 0;
    for (;;) {
      const out = execFileSync(
        'psql',
        [
          db.url,
          '-tAq',
          '-v',
          'ON_ERROR_STOP=1',
          '-c',
          `PREPARE archive_batch(timestamptz, int, timestamptz, uuid) AS ${readBatch()}`,
          '-c',
          "EXECUTE archive_batch(now() - interval '90 days', 40, '-infinity', '00000000-0000-0000-0000-000000000000')",
        ],
        { encoding: 'utf8' },
      ).trim();
      if (out.startsWith('0|')) break;
      rounds++;
    }
    expect(rounds).toBe(3);
    expect(await taskLedger(db.name)).toEqual({ ...before, archived: before.archived + 100 });
  });
});

function readBatch(): string {
  return execFileSync('cat', [BATCH_FILE], { encoding: 'utf8' });
}

describe('todo-db archive on a terminal', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('archtty');
    expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
    await addArchivableTasks(db.name, 20, 150);
  });
  afterAll(async () => {
    await db?.drop();
  });
  // util-linux `script` gives the CLI a pseudo-terminal, as a person's shell would.
  const onTerminal = (args: string, input = '') =>
    execFileSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --url ${db.url} ${args}; echo "exit $?"`, '/dev/null'], {
      encoding: 'utf8',
      input,
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('asks first, and a no changes nothing', async () => {
    const before = await taskLedger(db.name);
    const screen = onTerminal('archive --completed-before 90d', 'n\n');
    expect(screen).toMatch(/Move 3,000 completed tasks last updated before \S+ to tasks_archive\? \[y\/N\]/);
    expect(screen).toMatch(/todo-db: cancelled; nothing was changed\s+exit 2/);
    expect(await taskLedger(db.name)).toEqual(before);
  });

  it('draws a progress bar with tasks/s and ETA on stderr', async () => {
    const screen = onTerminal('archive --completed-before 90d --batch-size 100 --yes');
    expect(screen).toMatch(/ {2}archive █*░* {2}[\d,]+ \/ 3,000 · [\d,]+ tasks\/s · ETA \d+s/);
    expect(screen).toMatch(/archived 3,000 tasks .* in 30 batches of up to 100/);
    expect(screen).toMatch(/exit 0/);
  });
});
