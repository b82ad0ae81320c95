#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it (the prepare script).
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
// `--version` alone answers before the CLI and its libraries load: scripts call it often.
if (args.length === 1 && args[0] === '--version') {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  const entry = new URL('../dist/src/cli/main.js', import.meta.url);
  if (!existsSync(entry)) {
    process.stderr.write('todo-db: the CLI is not built (run `npm install` or `npm run build` in the todo-db folder)\n');
    process.exit(2);
  }
  const { main } = await import(entry.href);
  process.exitCode = await main(args);
}
