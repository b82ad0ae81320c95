import { DOMParser } from '@xmldom/xmldom';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateUp, migrationStatus, openDatabase, rehearsalSettings, rehearsalSvg, rehearseMigrations, seedScale, type RehearsalResult, type TodoDatabase } from '../src/index.js';
import { runCli, startCli } from './support/cli.js';
import { CONCURRENT_INDEX } from './support/migration-snippets.js';
import { copyMigrations } from './support/migrations-copy.js';
import { adminQuery, createTestDatabase, type TestDatabase } from './support/postgres.js';
import { withRoleLock } from './support/role-lock.js';

/** The unsafe way to add a column: a volatile default rewrites tasks under ACCESS EXCLUSIVE. */
const VOLATILE_DEFAULT = `export async function up(db) {
  const { sql } = await import('kysely');
  await sql\`alter table tasks add column ref text default gen_random_uuid()::text\`.execute(db);
}
export async function down(db) {
  const { sql } = await import('kysely');
  await sql\`alter table tasks drop column ref\`.execute(db);
}
`;

/** Parses an SVG strictly: any XML error fails the test. */
function parseSvg(text: string): Document {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => void (level !== 'warning' && errors.push(message)) }).parseFromString(text, 'image/svg+xml');
  expect(errors).toEqual([]);
  return doc as unknown as Document;
}

const leftovers = async () => ({
  databases: (await adminQuery<{ datname: string }>(`select datname from pg_database where datname like 'tododb_rehearse_%'`)).map((r) => r.datname),
  roles: (await adminQuery<{ rolname: string }>(`select rolname from pg_roles where rolname like 'tododb_rehearse_app_%'`)).map((r) => r.rolname),
});

describe('migrate rehearse: bad input, one line and exit 2', () => {
  it.each([
    [['--budget-p99', 'abc'], /^todo-db: --budget-p99 must be a positive number, not "abc" \(e\.g\. --budget-p99 250\)$/],
    [['--concurrency', '0'], /^todo-db: --concurrency must be a positive number, not "0"/],
    [['--concurrency', '2.5'], /^todo-db: --concurrency must be a whole number from 1 to 64/],
    [['--baseline', '-1'], /^todo-db: --baseline must be a positive number/],
    [['--url', 'pglite:memory'], /^todo-db: migrate rehearse needs a PostgreSQL server for the target, not pglite/],
    [['--url', 'pgmem:'], /^todo-db: migrate rehearse needs a PostgreSQL server for the target, not pgmem/],
  ])('%j', async (args, line) => {
    const url = args.includes('--url') ? [] : ['--url', 'pglite:memory'];
    const result = await runCli(['migrate', 'rehearse', ...url, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(line);
    expect(result.stdout).toBe('');
  });

  it('defaults: 4 clients, a 10 s baseline, the budget from the baseline', () => {
    expect(rehearsalSettings({})).toEqual({ budgetP99Ms: null, concurrency: 4, baselineSeconds: 10 });
    expect(rehearsalSettings({ budgetP99: '250', concurrency: '8', baseline: '1.5' })).toEqual({ budgetP99Ms: 250, concurrency: 8, baselineSeconds: 1.5 });
  });
});

describe('migrate rehearse (PostgreSQL)', () => {
  let database: TestDatabase;
  let handle: TodoDatabase;
  let copy: ReturnType<typeof copyMigrations>;
  let result: RehearsalResult;

  beforeAll(async () => {
    database = await createTestDatabase('rehearse');
    handle = await openDatabase({ url: database.url });
    await migrateUp(handle);
    await seedScale(handle, { users: 200, tasksPerUser: 10, seed: 3 });
    copy = copyMigrations({ '0007_ref_volatile.js': VOLATILE_DEFAULT, '0008_concurrent_index.js': CONCURRENT_INDEX });
    result = await withRoleLock('shared', () => rehearseMigrations(handle, { dir: copy.dir, baseline: 1, concurrency: 2, budgetP99: 1e9 }));
  });
  afterAll(async () => {
    copy?.remove();
    await handle?.close();
    await database?.drop();
  });

  it('rehearses each pending migration on a copy under the workload, and reports it in the item shape', () => {
    expect(result.ok).toBe(true);
    expect(result.command).toBe('migrate rehearse');
    expect(result.copy).toMatchObject({ built: true, users: 200, tasks: 2000, dropped: true });
    expect(result.baseline!.count).toBeGreaterThan(0);
    expect(result.items.map((i) => [i.object, i.status])).toEqual([
      ['0007_ref_volatile', 'ok'],
      ['0008_concurrent_index', 'ok'],
    ]);
    for (const item of result.items) expect(Object.keys(item).sort()).toEqual(['details', 'fix', 'id', 'message', 'object', 'status']);
    const [volatile, index] = result.migrations;
    expect(volatile!.rewritten).toEqual(['tasks']);
    expect(index!.rewritten).toEqual([]);
    expect(volatile!.error).toBeNull();
    expect(index!.startMs).toBeGreaterThanOrEqual(volatile!.endMs);
    expect(result.series.length).toBeGreaterThan(0);
  });

  it('never touches the target, and drops the copy and its app role', async () => {
    expect((await migrationStatus(handle, { dir: copy.dir })).pending).toBe(2);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns where table_name = 'tasks' and column_name = 'ref'`.execute(handle.db);
    expect(rows[0]!.n).toBe(0);
    const left = await leftovers();
    expect(left.databases.filter((d) => d.includes(`_${process.pid}_`))).toEqual([]);
    expect(left.roles.filter((r) => r.includes(`_${process.pid}_`))).toEqual([]);
  });

  it('draws the run as a well-formed SVG: p50 and p99 lines, each migration window, the budget', () => {
    const doc = parseSvg(rehearsalSvg(result));
    const svg = doc.documentElement!;
    expect(svg.nodeName).toBe('svg');
    expect(svg.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    const byClass = (tag: string, cls: string) => Array.from(doc.getElementsByTagName(tag)).filter((e) => e.getAttribute('class') === cls);
    const withValues = result.series.filter((s) => s.p99 !== null).length;
    for (const line of ['p50', 'p99']) {
      const [polyline] = byClass('polyline', line);
      expect(polyline!.getAttribute('points')!.trim().split(/\s+/)).toHaveLength(withValues);
    }
    const windows = byClass('g', 'migration').map((g) => g.getElementsByTagName('title')[0]!.textContent);
    expect(windows).toEqual(['0007_ref_volatile', '0008_concurrent_index']);
    expect(byClass('g', 'baseline')).toHaveLength(1);
    expect(byClass('line', 'budget')).toHaveLength(1);
    expect(byClass('rect', 'lock-wait')).toHaveLength(result.lockWaits.length);
    // Every coordinate is a number: no NaN or undefined from an empty window.
    for (const el of Array.from(doc.getElementsByTagName('*'))) {
      for (const attr of ['x', 'y', 'x1', 'x2', 'y1', 'y2', 'width', 'height']) {
        const value = el.getAttribute(attr);
        if (value !== null && value !== '') expect(Number.isFinite(Number(value)), `${el.nodeName} ${attr}=${value}`).toBe(true);
      }
    }
  });

  it('CLI: over the p99 budget is exit 1 with the verdict; --report writes the chart; --json is one document', async () => {
    const report = join(tmpdir(), `tododb-rehearse-${process.pid}.svg`);
    try {
      const run = await withRoleLock('shared', () =>
        runCli([
          'migrate',
          'rehearse',
          '--url',
          database.url,
          '--migrations-dir',
          copy.dir,
          '--baseline',
          '1',
          '--concurrency',
          '2',
          '--budget-p99',
          '0.001',
          '--json',
          '--report',
          report,
        ]),
      );
      expect(run.code).toBe(1);
      const doc = JSON.parse(run.stdout) as RehearsalResult;
      expect(doc.ok).toBe(false);
      expect(doc.command).toBe('migrate rehearse');
      expect(typeof doc.durationMs).toBe('number');
      expect(doc.items.map((i) => i.status)).toEqual(['fail', 'fail']);
      expect(doc.items[0]!.fix).toMatch(/safe recipe/);
      parseSvg(readFileSync(report, 'utf8'));
    } finally {
      rmSync(report, { force: true });
    }
  });

  it('CLI: Ctrl-C during the rehearsal drops the copy and exits 130', async () => {
    const cli = startCli(['migrate', 'rehearse', '--url', database.url, '--migrations-dir', copy.dir, '--baseline', '30', '--concurrency', '1']);
    await cli.waitFor('s baseline', 60_000);
    const name = /built the copy (tododb_rehearse_\w+)/.exec(cli.output())![1]!;
    expect((await leftovers()).databases).toContain(name);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.output()).toContain(`dropped the copy`);
    expect((await leftovers()).databases).not.toContain(name);
  });

  it('--rehearse-url: an empty scratch database is populated, rehearsed on, and left in place', async () => {
    const scratch = await createTestDatabase('rehearse_copy');
    try {
      const run = await withRoleLock('shared', () =>
        runCli([
          'migrate',
          'rehearse',
          '--url',
          database.url,
          '--rehearse-url',
          scratch.url,
          '--migrations-dir',
          copy.dir,
          '--baseline',
          '1',
          '--concurrency',
          '1',
          '--budget-p99',
          '1000000',
          '--json',
        ]),
      );
      expect(run.code).toBe(0);
      const doc = JSON.parse(run.stdout) as RehearsalResult;
      expect(doc.copy).toMatchObject({ built: false, dropped: false, users: 200, tasks: 2000 });
      const applied = await adminQuery<{ name: string }>('select name from kysely_migration order by name', scratch.name);
      expect(applied.map((r) => r.name).slice(-2)).toEqual(['0007_ref_volatile', '0008_concurrent_index']);
      // Now it is ahead of the target: a second rehearsal on it is refused.
      const again = await runCli(['migrate', 'rehearse', '--url', database.url, '--rehearse-url', scratch.url, '--migrations-dir', copy.dir]);
      expect(again.code).toBe(2);
      expect(again.stderr.trim()).toMatch(/^todo-db: the copy at .* has 8 migrations applied \(last 0008_concurrent_index\), the target 6/);
    } finally {
      await scratch.drop();
    }
  });

  it('--rehearse-url cannot be the target itself', async () => {
    const run = await runCli(['migrate', 'rehearse', '--url', database.url, '--rehearse-url', database.url, '--migrations-dir', copy.dir]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^todo-db: --rehearse-url is the target database itself/);
  });

  it('nothing pending: nothing to rehearse, no copy built', async () => {
    const run = await runCli(['migrate', 'rehearse', '--url', database.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing pending: nothing to rehearse.');
    expect(run.stdout).not.toContain('building a copy');
  });
});
