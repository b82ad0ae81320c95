// @ts-check
/**
 * Archiving throughput: `archiveTasks` (batches, one transaction each) against
 * the in-server minimum, one statement that moves every due task in a single
 * transaction (which holds its row locks for the whole run: what batching avoids).
 * Each contender runs on its own copy of one prepared database (CREATE DATABASE …
 * TEMPLATE), in alternating order, so they see the same rows and the same cache.
 *
 *   npm run build && node bench/archive.js [--tasks 1000000] [--rounds 2]
 *
 * Databases are created on TODO_DB_BENCH_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { archiveTasks, migrateUp, openDatabase } from '../dist/src/index.js';
import { ADMIN_URL, admin } from './admin.js';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '2' } } });
const TASKS = Number(values.tasks);
const ROUNDS = Number(values.rounds);
const TASKS_PER_USER = 100;
const CUTOFF = '30d';

const template = `tododb_bench_archive_${process.pid}`;
/** @param {string} name */
const urlOf = (name) => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
/** @param {number[]} list @param {number} q */
const quantile = (list, q) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(list.length * q))] ?? NaN;

/** Half the tasks are due: completed and last updated 60+ days ago. */
async function prepare() {
  await admin(`create database "${template}"`);
  const handle = await openDatabase({ url: urlOf(template) });
  try {
    await migrateUp(handle);
    const users = Math.ceil(TASKS / TASKS_PER_USER);
    await sql`insert into users (email) select 'bench-' || i || '@example.com' from generate_series(1, ${users}::int) as i`.execute(handle.db);
    await sql`
      insert into tasks (user_id, title, completed, created_at, updated_at)
      select u.id, 'task ' || t, t % 2 = 0, now() - interval '400 days', now() - (t % 120) * interval '1 day' - t * interval '1 millisecond'
      from generate_series(1, ${TASKS}::int) as t
      join (select id, row_number() over (order by email) - 1 as n from users) as u on u.n = t % ${users}::int`.execute(handle.db);
    await sql`vacuum analyze`.execute(handle.db);
  } finally {
    await handle.close();
  }
}

/** The baseline: every due task in one statement, one transaction. */
const ONE_STATEMENT = sql`
  with moved as (delete from tasks where completed and updated_at < now() - interval '30 days'
                 returning id, user_id, title, description, completed, created_at, updated_at)
  insert into tasks_archive (id, user_id, title, description, completed, created_at, updated_at)
  select * from moved`;

/** @param {string} label @param {(handle: any) => Promise<{ moved: number, batchMs: number[] }>} run */
async function measure(label, run) {
  const name = `${template}_${label.replace(/\W+/g, '_')}`;
  await admin(`create database "${name}" template "${template}"`);
  try {
    const handle = await openDatabase({ url: urlOf(name) });
    try {
      await sql`select count(*) from tasks`.execute(handle.db); // warm the cache alike
      const started = performance.now();
      const { moved, batchMs } = await run(handle);
      const ms = performance.now() - started;
      return { label, ms, moved, batchMs };
    } finally {
      await handle.close();
    }
  } finally {
    await admin(`drop database "${name}"`);
  }
}

const contenders = {
  'one statement': async (/** @type {any} */ handle) => {
    const t = performance.now();
    const result = await ONE_STATEMENT.execute(handle.db);
    return { moved: Number(result.numAffectedRows ?? 0), batchMs: [performance.now() - t] };
  },
  ...Object.fromEntries(
    [1000, 5000, 10000].map((size) => [
      `archive, batch ${size.toLocaleString('en-US')}`,
      async (/** @type {any} */ handle) => {
        const batchMs = [];
        let last = performance.now();
        const r = await archiveTasks(handle, {
          completedBefore: CUTOFF,
          batchSize: size,
          onBatch: () => {
            const now = performance.now();
            batchMs.push(now - last);
            last = now;
          },
        });
        return { moved: r.moved, batchMs };
      },
    ]),
  ),
};

console.log(
  `archive bench: ${TASKS.toLocaleString('en-US')} tasks, ${ROUNDS} rounds; load average ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`,
);
const started = performance.now();
await prepare();
console.log(`prepared in ${((performance.now() - started) / 1000).toFixed(1)} s`);
try {
  /** @type {Record<string, number[]>} */
  const times = {};
  /** @type {Record<string, number[]>} */
  const batches = {};
  let moved = 0;
  const entries = Object.entries(contenders);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? entries : [...entries].reverse();
    for (const [label, run] of order) {
      const r = await measure(label, run);
      (times[label] ??= []).push(r.ms);
      (batches[label] ??= []).push(...r.batchMs);
      moved = r.moved;
      console.log(`  round ${round + 1}  ${label.padEnd(22)} ${(r.ms / 1000).toFixed(2)} s  (${r.moved.toLocaleString('en-US')} moved)`);
    }
  }
  const base = quantile(times['one statement'] ?? [], 0.5);
  console.log(`\n${moved.toLocaleString('en-US')} due tasks moved; median of ${ROUNDS}:`);
  console.log(`  ${'contender'.padEnd(22)} ${'time'.padStart(8)}  ${'tasks/s'.padStart(9)}  ${'vs one stmt'.padStart(11)}  longest transaction`);
  for (const [label] of entries) {
    const ms = quantile(times[label] ?? [], 0.5);
    const longest = Math.max(...(batches[label] ?? [NaN]));
    console.log(
      `  ${label.padEnd(22)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${Math.round(moved / (ms / 1000))
        .toLocaleString('en-US')
        .padStart(9)}  ${(ms / base).toFixed(2).padStart(10)}×  ${longest.toFixed(0)} ms`,
    );
  }
} finally {
  await admin(`drop database if exists "${template}"`);
}
