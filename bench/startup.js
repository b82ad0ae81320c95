// @ts-check
/**
 * CLI start-up, end to end (process start to exit, as an operator runs it), with
 * `node -e 0` as the baseline in the same run: `todo-db --version`, `--help`,
 * `migrate status` against the local server and `health` against a 1M-task
 * database. docs/benchmarks.md.
 *
 *   npm run build && node bench/startup.js [--runs 20] [--url postgres://…/db-with-1M-tasks] [--also-bin other-entry.js]
 *
 * Without --url it creates a database on TODO_DB_BENCH_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), migrates it, loads 1M tasks with
 * the scale seed (--users 10000 × 100) plus VACUUM ANALYZE, and drops it at the
 * end (also on failure or Ctrl-C). `node bench/queries.js --keep` leaves one to
 * pass as --url. Uses its own loop of spawns (hyperfine is not needed): the
 * commands run interleaved, round after round, so they share the machine's load.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { migrateUp, openDatabase, seedScale } from '../dist/src/index.js';
import { ADMIN_URL, admin } from './admin.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    url: { type: 'string' },
    users: { type: 'string', default: '10000' },
    // another entry script to time `--version` with, in the same rounds (a proposed change)
    'also-bin': { type: 'string' },
  },
});
const RUNS = Number(args.runs);
const USERS = Number(args.users);
for (const [flag, n] of /** @type {const} */ ([
  ['--runs', RUNS],
  ['--users', USERS],
])) {
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`bench/startup: ${flag} must be a positive integer\n`);
    process.exit(2);
  }
}
const BIN = fileURLToPath(new URL('../bin/todo-db.js', import.meta.url));
const log = (/** @type {string} */ line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

/** The environment of a clean shell: no connection variables, no colour. */
const env = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1' }).filter(
    ([k]) => !['DATABASE_URL', 'DATABASE_URL_UNPOOLED', 'PGHOST', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGPORT'].includes(k),
  ),
);

/** @param {string} url @param {number} tasks */
const commands = (url, tasks) => [
  { name: 'node -e 0 (baseline)', argv: ['-e', '0'] },
  { name: 'todo-db --version', argv: [BIN, '--version'] },
  ...(args['also-bin'] ? [{ name: `${args['also-bin']} --version`, argv: [args['also-bin'], '--version'] }] : []),
  { name: 'todo-db --help', argv: [BIN, '--help'] },
  { name: 'todo-db migrate status (local server)', argv: [BIN, '--url', url, 'migrate', 'status'] },
  { name: `todo-db health (${tasks.toLocaleString('en-US')} tasks)`, argv: [BIN, '--url', url, 'health'] },
];

/** @param {number[]} list @param {number} p */
const percentile = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** @param {string} url @param {number} tasks */
function bench(url, tasks) {
  const list = commands(url, tasks);
  const times = list.map(() => /** @type {number[]} */ ([]));
  const codes = list.map(() => new Set());
  // Round 0 warms the file cache and the server; it is not counted.
  for (let round = 0; round <= RUNS; round++) {
    list.forEach((command, k) => {
      const t0 = performance.now();
      const run = spawnSync(process.execPath, command.argv, { env, encoding: 'utf8' });
      const elapsed = performance.now() - t0;
      if (run.error) throw run.error;
      if (round > 0) {
        times[k].push(elapsed);
        codes[k].add(run.status);
      }
    });
    if (round % 5 === 0) log(`round ${round}/${RUNS}; load ${load()}`);
  }
  const base = percentile(times[0], 50);
  return list.map((command, k) => ({
    name: command.name,
    median: percentile(times[k], 50),
    min: Math.min(...times[k]),
    p90: percentile(times[k], 90),
    ratio: percentile(times[k], 50) / base,
    exit: [...codes[k]].join(', '),
  }));
}

/** @returns {Promise<{ url: string; tasks: number; drop: () => Promise<void> }>} */
async function database() {
  const count = async (/** @type {string} */ url) => {
    const handle = await openDatabase({ url });
    try {
      return Number((await sql`select count(*) as n from tasks`.execute(handle.db)).rows.map((r) => /** @type {any} */ (r).n)[0]);
    } finally {
      await handle.close();
    }
  };
  if (args.url) return { url: args.url, tasks: await count(args.url), drop: async () => undefined };
  const name = `tododb_bench_startup_${process.pid}`;
  const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();
  await admin(`create database "${name}"`);
  const drop = () => admin(`drop database if exists "${name}" with (force)`);
  process.once('SIGINT', () => void drop().finally(() => process.exit(130)));
  try {
    const handle = await openDatabase({ url });
    try {
      await migrateUp(handle);
      log(`seeding ${USERS.toLocaleString('en-US')} users × 100 tasks`);
      await seedScale(handle, { users: USERS, tasksPerUser: 100, seed: 1 });
      await sql`vacuum analyze tasks`.execute(handle.db);
    } finally {
      await handle.close();
    }
    return { url, tasks: await count(url), drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

const started = new Date();
const startLoad = load();
const db = await database();
try {
  log(`database ready: ${db.tasks.toLocaleString('en-US')} tasks; load ${load()}`);
  const rows = bench(db.url, db.tasks);
  const ms = (/** @type {number} */ n) => `${n.toFixed(0)} ms`;
  const out = [
    `# CLI start-up (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `- command: \`node bench/startup.js ${process.argv.slice(2).join(' ')}\``.replace(/ `$/, '`').replace(/postgres:\/\/[^\s`]*/g, '<url>'),
    `- machine: ${availableParallelism()} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${startLoad} at the start, ${load()} at the end`,
    `- ${RUNS} runs of each, interleaved round by round (one warm-up round not counted); database: ${db.tasks.toLocaleString('en-US')} tasks`,
    '',
    '| command | median | min | p90 | median / node -e 0 | exit |',
    '|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${ms(r.median)} | ${ms(r.min)} | ${ms(r.p90)} | ${r.ratio.toFixed(2)}× | ${r.exit} |`),
    '',
  ];
  process.stdout.write(out.join('\n'));
} finally {
  await db.drop();
}
