// @ts-check
/**
 * Seed benchmark (docs/benchmarks.md): `todo-db seed --users N --tasks-per-user M`
 * against two in-server baselines on the same PostgreSQL and schema, each in a
 * fresh database:
 *   1. INSERT ... SELECT FROM generate_series into the indexed tables;
 *   2. the same into a bare tasks table, then building its indexes and keys
 *      (what pg_restore does; the fastest the server can do);
 * and todo-db twice: into empty tables, and after `todo-db seed` (the
 * development seed's 14 tasks are there: the case that used to lose its index
 * deferral). All end with VACUUM (ANALYZE) after commit, as the seed does, so
 * each leaves the tables ready to serve. Run after `npm run build`:
 *   node bench/seed.js [--users 10000] [--tasks-per-user 100] [--url postgres://postgres@127.0.0.1:5432/postgres] [--json]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrateUp, withDatabase } from '../dist/src/index.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    'tasks-per-user': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string', default: process.env.TODO_DB_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    json: { type: 'boolean', default: false },
  },
});
const users = Number(args.users);
const tasksPerUser = Number(args['tasks-per-user']);
const rows = users + users * tasksPerUser;
const BIN = fileURLToPath(new URL('../bin/todo-db.js', import.meta.url));

/** @param {string} database */
function urlOf(database) {
  const url = new URL(args.url);
  url.pathname = `/${database}`;
  return url.toString();
}

/** @param {string} text @param {string} [database] */
async function admin(text, database) {
  const client = new pg.Client({ connectionString: database ? urlOf(database) : args.url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh database with the todo-db schema; returns its name and a remover. @param {string} label */
async function freshDatabase(label) {
  const name = `tododb_bench_${label}_${process.pid}`;
  await admin(`drop database if exists ${name} with (force)`);
  await admin(`create database ${name}`);
  await withDatabase({ url: urlOf(name) }, (handle) => migrateUp(handle));
  return { name, drop: () => admin(`drop database if exists ${name} with (force)`) };
}

const USERS_SQL = `
  insert into users (email, email_verified, name, created_at, updated_at)
  select 'bench' || g || '@example.com', g % 100 < 85, 'User ' || g, ts, ts
  from (select g, timestamptz '2024-01-01' + g * interval '1 minute' as ts from generate_series(1, ${users}) g) s`;
const TASKS_SQL = `
  insert into tasks (user_id, title, description, completed, created_at, updated_at)
  select u.id, 'Task ' || t || ' of ' || u.name, case when t % 10 < 3 then 'Needs the numbers from finance first.' end,
         t % 10 < 4, u.created_at + t * interval '1 hour', u.created_at + t * interval '1 hour'
  from users u cross join generate_series(1, ${tasksPerUser}) t`;

/** Same catalog reading as the seed's index deferral, kept here so the baseline does not depend on it. */
const DEFERRABLE = `
  select kind, name, definition from (
    select 'constraint' as kind, conname as name, pg_get_constraintdef(oid) as definition,
           case contype when 'p' then 1 else 3 end as step
    from pg_constraint where conrelid = 'tasks'::regclass and contype in ('p', 'f')
    union all
    select 'index', c.relname, pg_get_indexdef(i.indexrelid), 2 from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = 'tasks'::regclass and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
  ) d order by step, name`;

/** @param {string} database @param {boolean} bare */
async function baseline(database, bare) {
  const client = new pg.Client({ connectionString: urlOf(database) });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('begin');
    /** @type {{ kind: string, name: string, definition: string }[]} */
    const deferred = bare ? (await client.query(DEFERRABLE)).rows : [];
    for (const d of [...deferred].reverse()) await client.query(d.kind === 'index' ? `drop index ${d.name}` : `alter table tasks drop constraint ${d.name}`);
    await client.query(USERS_SQL);
    await client.query(TASKS_SQL);
    for (const d of deferred) await client.query(d.kind === 'index' ? d.definition : `alter table tasks add constraint ${d.name} ${d.definition}`);
    await client.query('commit');
    await client.query('vacuum (analyze) users, tasks');
    return { ms: performance.now() - started };
  } finally {
    await client.end();
  }
}

/** The development seed, untimed: the state a new user's database is in. @param {string} database */
async function developmentSeed(database) {
  await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--url', urlOf(database), '--quiet', 'seed'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(undefined) : reject(new Error(`todo-db seed exited ${code}`))));
  });
}

/** The CLI as a user runs it; peak memory read from /proc while it runs. @param {string} database */
function ours(database) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [BIN, '--url', urlOf(database), '--json', 'seed', '--users', String(users), '--tasks-per-user', String(tasksPerUser), '--seed', String(args.seed)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    let peakKb = 0;
    const sample = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // exited between samples
      }
    }, 100);
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      if (code !== 0) return reject(new Error(`todo-db seed exited ${code}: ${out}`));
      resolve({ ms: performance.now() - started, peakMb: Math.round(peakKb / 1024), result: JSON.parse(out) });
    });
  });
}

const contenders = [
  { key: 'insertSelectIndexed', label: 'INSERT … SELECT generate_series into the indexed tables', run: (/** @type {string} */ db) => baseline(db, false) },
  { key: 'insertSelectBare', label: 'INSERT … SELECT into a bare tasks table, then build indexes and keys', run: (/** @type {string} */ db) => baseline(db, true) },
  { key: 'todoDbSeed', label: `todo-db seed --users ${users} --tasks-per-user ${tasksPerUser}`, run: ours },
  {
    key: 'todoDbAfterDevelopment',
    label: `the same after \`todo-db seed\` (14 development tasks already there)`,
    run: async (/** @type {string} */ db) => {
      await developmentSeed(db);
      return ours(db);
    },
  },
];

/** @type {Record<string, any>} */
const results = {};
for (const contender of contenders) {
  const db = await freshDatabase(contender.key.toLowerCase());
  try {
    const r = /** @type {any} */ (await contender.run(db.name));
    results[contender.key] = {
      label: contender.label,
      seconds: +(r.ms / 1000).toFixed(2),
      rowsPerSecond: Math.round(rows / (r.ms / 1000)),
      // the CLI's own measure, without Node start-up and connecting
      ...(r.result ? { loadSeconds: +(r.result.durationMs / 1000).toFixed(2), peakMb: r.peakMb, indexes: r.result.indexes?.strategy } : {}),
    };
  } finally {
    await db.drop();
  }
}
const ourSeconds = results.todoDbSeed.seconds;
const server = (
  await admin(`select current_setting('server_version') as v, current_setting('maintenance_work_mem') as m, current_setting('max_parallel_maintenance_workers') as p`)
)[0];
const report = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end`,
  server: `PostgreSQL ${server.v} (maintenance_work_mem ${server.m}, max_parallel_maintenance_workers ${server.p})`,
  node: process.version,
  users,
  tasks: users * tasksPerUser,
  results,
  ratio: {
    vsIndexed: +(ourSeconds / results.insertSelectIndexed.seconds).toFixed(2),
    vsBare: +(ourSeconds / results.insertSelectBare.seconds).toFixed(2),
    afterDevelopmentVsEmpty: +(results.todoDbAfterDevelopment.seconds / ourSeconds).toFixed(2),
    // the CLI's own load time, without Node start-up: less noise on a busy machine
    afterDevelopmentVsEmptyLoad: +(results.todoDbAfterDevelopment.loadSeconds / results.todoDbSeed.loadSeconds).toFixed(2),
  },
};
if (args.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(
    `${report.date} · ${report.machine}\n${report.server} · Node ${report.node}\n${users.toLocaleString('en-US')} users, ${report.tasks.toLocaleString('en-US')} tasks\n`,
  );
  console.log('| load | wall time | rows/s | ours / this |\n|---|---:|---:|---:|');
  for (const r of Object.values(results)) {
    console.log(`| ${r.label} | ${r.seconds.toFixed(1)} s | ${r.rowsPerSecond.toLocaleString('en-US')} | ${(ourSeconds / r.seconds).toFixed(2)}× |`);
  }
  console.log(`\ntodo-db seed: ${results.todoDbSeed.loadSeconds} s of it loading (the rest is Node start-up and connecting); peak memory (RSS) ${results.todoDbSeed.peakMb} MB`);
  console.log(
    `after the development seed / into empty: ${report.ratio.afterDevelopmentVsEmpty}× wall, ${report.ratio.afterDevelopmentVsEmptyLoad}× load time ` +
      `(${results.todoDbAfterDevelopment.loadSeconds} s / ${results.todoDbSeed.loadSeconds} s; indexes: ${results.todoDbAfterDevelopment.indexes}); into empty / bare baseline: ${report.ratio.vsBare}×`,
  );
}
