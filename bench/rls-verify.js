// @ts-check
/**
 * Times `todo-db rls verify` end to end on PostgreSQL with 1M tasks (and 10M
 * with --tasks 10000000), the in-process `verifyRls`, the longest row-lock hold
 * of one probe statement, and the cost of the existing-data evidence by sample
 * size (--sample 0, 20, 200).
 *
 *   npm run build && node bench/rls-verify.js [--tasks 1000000] [--runs 5]
 *
 * Creates a scratch database on TODO_DB_BENCH_ADMIN_URL and drops it at the end.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { migrateUp, openDatabase, verifyRls } from '../dist/src/index.js';
import { ADMIN_URL, admin } from './admin.js';
import { fillTasks } from './fill.js';

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' } } });
const TASKS = Number(values.tasks);
const RUNS = Number(values.runs);
const BIN = fileURLToPath(new URL('../bin/todo-db.js', import.meta.url));
/** @param {number[]} list */
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;

const scratch = `tododb_bench_rls_${process.pid}`;
const url = Object.assign(new URL(ADMIN_URL), { pathname: `/${scratch}` }).toString();
await admin(`create database "${scratch}"`);
try {
  const db = await openDatabase({ url });
  try {
    await migrateUp(db);
    const users = await fillTasks(db.db, TASKS);
    console.log(
      `${users.toLocaleString('en-US')} users, ${TASKS.toLocaleString('en-US')} tasks; ${db.server.version}; load average ${loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')}`,
    );
    for (const sample of [0, 20, 200]) {
      const times = [];
      let last;
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        last = await verifyRls(db, { sample });
        times.push(performance.now() - started);
      }
      console.log(
        `verifyRls --sample ${sample}: median ${median(times).toFixed(0)} ms over ${RUNS}; ${last?.checks.length} rows; ok ${last?.ok} (failed: ${last?.failed.join(', ') || 'none'}); longest row-lock hold ${last?.longestLockMs} ms; transaction ${last?.transactionMs} ms`,
      );
    }
  } finally {
    await db.close();
  }
  const cli = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [BIN, '--url', url, 'rls', 'verify', '--quiet'], { encoding: 'utf8' });
    cli.push(performance.now() - started);
    if (i === 0) console.log(`todo-db rls verify: exit ${run.status}: ${run.stdout.trim().split('\n').at(-1)}`);
  }
  console.log(`todo-db rls verify end to end: median ${median(cli).toFixed(0)} ms over ${RUNS} (min ${Math.min(...cli).toFixed(0)}, max ${Math.max(...cli).toFixed(0)})`);
} finally {
  await admin(`drop database if exists "${scratch}" with (force)`);
}
