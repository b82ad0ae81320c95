import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp } from '../src/index.js';
import { openFresh } from './support/backends.js';
import { BIN, runCli } from './support/cli.js';
import { withRoleLock } from './support/role-lock.js';

/** The built binary end to end (run `npm run build` first): output, --json and exit codes. */
describe('todo-db health and monitor (CLI)', () => {
  let fresh: Awaited<ReturnType<typeof openFresh>>;
  beforeAll(async () => {
    fresh = await openFresh('postgres', 'health-cli');
    await migrateUp(fresh.handle);
  });
  afterAll(async () => {
    await fresh?.close();
  });

  it('health exits 0 on a fresh migrated database, also with --strict', async () => {
    const human = await withRoleLock('shared', () => runCli(['--url', fresh.backend.url, 'health', '--strict']));
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ {2}ok {2,}migrations {2,}6 applied, none pending$/m);
    expect(human.stdout).toMatch(/^ {2}ok {2,}redundant indexes {2,}idx_tasks_user_id redundant: covered by idx_tasks_user_completed, idx_tasks_user_created/m);
    expect(human.stdout).toMatch(/^ {2}n\/a {2,}application role {2,}policies as designed; the application's login role is not named \(name the role/m);
    expect(human.stdout).toMatch(/\d+ ok · 0 warn · 0 fail · \d+ n\/a/);
  });

  it('--json gives every check with status, value, threshold and message', async () => {
    // todo_app is cluster-wide: hold it intact, or another file's role drift fails the schema check.
    const { code, stdout } = await withRoleLock('shared', () => runCli(['--url', fresh.backend.url, '--json', 'health', '--long-query-warn', '30']));
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { ok: boolean; command: string; durationMs: number; thresholds: Record<string, number>; checks: Record<string, unknown>[] };
    expect(doc).toMatchObject({ ok: true, command: 'health', durationMs: expect.any(Number) });
    expect(Number.isInteger(doc.durationMs)).toBe(true);
    expect(doc.thresholds.longQueryWarnSeconds).toBe(30);
    // The one item shape of src/report/item.ts; the check's own numbers are in details.
    for (const c of doc.checks) {
      expect(Object.keys(c).sort()).toEqual(['details', 'fix', 'id', 'message', 'object', 'status']);
      expect(['ok', 'warn', 'fail', 'n/a', 'not-run']).toContain(c.status);
      expect(Object.keys(c.details as object)).toEqual(expect.arrayContaining(['title', 'value', 'threshold', 'findings', 'durationMs']));
    }
    expect(doc.checks.find((c) => c.id === 'long-queries')).toMatchObject({ details: { threshold: 'warn ≥ 30 s, fail ≥ 300 s' } });
  });

  it('exits 1 when a check fails and 2 on a bad threshold or --watch with --json', async () => {
    await sql`alter table tasks disable row level security`.execute(fresh.handle.db);
    try {
      const failed = await runCli(['--url', fresh.backend.url, 'health']);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/^ {2}fail {2}row-level security {2,}tasks: RLS is off/m);
      expect(failed.stdout).toMatch(/^Next: .+\.$/m);
    } finally {
      await sql`alter table tasks enable row level security`.execute(fresh.handle.db);
    }
    const bad = await runCli(['--url', fresh.backend.url, 'health', '--cache-hit-warn', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^todo-db: .*--cache-hit-warn.*expected a number >= 0/);
    const empty = await runCli(['--url', fresh.backend.url, 'health', '--deadline', '0']);
    expect(empty.code).toBe(2);
  });

  it('--watch --json prints one JSON document per round, one per line (NDJSON)', async () => {
    const child = spawn(process.execPath, [BIN, '--url', fresh.backend.url, '--json', 'health', '--watch', '0.2'], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.split('\n').length > 2) resolve();
        }),
      );
      child.kill('SIGINT');
      await exited;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ command: 'health', ok: expect.any(Boolean), checks: expect.any(Array) });
  });

  it('monitor indexes names the index covering idx_tasks_user_id', async () => {
    const { code, stdout } = await runCli(['--url', fresh.backend.url, 'monitor', 'indexes']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/tasks +idx_tasks_user_id +\d+ +\d+ +[\d.]+ kB +redundant: covered by idx_tasks_user_completed, idx_tasks_user_created/);
  });

  it('monitor queries explains the seven patterns; on pg-mem it exits 2', async () => {
    const { code, stdout } = await runCli(['--url', fresh.backend.url, '--json', 'monitor', 'queries']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { checks: unknown[]; meaningful: boolean }).checks).toHaveLength(7);
    const pgmem = await runCli(['--url', 'pgmem:', 'monitor', 'queries']);
    expect(pgmem.code).toBe(2);
    expect(pgmem.stderr).toMatch(/^todo-db: monitor queries needs PostgreSQL's catalog and statistics, which pgmem does not have/);
  });

  it('--watch refreshes the report until Ctrl-C, then exits with the last verdict', async () => {
    // The verdict includes todo_app's attributes, which another test may be changing.
    await withRoleLock('shared', () => watchUntilInterrupted());
  });

  async function watchUntilInterrupted(): Promise<void> {
    const child = spawn(process.execPath, [BIN, '--url', fresh.backend.url, 'health', '--watch', '0.2'], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    const rounds = () => stdout.match(/^\d+ ok · \d+ warn · \d+ fail/gm)?.length ?? 0;
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (rounds() >= 2) resolve();
        }),
      );
      child.kill('SIGINT');
      expect(await exited, stdout).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(stdout).toMatch(/^ {2}ok {2,}migrations {2,}6 applied, none pending$/m);
  }
});
