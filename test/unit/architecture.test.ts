import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** Every core module: everything under src/ but the CLI layer. */
function coreFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return relative(SRC, path) === 'cli' ? [] : coreFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Code without comments and strings: JSDoc examples, hints and generated files may show `process.env`. */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/\/\/ .*$/gm, '')
    .replace(/`(?:[^`\\]|\\.)*`/g, '``')
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}

/**
 * Where the core may touch the process environment, and why. A child process
 * (pg_dump) inherits it with the password added: passing it on is not reading
 * configuration.
 */
const ENV_ALLOWED: Record<string, RegExp> = {
  'backup/pg-tools.ts': /env: NodeJS\.ProcessEnv = process\.env|env: process\.env/g,
};

describe('the rooms of the house (docs/architecture.md)', () => {
  it('no core module imports the CLI layer, its renderer or chalk', () => {
    const offenders = coreFiles().filter((f) => /from '(\.\.?\/)+cli\/|from 'chalk'|from 'commander'/.test(code(f)));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('no core module reads process.env, prints or exits', () => {
    const offenders = coreFiles().flatMap((f) => {
      const name = relative(SRC, f);
      const text = code(f).replace(ENV_ALLOWED[name] ?? /$^/g, '');
      return /process\.(env|exit|stdout|stderr)\b|console\./.test(text) ? [name] : [];
    });
    expect(offenders).toEqual([]);
  });
});
