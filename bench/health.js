// @ts-check
/**
 * Times `todo-db health` end to end (process start to exit, as an operator runs
 * it, with its default deadline and inspect timeouts) on a PostgreSQL database
 * with 1M tasks, with the breakdown: bare Node start-up, `--version`, loading the
 * library in a fresh process, connecting, `runHealth` in process, closing; plus
 * `monitor queries` for the per-pattern execution times. The spawned commands
 * run interleaved, round after round, so they share the machine's load.
 *
 *   npm run build && node bench/health.js [--tasks 1000000] [--runs 10] [--url postgres://…]
 *
 * Without --url it creates a scratch database on TODO_DB_BENCH_ADMIN_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres), fills it with one
 * INSERT … SELECT generate_series, and drops it at the end (--keep keeps it and
 * prints its URL, for more runs with --url).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { migrateUp, monitorQueries, openDatabase, runHealth } from '../dist/src/index.js';
import { ADMIN_URL, admin } from './admin.js';
import { fillTasks } from './fill.js';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '10' }, url: { type: 'string' }, keep: { type: 'boolean', default: false } },
});
const TASKS = Number(values.tasks);
const RUNS = Number(values.runs);
const TASKS_PER_USER = 100;
const BIN = fileURLToPath(new URL('../bin/todo-db.js', import.meta.url));

/** @param {number[]} list */
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
/** @param {number} ms */
const fmt = (ms) => `${ms.toFixed(1)} ms`;

const scratch = values.url ? undefined : `tododb_bench_health_${process.pid}`;
const url = values.url ?? Object.assign(new URL(ADMIN_URL), { pathname: `/${scratch}` }).toString();
if (scratch) await admin(`create database "${scratch}"`);
try {
  const handle = await openDatabase({ url });
  try {
    if (scratch) {
      await migrateUp(handle);
      const started = performance.now();
      const users = await fillTasks(handle.db, TASKS, TASKS_PER_USER);
      console.log(`filled ${users.toLocaleString('en-US')} users and ${TASKS.toLocaleString('en-US')} tasks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const count = Number((await sql`select count(*)::int as n from tasks`.execute(handle.db)).rows.map((r) => /** @type {any} */ (r).n)[0]);
    console.log(
      `database: ${count.toLocaleString('en-US')} tasks, ${handle.server.version}; load average ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}`,
    );

    // Interleaved rounds: each spawned command once per round, so load spikes hit all of them alike.
    /** @type {Record<string, number[]>} */
    const spawned = { bare: [], version: [], library: [], cli: [], bundled: [] };
    // The proposal of bench/health-bundle.js, timed in the same rounds when it is built.
    const BUNDLED = fileURLToPath(new URL('./health-bundle.js', import.meta.url));
    const bundled = existsSync(new URL('../dist/bundle/cli/main.js', import.meta.url));
    /** @param {string[]} args */
    const time = (args) => {
      const started = performance.now();
      const run = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return { ms: performance.now() - started, code: run.status, stdout: run.stdout };
    };
    const LIBRARY = fileURLToPath(new URL('../dist/src/index.js', import.meta.url));
    /** @type {number | null} */
    let exitCode = null;
    let lastDoc = '';
    for (let i = 0; i < RUNS; i++) {
      spawned.bare.push(time(['-e', '0']).ms);
      spawned.version.push(time([BIN, '--version']).ms);
      spawned.library.push(time(['-e', `await import(${JSON.stringify(LIBRARY)})`, '--input-type=module']).ms);
      const run = time([BIN, '--url', url, '--json', 'health']);
      spawned.cli.push(run.ms);
      exitCode = run.code;
      lastDoc = run.stdout;
      if (bundled) spawned.bundled.push(time([BUNDLED, '--url', url, '--json', 'health']).ms);
    }
    const connect = [];
    const close = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const h = await openDatabase({ url, purpose: 'inspect' });
      connect.push(performance.now() - started);
      const closing = performance.now();
      await h.close();
      close.push(performance.now() - closing);
    }
    const cli = spawned.cli;
    /** @type {number[]} */
    const core = [];
    /** @type {Awaited<ReturnType<typeof runHealth>> | undefined} */
    let report;
    const inspect = await openDatabase({ url, purpose: 'inspect' });
    try {
      for (let i = 0; i < RUNS; i++) {
        report = await runHealth(inspect);
        core.push(report.durationMs);
      }
    } finally {
      await inspect.close();
    }
    const cliDoc = JSON.parse(lastDoc || '{}');
    console.log(
      `todo-db health (end to end, ${RUNS} runs): median ${fmt(median(cli))}, min ${fmt(Math.min(...cli))}, max ${fmt(Math.max(...cli))}; exit ${exitCode}; its own durationMs ${cliDoc.durationMs} ms`,
    );
    if (bundled)
      console.log(`todo-db health from one bundle (bench/health-bundle.js, a proposal): median ${fmt(median(spawned.bundled))}, min ${fmt(Math.min(...spawned.bundled))}`);
    console.log('breakdown (medians):');
    console.log(`  node -e 0 (bare Node start-up): ${fmt(median(spawned.bare))}`);
    console.log(`  todo-db --version (Node + the CLI's own modules, no driver): ${fmt(median(spawned.version))}`);
    console.log(`  node: import dist/src/index.js (Node + the library: kysely, pg, …): ${fmt(median(spawned.library))}`);
    console.log(`  openDatabase (connect, start-up packet with the inspect timeouts, server info): ${fmt(median(connect))}`);
    console.log(`  close: ${fmt(median(close))}`);
    console.log(`  runHealth (in process, one connection): median ${fmt(median(core))}, min ${fmt(Math.min(...core))}`);
    if (report) {
      const slowest = [...report.checks].sort((a, b) => b.details.durationMs - a.details.durationMs).slice(0, 4);
      console.log(`  slowest checks: ${slowest.map((c) => `${c.id} ${fmt(c.details.durationMs)}`).join(', ')}`);
      console.log(
        `  verdict: ${Object.entries(report.counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(' · ')}`,
      );
      for (const c of report.checks.filter((c) => c.status === 'warn' || c.status === 'fail')) console.log(`  ${c.status} ${c.id}: ${c.message}`);
    }
    const queries = await monitorQueries(handle);
    console.log(`monitor queries: ${queries.ok ? 'all on their expected indexes within target' : 'PROBLEMS'}`);
    for (const p of queries.patterns) console.log(`  ${p.id} ${p.name.padEnd(34)} ${(p.indexes.join(', ') || '-').padEnd(26)} ${fmt(p.executionMs ?? NaN)}`);
  } finally {
    await handle.close();
  }
} finally {
  if (scratch && values.keep) console.log(`kept ${url}`);
  else if (scratch) await admin(`drop database if exists "${scratch}" with (force)`);
}
