import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** What `npm pack` ships: what an app needs, nothing written at run time, no sources or tests. */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function packedFiles(): string[] {
  // --ignore-scripts: the list, not a rebuild (the CLI tier builds dist first).
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
}

describe('npm pack', () => {
  it('ships dist, bin, migrations, seeds, sql, docs and README, and nothing else', () => {
    expect(existsSync(new URL('../dist/src/index.js', import.meta.url)), 'dist is built').toBe(true);
    const files = packedFiles();
    for (const path of [
      'package.json',
      'README.md',
      'bin/todo-db.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'migrations/0001_create_users.js',
      'seeds/0001_development.js',
      'sql/rls.sql',
      'docs/migrations.md',
    ]) {
      expect(files, path).toContain(path);
    }
    const tops = new Set(files.map((f) => (f.includes('/') ? f.split('/')[0]! + '/' : f)));
    const allowed = new Set(['package.json', 'README.md', 'LICENSE', 'bin/', 'dist/', 'migrations/', 'seeds/', 'sql/', 'docs/', 'schema/']);
    expect([...tops].filter((t) => !allowed.has(t))).toEqual([]);
    // Nothing written at run time, no sources, maps or tests.
    expect(files.filter((f) => /\.(dump|sql\.gz|map|tsbuildinfo)$|^dist\/test\/|^src\/|\.todo-db\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/') && !/\.(js|d\.ts)$/.test(f))).toEqual([]);
  });
});
