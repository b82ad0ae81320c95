import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { inconsistentMigrations } from '../support/consistency.js';
import { clonePglite } from '../support/pglite.js';
import { adminQuery, createTestDatabase } from '../support/postgres.js';
import { CONTRACT_MIGRATIONS } from '../support/contract-migrations.js';

/** `npm run test:stress` raises the counts. */
const STRESS = process.env.TODO_DB_STRESS === '1';
const RUNNERS = 8;

function appliedIn(stdout: string): string[] {
  return [...stdout.matchAll(/✓ (\d{4}_\w+)\s+applied/g)].map((m) => m[1]!);
}

describe('concurrent runners', () => {
  it(`${RUNNERS} processes running migrate up on one empty database apply each migration exactly once`, async () => {
    for (let round = 0; round < (STRESS ? 5 : 1); round++) {
      const db = await createTestDatabase('race8');
      try {
        const runs = await Promise.all(Array.from({ length: RUNNERS }, () => runCli(['--url', db.url, 'migrate', 'up'])));
        for (const run of runs) expect(run.code, run.stderr).toBe(0);
        expect(runs.flatMap((r) => appliedIn(r.stdout)).sort()).toEqual([...CONTRACT_MIGRATIONS]);
        const rows = await adminQuery<{ n: number }>('select count(*)::int as n from kysely_migration', db.name);
        expect(rows[0]?.n).toBe(CONTRACT_MIGRATIONS.length);
        expect(await inconsistentMigrations(db.name)).toEqual([]);
        const status = await runCli(['--url', db.url, 'migrate', 'status']);
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(/6 migrations applied, none pending/);
      } finally {
        await db.drop();
      }
    }
  });

  it('migrate up racing migrate down leaves a consistent database', async () => {
    const db = await createTestDatabase('updown');
    try {
      expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
      const runs = await Promise.all(Array.from({ length: RUNNERS }, (_, i) => runCli(['--url', db.url, 'migrate', ...(i % 2 === 0 ? ['up'] : ['down', '--all', '--yes'])])));
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      expect(await inconsistentMigrations(db.name)).toEqual([]);
      expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
      expect(await inconsistentMigrations(db.name)).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('processes sharing one embedded database take turns instead of corrupting it', async () => {
    const data = clonePglite();
    try {
      const runs = await Promise.all([0, 1, 2].map(() => runCli(['--url', data.url, 'migrate', 'up'])));
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      expect(runs.flatMap((r) => appliedIn(r.stdout))).toHaveLength(CONTRACT_MIGRATIONS.length);
      const status = await runCli(['--url', data.url, 'migrate', 'status']);
      expect(status.stdout).toMatch(/6 migrations applied, none pending/);
    } finally {
      data.remove();
    }
  });
});

describe('the embedded data folder lock', () => {
  // Enough contention that the lock this replaced (create, then write the pid) let 2–3 in at once.
  const CONTENDERS = 12;
  it(`${CONTENDERS} processes taking it in turn never hold it at the same time, and leave nothing behind`, async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'todo-db-lock-'));
    try {
      const log = join(scratch, 'log');
      const worker = fileURLToPath(new URL('../support/lock-worker.mjs', import.meta.url));
      const lockModule = pathToFileURL(resolve('dist/src/connection/embedded-lock.js')).href;
      const rounds = STRESS ? 200 : 60;
      const codes = await Promise.all(
        Array.from(
          { length: CONTENDERS },
          () =>
            new Promise<number | null>((done) => spawn(process.execPath, [worker, lockModule, join(scratch, 'db'), log, String(rounds)], { stdio: 'inherit' }).on('exit', done)),
        ),
      );
      expect(codes).toEqual(Array(CONTENDERS).fill(0));
      let holders = 0;
      let most = 0;
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      for (const line of lines) {
        holders += line === '+' ? 1 : -1;
        most = Math.max(most, holders);
      }
      expect({ entries: lines.length, most }).toEqual({ entries: 2 * CONTENDERS * rounds, most: 1 });
      expect(readdirSync(scratch).sort()).toEqual(['log']);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('concurrent seeds', () => {
  it(`${RUNNERS} processes seeding one database at once leave exactly one copy of the data`, async () => {
    const db = await createTestDatabase('seed8');
    try {
      expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
      const runs = await Promise.all(Array.from({ length: RUNNERS }, () => runCli(['--url', db.url, 'seed'])));
      for (const run of runs) expect(run.code, run.stderr).toBe(0);
      const counts = await adminQuery<{ users: number; tasks: number; emails: number }>(
        'select (select count(*)::int from users) as users, (select count(*)::int from tasks) as tasks, (select count(distinct email)::int from users) as emails',
        db.name,
      );
      expect(counts[0]).toEqual({ users: 3, tasks: 14, emails: 3 });
      expect(runs.filter((r) => /17 rows written/.test(r.stdout))).toHaveLength(1);
    } finally {
      await db.drop();
    }
  });
});
