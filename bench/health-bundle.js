// @ts-check
/**
 * A proposal measured by bench/health.js, not the shipped CLI: the CLI as one
 * esbuild bundle. Loading the library costs more than health itself because
 * Kysely's ESM build is ~1,000 files, each resolved and read at start-up; one
 * bundle (drivers kept external) reads one file.
 *
 *   node bench/health-bundle.js --build     writes dist/bundle/cli/main.js (needs esbuild, here a dependency of vite)
 *   node bench/health-bundle.js ARGS…       runs `todo-db ARGS…` from that bundle
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = new URL('../dist/bundle/cli/main.js', import.meta.url);
const args = process.argv.slice(2);
if (args[0] === '--build') {
  const external = ['pg', '@electric-sql/pglite', 'pg-mem', 'pg-connection-string'].map((name) => `--external:${name}`);
  // commander is CommonJS: inside an ESM bundle its require() needs a real one.
  const banner = "--banner:js=import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";
  execFileSync(
    'npx',
    [
      'esbuild',
      'dist/src/cli/main.js',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--outfile=${fileURLToPath(bundle)}`,
      ...external,
      banner,
      '--log-level=warning',
    ],
    { cwd: root, stdio: 'inherit' },
  );
} else {
  const { main } = await import(bundle.href);
  process.exitCode = await main(args);
}
