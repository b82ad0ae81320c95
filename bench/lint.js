// @ts-check
/**
 * `todo-db migrate lint` against squawk-cli over the corpus of test/fixtures/lint
 * (dangerous snippets and their safe twins), in one run: which snippets each
 * flags, what each catches that the other misses, and the time per file.
 *
 *   npm run build && node bench/lint.js [--tasks 100000] [--runs 5]
 *
 * todo-db lints each snippet against a scratch PostgreSQL database with TASKS
 * rows in tasks (created on TODO_DB_BENCH_ADMIN_URL and dropped at the end); it
 * "flags" a snippet when it reports an error. squawk (the npm package's platform
 * binary) reads the SQL only; it "flags" a snippet with any finding, and, in the
 * second count, with a finding of a rule about locks or rewrites (its style rules
 * such as prefer-robust-stmts or prefer-bigint-over-int left out).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { lintSql, migrateUp, openDatabase } from '../dist/src/index.js';
import { loadParser, parseSql } from '../dist/src/lint/parse.js';
import { ADMIN_URL, admin } from './admin.js';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } } });
const TASKS = Number(values.tasks);
const RUNS = Number(values.runs);
const CORPUS = fileURLToPath(new URL('../test/fixtures/lint/', import.meta.url));
const SQUAWK = createRequire(import.meta.url).resolve('squawk-cli/js/bin/squawk');
/** squawk rules about style or robustness rather than locks and rewrites. */
const STYLE = new Set([
  'prefer-robust-stmts',
  'prefer-bigint-over-int',
  'prefer-bigint-over-smallint',
  'prefer-identity',
  'prefer-text-field',
  'prefer-timestamptz',
  'require-statement-timeout',
  'ban-char-field',
]);

/** @param {number[]} list */
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;

const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const snippets = files.map((file) => ({ file, kind: file.endsWith('.bad.sql') ? 'bad' : 'good', text: readFileSync(join(CORPUS, file), 'utf8') }));

// squawk: one process over the whole corpus (its own per-file cost), then one process per file (as a CI step runs it)
const squawkArgs = ['--reporter', 'json', '--pg-version', '15'];
let started = performance.now();
const whole = spawnSync(process.execPath, [SQUAWK, ...squawkArgs, ...files.map((f) => join(CORPUS, f))], { encoding: 'utf8' });
const squawkBatchMs = performance.now() - started;
/** @type {Array<{ file: string; rule_name: string }>} */
const squawkFindings = JSON.parse(whole.stdout || '[]');
const squawkPerFile = [];
for (const f of files.slice(0, 10)) {
  started = performance.now();
  spawnSync(process.execPath, [SQUAWK, ...squawkArgs, join(CORPUS, f)], { encoding: 'utf8' });
  squawkPerFile.push(performance.now() - started);
}
const squawkRules = (/** @type {string} */ file) => [...new Set(squawkFindings.filter((x) => x.file.endsWith(`/${file}`)).map((x) => x.rule_name))];

// todo-db: against a live database with TASKS rows
const database = `tododb_bench_lint_${process.pid}`;
await admin(`create database "${database}"`);
const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
const parserStart = performance.now();
await loadParser();
const parserLoadMs = performance.now() - parserStart;
const rows = [];
const lintMs = [];
const parseMs = [];
try {
  const handle = await openDatabase({ url });
  await migrateUp(handle);
  await sql`insert into users (id, email, name) values ('00000000-0000-4000-8000-000000000001', 'bench@example.com', 'bench')`.execute(handle.db);
  await sql`insert into tasks (user_id, title) select '00000000-0000-4000-8000-000000000001', 'task ' || g from generate_series(1, ${TASKS}) g`.execute(handle.db);
  for (const s of snippets) {
    let result;
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      result = await lintSql(handle, s.text, { name: s.file });
      times.push(performance.now() - t);
    }
    const p = performance.now();
    for (let i = 0; i < RUNS; i++) await parseSql(s.text);
    parseMs.push((performance.now() - p) / RUNS);
    lintMs.push(median(times));
    const ours = [...new Set((result?.findings ?? []).filter((f) => f.status === 'fail').map((f) => f.id))];
    const theirs = squawkRules(s.file);
    rows.push({ ...s, ours, theirs, theirsSafety: theirs.filter((r) => !STYLE.has(r)) });
  }
  await handle.close();
} finally {
  await admin(`drop database if exists "${database}" with (force)`);
}

const bad = rows.filter((r) => r.kind === 'bad');
const good = rows.filter((r) => r.kind === 'good');
const count = (/** @type {typeof rows} */ list, /** @type {(r: typeof rows[number]) => boolean} */ pred) => list.filter(pred).length;
const flaggedOurs = (/** @type {typeof rows[number]} */ r) => r.ours.length > 0;
const flaggedTheirs = (/** @type {typeof rows[number]} */ r) => r.theirs.length > 0;
const flaggedTheirsSafety = (/** @type {typeof rows[number]} */ r) => r.theirsSafety.length > 0;
const agree = count(rows, (r) => flaggedOurs(r) === flaggedTheirsSafety(r));

console.log(
  `# bench/lint.js · ${new Date().toISOString()} · ${snippets.length} snippets (${bad.length} dangerous, ${good.length} safe twins) · tasks ${TASKS} · load ${loadavg()[0]?.toFixed(1)}`,
);
console.log('\n| snippet | todo-db errors | squawk findings |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.file} | ${r.ours.join(', ') || '–'} | ${r.theirs.join(', ') || '–'} |`);
console.log('\n| | todo-db (errors) | squawk (any finding) | squawk (lock/rewrite rules) |\n|---|---|---|---|');
console.log(
  `| dangerous snippets flagged | ${count(bad, flaggedOurs)}/${bad.length} | ${count(bad, flaggedTheirs)}/${bad.length} | ${count(bad, flaggedTheirsSafety)}/${bad.length} |`,
);
console.log(
  `| safe twins flagged (false alarms) | ${count(good, flaggedOurs)}/${good.length} | ${count(good, flaggedTheirs)}/${good.length} | ${count(good, flaggedTheirsSafety)}/${good.length} |`,
);
console.log(`\nAgreement (todo-db error vs squawk lock/rewrite finding, per snippet): ${agree}/${rows.length}`);
console.log(
  `Dangerous, caught by todo-db only: ${
    bad
      .filter((r) => flaggedOurs(r) && !flaggedTheirsSafety(r))
      .map((r) => r.file)
      .join(', ') || 'none'
  }`,
);
console.log(
  `Dangerous, caught by squawk only: ${
    bad
      .filter((r) => !flaggedOurs(r) && flaggedTheirsSafety(r))
      .map((r) => r.file)
      .join(', ') || 'none'
  }`,
);
console.log(
  `Dangerous, missed by both: ${
    bad
      .filter((r) => !flaggedOurs(r) && !flaggedTheirsSafety(r))
      .map((r) => r.file)
      .join(', ') || 'none'
  }`,
);
console.log(
  `Safe twins squawk still flags (lock/rewrite rules): ${
    good
      .filter(flaggedTheirsSafety)
      .map((r) => `${r.file} (${r.theirsSafety.join(', ')})`)
      .join('; ') || 'none'
  }`,
);
console.log(`\n| time per file | median | max |\n|---|---|---|`);
console.log(`| todo-db lintSql (parse + rules + live sizes, in process) | ${median(lintMs).toFixed(1)} ms | ${Math.max(...lintMs).toFixed(1)} ms |`);
console.log(`| todo-db parse only (libpg-query WASM) | ${median(parseMs).toFixed(2)} ms | ${Math.max(...parseMs).toFixed(2)} ms |`);
console.log(`| squawk, one process over the corpus, per file | ${(squawkBatchMs / files.length).toFixed(1)} ms | |`);
console.log(`| squawk, one process per file (10 files) | ${median(squawkPerFile).toFixed(1)} ms | ${Math.max(...squawkPerFile).toFixed(1)} ms |`);
console.log(`\nlibpg-query WASM load: ${parserLoadMs.toFixed(0)} ms once per process`);
