// @ts-check
/**
 * What loading the settings costs a command (docs/benchmarks.md, "Config loading"):
 * process start to exit for `node -e 0`, importing c12 (what kysely-ctl uses),
 * jiti alone, dotenv alone, and todo-db's resolver on a project with no config, a
 * JSON config with .env, and a TypeScript config. Interleaved rounds; medians.
 *
 *   npm run build && node bench/config-load.js [--runs 15]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Number(args.runs);
const root = fileURLToPath(new URL('..', import.meta.url));
const resolver = new URL('../dist/src/config/resolve.js', import.meta.url).href;
const dirs = { none: mkdtempSync(join(tmpdir(), 'cfg-none-')), json: mkdtempSync(join(tmpdir(), 'cfg-json-')), ts: mkdtempSync(join(tmpdir(), 'cfg-ts-')) };
writeFileSync(join(dirs.json, 'todo-db.config.json'), '{ "lockTimeout": 5 }');
writeFileSync(join(dirs.json, '.env'), 'DATABASE_URL=postgres://app@localhost/db\n');
writeFileSync(join(dirs.ts, 'todo-db.config.ts'), 'const s: number = 5;\nexport default { lockTimeout: s };\n');

const resolve = (dir) => `const { loadSettings } = await import(${JSON.stringify(resolver)}); await loadSettings({ flags: {}, env: {}, root: ${JSON.stringify(dir)} });`;
const cases = {
  'node -e 0': '0',
  'import c12': 'await import("c12")',
  'import jiti': 'await import("jiti")',
  'import dotenv': 'await import("dotenv")',
  'resolve: no config, no .env': resolve(dirs.none),
  'resolve: JSON config + .env': resolve(dirs.json),
  'resolve: TypeScript config (jiti)': resolve(dirs.ts),
};
/** @type {Record<string, number[]>} */
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < RUNS; round++) {
  for (const [name, code] of Object.entries(cases)) {
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, stdio: 'ignore' });
    if (run.status !== 0) throw new Error(`${name} failed`);
    times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
  }
}
for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`| case | median ms | over node -e 0 |\n|---|---|---|`);
for (const [name, xs] of Object.entries(times)) console.log(`| ${name} | ${median(xs).toFixed(0)} | ${name === 'node -e 0' ? '' : `+${(median(xs) - base).toFixed(0)}`} |`);
