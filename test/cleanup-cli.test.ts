import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery } from './support/postgres.js';
import { runCli } from './support/cli.js';
import { provision, type TestBackend } from './support/backends.js';

const FILE = new URL('../sql/cleanup.sql', import.meta.url).pathname;

async function emails(db: TestBackend): Promise<string[]> {
  const name = new URL(db.url).pathname.slice(1);
  return (await adminQuery<{ email: string }>('select email from users order by email', name)).map((r) => r.email);
}

/** Seed data plus rows that must survive: a look-alike domain and an ordinary user. */
async function prepare(db: TestBackend): Promise<void> {
  // Some seed tasks archived too: the scale seed's completed tasks are older than 30 days.
  for (const args of [['migrate', 'up'], ['seed'], ['seed', '--users', '1100', '--tasks-per-user', '1'], ['archive', '--completed-before', '30d', '--yes']]) {
    expect((await runCli(['--url', db.url, ...args])).code).toBe(0);
  }
  const name = new URL(db.url).pathname.slice(1);
  await adminQuery(`insert into users (email) values ('eve@example.com.evil.org'), ('grace@example.org'), ('Dana@EXAMPLE.COM')`, name);
}

describe('todo-db cleanup on postgres', () => {
  let a: TestBackend;
  let b: TestBackend;
  beforeAll(async () => {
    [a, b] = await Promise.all([provision('postgres', 'cleancli_a'), provision('postgres', 'cleancli_b')]);
    await prepare(a);
    await prepare(b);
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
  });

  it('refuses without --yes when there is no terminal, and removes nothing', async () => {
    const before = await emails(a);
    const run = await runCli(['--url', a.url, 'cleanup']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('todo-db: cleanup needs confirmation, and there is no terminal to ask on (pass --yes to confirm)');
    expect(await emails(a)).toEqual(before);
  });

  it('removes the seed data with --yes, and sql/cleanup.sql run in psql has the same effect', async () => {
    const run = await runCli(['--url', a.url, '--json', 'cleanup', '--yes']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ ok: true, users: 1104, batches: 2 });
    expect(doc.archived).toBeGreaterThan(0);
    expect(doc.tasks + doc.archived).toBe(1114);
    // The loop the file's header gives people: run until a batch removes nothing.
    const totals = { users: 0, tasks: 0, archived: 0 };
    for (;;) {
      const out = execFileSync('psql', [b.url, '-tAq', '-v', 'ON_ERROR_STOP=1', '-f', FILE], { encoding: 'utf8' }).trim();
      const [users, tasks, archived] = out.split('|').map(Number);
      if (users === 0) break;
      totals.users += users!;
      totals.tasks += tasks!;
      totals.archived += archived!;
    }
    expect(totals).toEqual({ users: 1104, tasks: doc.tasks, archived: doc.archived });
    expect(await emails(a)).toEqual(['eve@example.com.evil.org', 'grace@example.org']);
    expect(await emails(b)).toEqual(await emails(a));
    const again = await runCli(['--url', a.url, 'cleanup', '--yes']);
    expect(again.stdout).toMatch(/No seed data to remove/);
  });

  it('is unsupported on pg-mem (exit 2)', async () => {
    const run = await runCli(['--url', 'pgmem:', 'cleanup', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^todo-db: cleanup is not available on pgmem/);
  });
});
