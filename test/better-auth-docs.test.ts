import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** The backend example of docs/better-auth.md, compiled against the installed better-auth and this package's exports. */
describe('docs/better-auth.md', () => {
  it('its backend example type-checks', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'better-auth.md'), 'utf8');
    const example = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes('betterAuth({'));
    expect(example).toContain("from 'todo-db/better-auth'");
    // Inside the package, so 'todo-db' and 'todo-db/better-auth' resolve through its own exports (dist/).
    const dir = join(ROOT, 'test', '.docs-example');
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, 'backend.ts'), example!);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '.', noUnusedLocals: false }, include: ['backend.ts'] }),
      );
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      let output = '';
      try {
        execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        output = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(output).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
