import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINT_RULES, lintSql } from '../src/index.js';
import { lintCorpus, migratedPostgres } from './support/lint-data.js';

const corpus = lintCorpus();
const bad = corpus.filter((c) => c.kind === 'bad');
const good = corpus.filter((c) => c.kind === 'good');
const sizeDependent = (rule: string) => LINT_RULES.find((r) => r.id === rule)?.sizeDependent === true;

type Db = Awaited<ReturnType<typeof migratedPostgres>>;
let loaded: Db;
let empty: Db;

beforeAll(async () => {
  [loaded, empty] = await Promise.all([migratedPostgres('lint_100k', 100_000), migratedPostgres('lint_empty', 0)]);
});
afterAll(async () => {
  await Promise.all([loaded?.close(), empty?.close()]);
});

describe('the lint corpus', () => {
  it('has at least 40 snippets, every dangerous one with a safe twin and a known rule', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    for (const b of bad) {
      expect(good.map((g) => g.name)).toContain(b.name);
      expect([...LINT_RULES.map((r) => r.id), 'parse-error']).toContain(b.rule);
    }
  });

  it('reads tasks as ~100k rows without an ANALYZE', async () => {
    const result = await lintSql(loaded.handle, 'create index i on tasks (title);');
    const rows = result.statements[0]!.rows!;
    expect(rows).toBeGreaterThan(80_000);
    expect(rows).toBeLessThan(125_000);
  });
});

describe('on a 100k-row tasks table (PostgreSQL)', () => {
  it.each(bad.map((b) => [b.name, b]))('%s is an error of its rule', async (_name, b) => {
    const result = await lintSql(loaded.handle, b.sql, { name: b.name });
    const failing = result.findings.filter((f) => f.status === 'fail').map((f) => f.id);
    expect(failing).toContain(b.rule);
    expect(result.ok).toBe(false);
  });

  it.each(good.map((g) => [g.name, g]))('%s (the safe twin) has no error', async (_name, g) => {
    const result = await lintSql(loaded.handle, g.sql, { name: g.name });
    expect(result.findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe('on an empty tasks table (PostgreSQL)', () => {
  it.each(bad.map((b) => [b.name, b]))('%s is an error only when its rule does not depend on size', async (_name, b) => {
    const result = await lintSql(empty.handle, b.sql, { name: b.name });
    const failing = result.findings.filter((f) => f.status === 'fail').map((f) => f.id);
    if (sizeDependent(b.rule!)) expect(failing).toEqual([]);
    else expect(failing).toContain(b.rule);
  });
});

describe('what a finding says', () => {
  it('names rule, line, statement, lock, tables, rewrite and the live size; the fix is the recipe', async () => {
    const result = await lintSql(loaded.handle, "set lock_timeout = '2s';\n\nalter table tasks add column rank float8 default random();", { name: 'x' });
    const finding = result.findings.find((f) => f.id === 'add-column-rewrite')!;
    expect(finding).toMatchObject({
      status: 'fail',
      object: 'tasks',
      fix: LINT_RULES.find((r) => r.id === 'add-column-rewrite')!.recipe,
      details: { rule: 'add-column-rewrite', migration: 'x', line: 3, lock: 'ACCESS EXCLUSIVE', tables: ['tasks'], rewrite: 'rewrite' },
    });
    expect(finding.details.statement).toContain('random()');
    expect(finding.details.bytes).toBeGreaterThan(1_000_000);
    expect(finding.message).toContain('volatile');
  });

  it('is a warning, not an error, on a table below the threshold', async () => {
    const result = await lintSql(loaded.handle, 'create index i on tasks (title);', { thresholdRows: 1_000_000 });
    expect(result.findings.map((f) => [f.id, f.status])).toContainEqual(['non-concurrent-index', 'warn']);
    expect(result.ok).toBe(true);
  });

  it('takes volatility from pg_proc: a function created stable is not a rewrite, the same body volatile is', async () => {
    const { sql } = await import('kysely');
    await sql`create function lint_stable_now() returns timestamptz language sql stable as 'select now()'`.execute(loaded.handle.db);
    await sql`create function lint_volatile_now() returns timestamptz language sql volatile as 'select now()'`.execute(loaded.handle.db);
    const stable = await lintSql(loaded.handle, "set lock_timeout = '1s'; alter table tasks add column a timestamptz default lint_stable_now();");
    const volatile = await lintSql(loaded.handle, "set lock_timeout = '1s'; alter table tasks add column a timestamptz default lint_volatile_now();");
    expect(stable.findings).toEqual([]);
    expect(volatile.findings.map((f) => f.id)).toEqual(['add-column-rewrite']);
  });

  it('reports SQL that does not parse with the parser message and position, as an error', async () => {
    const result = await lintSql(loaded.handle, 'select 1;\nalter tabel tasks add column due_at timestamptz;');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ id: 'parse-error', status: 'fail', details: { line: 2 } });
    expect(result.findings[0]!.message).toContain('syntax error at or near "tabel"');
    expect(result.findings[0]!.message).toContain('line 2, column 7');
  });

  it('an allow comment with a reason silences its rule on the next statement only', async () => {
    const text =
      "set lock_timeout = '2s';\n-- todo-db-lint-allow: non-concurrent-index maintenance window\ncreate index a on tasks (title);\ncreate index b on tasks (description);";
    const result = await lintSql(loaded.handle, text);
    const index = result.findings.filter((f) => f.id === 'non-concurrent-index');
    expect(index.map((f) => [f.details.line, f.status, f.details.allowed])).toEqual([
      [3, 'ok', 'maintenance window'],
      [4, 'fail', undefined],
    ]);
  });
});
