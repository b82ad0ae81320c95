// @ts-check
/**
 * `migrate rehearse` at 1M tasks for a safe and an unsafe version of the same
 * change, and the p99 each adds to the app's workload (docs/benchmarks.md):
 *
 *   index-unsafe   CREATE INDEX idx_tasks_title ON tasks (title)            (SHARE lock: writes wait for the build)
 *   index-safe     CREATE INDEX CONCURRENTLY … (transaction: false)
 *   column-unsafe  ADD COLUMN ref text DEFAULT gen_random_uuid()::text      (volatile default: rewrites tasks under ACCESS EXCLUSIVE)
 *   column-safe    ADD COLUMN ref text (nullable), then a batched backfill by primary-key ranges, one autocommit per batch
 *
 *   npm run build && node bench/rehearse.js [--users 10000] [--tasks-per-user 100] [--baseline 10] [--concurrency 4] [--only NAME,…] [--svg DIR]
 *
 * A target database is made on TODO_DB_BENCH_ADMIN_URL, migrated and seeded once;
 * each scenario runs the library's rehearseMigrations on it with a migrations folder
 * of its own (the package's migrations plus the scenario's), so each builds (and
 * drops) its own 1M-task copy, exactly as `todo-db migrate rehearse` does.
 * Markdown on stdout, progress on stderr; everything is dropped at the end, also on Ctrl-C.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_MIGRATIONS_DIR, migrateUp, openDatabase, rehearsalSvg, rehearseMigrations, seedScale } from '../dist/src/index.js';
import { ADMIN_URL, admin } from './admin.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    'tasks-per-user': { type: 'string', default: '100' },
    baseline: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    only: { type: 'string' },
    svg: { type: 'string' },
  },
});
const RUN = `${process.pid}_${Date.now().toString(36)}`;
const TARGET = `tododb_bench_rehearse_${RUN}`;
const log = (/** @type {string} */ line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

const KYSELY = `const { sql } = await import('kysely');`;
const up = (/** @type {string} */ body, transactional = true) =>
  `${transactional ? '' : 'export const config = { transaction: false };\n'}export async function up(db) {\n  ${KYSELY}\n${body}\n}\nexport async function down() {}\n`;

/** The safe backfill: batches of 5,000 by primary key, each its own transaction, a pause between. */
const BACKFILL = up(
  `  let last = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await sql\`select id::text as id from tasks where id > \${last}::uuid order by id offset 4999 limit 1\`.execute(db);
    const upper = rows[0]?.id;
    await sql\`update tasks set ref = gen_random_uuid()::text
      where id > \${last}::uuid \${upper ? sql\`and id <= \${upper}::uuid\` : sql\`\`} and ref is null\`.execute(db);
    if (!upper) break;
    last = upper;
    await new Promise((r) => setTimeout(r, 20));
  }`,
  false,
);

/** @type {Record<string, { change: string; files: Record<string, string> }>} */
const SCENARIOS = {
  'index-unsafe': { change: 'index on tasks(title)', files: { '0006_index_title.js': up('  await sql`create index idx_tasks_title on tasks (title)`.execute(db);') } },
  'index-safe': {
    change: 'index on tasks(title)',
    files: { '0006_index_title.js': up('  await sql`create index concurrently if not exists idx_tasks_title on tasks (title)`.execute(db);', false) },
  },
  'column-unsafe': {
    change: 'column tasks.ref filled with a uuid',
    files: { '0006_ref.js': up('  await sql`alter table tasks add column ref text default gen_random_uuid()::text`.execute(db);') },
  },
  'column-safe': {
    change: 'column tasks.ref filled with a uuid',
    files: { '0006_ref.js': up('  await sql`alter table tasks add column ref text`.execute(db);'), '0007_backfill_ref.js': BACKFILL },
  },
};

/** A private migrations folder inside the package (so `kysely` resolves), with the sql/ it reads. */
function migrationsWith(/** @type {Record<string, string>} */ files) {
  const scratch = join(PACKAGE_MIGRATIONS_DIR, '..', '.todo-db', 'bench');
  mkdirSync(scratch, { recursive: true });
  const parent = mkdtempSync(join(scratch, 'rehearse-'));
  cpSync(PACKAGE_MIGRATIONS_DIR, join(parent, 'migrations'), { recursive: true });
  cpSync(join(PACKAGE_MIGRATIONS_DIR, '..', 'sql'), join(parent, 'sql'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(parent, 'migrations', name), text);
  return { dir: join(parent, 'migrations'), remove: () => rmSync(parent, { recursive: true, force: true }) };
}

const ms = (/** @type {number | null | undefined} */ n) => (n === null || n === undefined ? '–' : n < 10 ? n.toFixed(1) : Math.round(n).toString());

async function main() {
  const started = new Date();
  const names = args.only ? args.only.split(',') : Object.keys(SCENARIOS);
  const targetUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${TARGET}` }).toString();
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  await admin(`create database ${TARGET}`);
  const handle = await openDatabase({ url: targetUrl });
  /** @type {string[]} */
  const rows = [];
  try {
    await migrateUp(handle);
    log(`seeding the target: ${args.users} users × ${args['tasks-per-user']} tasks`);
    const seeded = await seedScale(handle, { users: args.users, tasksPerUser: args['tasks-per-user'], seed: 1 });
    for (const name of names) {
      const scenario = SCENARIOS[name];
      if (!scenario) throw new Error(`unknown scenario ${name}`);
      const folder = migrationsWith(scenario.files);
      try {
        log(`${name}: rehearsing (load ${load()})`);
        const result = await rehearseMigrations(handle, {
          dir: folder.dir,
          baseline: args.baseline,
          concurrency: args.concurrency,
          signal: controller.signal,
          onProgress: (m) => log(`${name}: ${m}`),
        });
        if (args.svg) {
          mkdirSync(args.svg, { recursive: true });
          writeFileSync(join(args.svg, `rehearse-${name}.svg`), rehearsalSvg(result));
        }
        for (const m of result.migrations) {
          const added = m.during.p99 === null || result.baseline?.p99 == null ? null : m.during.p99 - result.baseline.p99;
          const item = result.items.find((i) => i.object === m.name);
          rows.push(
            `| ${name} | ${scenario.change} | ${m.name} | ${ms(m.durationMs)} | ${ms(result.baseline?.p99)} | ${ms(m.during.p50)} | ${ms(m.during.p99)} | **${ms(added)}** | ${m.lockWaits} (≥ ${ms(m.longestLockWaitMs)} ms) | ${m.rewritten.join(', ') || '–'} | ${item?.status ?? '–'} |`,
          );
        }
        log(`${name}: done in ${(result.durationMs / 1000).toFixed(1)} s`);
        if (controller.signal.aborted) break;
      } finally {
        folder.remove();
      }
    }
    const header = [
      `## migrate rehearse at ${(seeded.tasks / 1e6).toFixed(1)}M tasks: safe and unsafe versions of the same change (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
      '',
      `Machine: ${availableParallelism()} vCPU, ${handle.server.version}; load average at the end ${load()} (other sessions share the machine). ` +
        `Command: \`node bench/rehearse.js ${process.argv.slice(2).join(' ')}\`; workload ${args.concurrency} clients, ${args.baseline} s baseline, each copy seeded to the target's ${seeded.tasks.toLocaleString('en-US')} tasks.`,
      '',
      '| scenario | change | migration | duration ms | baseline p99 | p50 during | p99 during | p99 added | lock waits (longest) | rewrote | verdict |',
      '|---|---|---|---:|---:|---:|---:|---:|---|---|---|',
    ];
    process.stdout.write([...header, ...rows, ''].join('\n'));
  } finally {
    await handle.close();
    await admin(`drop database if exists ${TARGET} with (force)`).catch(() => undefined);
  }
}

main().catch((error) => {
  process.stderr.write(`bench/rehearse: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
