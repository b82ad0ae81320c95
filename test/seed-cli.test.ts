import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from './support/cli.js';
import { provision, type TestBackend } from './support/backends.js';

/** A server nobody listens on: a command that connected would exit 3, not 2. */
const NOWHERE = 'postgres://postgres@127.0.0.1:1/nothing';

describe('todo-db seed: bad input', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--users', '0'], /--users must be a positive integer/],
    [['--users', '-3'], /--users must be a positive integer/],
    [['--users', '1.5'], /--users must be a positive integer/],
    [['--users', 'many'], /--users must be a positive integer/],
    [['--users', '10', '--tasks-per-user', '0'], /--tasks-per-user must be a positive integer/],
    [['--users', '10', '--tasks-per-user', 'x'], /--tasks-per-user must be a positive integer/],
    [['--users', '10', '--seed', '1.5'], /--seed must be an integer/],
    [['--tasks-per-user', '5'], /need --users/],
  ];
  it.each(cases)('seed %j exits 2 before connecting', async (args, message) => {
    const run = await runCli(['--url', NOWHERE, 'seed', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });
});

describe('todo-db seed on postgres', () => {
  let db: TestBackend;
  beforeAll(async () => {
    db = await provision('postgres', 'seedcli');
    expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it('loads the development data, then finds nothing to change', async () => {
    const first = await runCli(['--url', db.url, 'seed']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/users\s+3 inserted · 0 updated · 0 unchanged/);
    expect(first.stdout).toMatch(/development seed: 3 users and 14 tasks in place; 17 rows written\./);
    const second = await runCli(['--url', db.url, '--json', 'seed']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, mode: 'development', users: { unchanged: 3 }, tasks: { unchanged: 14 } });
  });

  it('loads scale data with a one-line summary and no progress bar when not on a terminal', async () => {
    const run = await runCli(['--url', db.url, 'seed', '--users', '20', '--tasks-per-user', '5', '--seed', '77']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^seeded 20 users and 100 tasks \(seed 77\) in [\d.]+ m?s \([\d,]+ rows\/s\); (indexes rebuilt; )?analyzed$/);
    const again = await runCli(['--url', db.url, '--json', 'seed', '--users', '20', '--seed', '77']);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/scale seed 77 is already loaded/), exitCode: 2 } });
    const json = await runCli(['--url', db.url, '--json', 'seed', '--users', '3', '--tasks-per-user', '2', '--seed', '78']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, mode: 'scale', users: 3, tasks: 6, seed: 78, method: 'copy', rebuilt: [], analyzed: true });
  });

  it('prints the development seed as the psql script kept in sql/', async () => {
    const run = await runCli(['seed', '--sql']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(new URL('../sql/seed-development.sql', import.meta.url), 'utf8'));
  });
});

describe('todo-db seed on a terminal', () => {
  it('draws a progress bar per phase on stderr, with rows/s and ETA while rows stream', async () => {
    const db = await provision('postgres', 'seedtty');
    try {
      expect((await runCli(['--url', db.url, 'migrate', 'up'])).code).toBe(0);
      // util-linux `script` gives the CLI a pseudo-terminal, as a person's shell would.
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --url ${db.url} seed --users 500 --tasks-per-user 20`;
      const screen = execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(screen).toMatch(/ {2}tasks +█*░* {2}[\d,]+ \/ 10,000 · [\d,]+ rows\/s · ETA \d+s/);
      expect(screen).toMatch(/ {2}indexes .* 7 \/ 7/);
      expect(screen).toMatch(/seeded 500 users and 10,000 tasks \(seed 1\)/);
    } finally {
      await db.cleanup();
    }
  });
});
