// `npm install` in a checkout (and a git-URL install) builds dist/ when TypeScript is
// there. Without dev dependencies (a folder install with --omit=dev) it must not fail
// with "tsc: not found": an existing dist/ is used, else it says how to build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}
if (tsc) {
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
if (!existsSync(new URL('../dist/src/cli/main.js', import.meta.url))) {
  process.stderr.write('todo-db: TypeScript is not installed, so dist/ was not built (install with dev dependencies, or run `npm run build`)\n');
}
