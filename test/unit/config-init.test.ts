import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initProject } from '../../src/init/init.js';

/** init and init --update against a small fake todo-db package: what is copied, kept, refused. */

const work = mkdtempSync(join(tmpdir(), 'todo-db-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tree(dir: string, files: Record<string, string | undefined>): string {
  for (const [name, text] of Object.entries(files)) {
    if (text === undefined) continue;
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

let n = 0;
function pkg(migrations: string[]): string {
  const files: Record<string, string> = { 'package.json': '{"name":"todo-db"}', 'sql/shared.sql': 'select 1;', 'seeds/0001_development.js': 'export {}' };
  for (const m of migrations) files[`migrations/${m}.js`] = m.endsWith('_rls') ? "const s = new URL('../sql/shared.sql', import.meta.url);" : `// ${m}`;
  return tree(join(work, `pkg${++n}`), files);
}
const app = (files: Record<string, string | undefined> = {}) => tree(join(work, `app${++n}`), { 'package.json': '{"name":"app"}', ...files });
const list = (dir: string) => readdirSync(join(dir, 'migrations')).sort();

describe('initProject', () => {
  it('copies the migrations, the sql/ files they read and the seeds, and writes the config and kysely.config.ts', async () => {
    const root = app();
    const result = await initProject({ root, packageRoot: pkg(['0001_users', '0002_rls']) });
    expect(
      result.files
        .filter((f) => f.action === 'written')
        .map((f) => f.path)
        .sort(),
    ).toEqual(
      [
        'kysely.config.ts',
        'migrations/0001_users.js',
        'migrations/0002_rls.js',
        'migrations/package.json',
        'seeds/0001_development.js',
        'seeds/package.json',
        'sql/shared.sql',
        'todo-db.config.json',
      ].sort(),
    );
    expect(JSON.parse(readFileSync(join(root, 'todo-db.config.json'), 'utf8'))).toEqual({
      migrationsDir: './migrations',
      seedsDir: './seeds',
      snapshotPath: './schema/snapshot.json',
    });
    expect(readFileSync(join(root, 'kysely.config.ts'), 'utf8')).toMatch(/kyselyCtlConfig\(\{ env: process.env \}\)/);
    expect(result.nextSteps.join('\n')).toMatch(/migrate up/);
  });

  it('writes no package.json into the folders of an ESM app', async () => {
    const root = app({ 'package.json': '{"name":"app","type":"module"}' });
    await initProject({ root, packageRoot: pkg(['0001_users']) });
    expect(list(root)).toEqual(['0001_users.js']);
  });

  it.each([
    { name: 'a config file', files: { 'todo-db.config.json': '{}' }, message: /todo-db.config.json already exists/ },
    { name: 'a "todo-db" key in package.json', files: { 'package.json': '{"todo-db":{}}' }, message: /package.json .* already exists/ },
    { name: 'a non-empty migrations folder', files: { 'migrations/0001_mine.js': '' }, message: /\.\/migrations is not empty/ },
  ])('refuses with exit 2 when there is $name', async ({ files, message }) => {
    const root = app(files);
    await expect(initProject({ root, packageRoot: pkg(['0001_users']) })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });

  it('--force goes on but overwrites nothing', async () => {
    const root = app({ 'todo-db.config.json': '{"mine":true}', 'migrations/0001_users.js': '// edited by the app', 'sql/shared.sql': '-- mine' });
    const result = await initProject({ root, force: true, packageRoot: pkg(['0001_users', '0002_rls']) });
    expect(readFileSync(join(root, 'todo-db.config.json'), 'utf8')).toBe('{"mine":true}');
    expect(readFileSync(join(root, 'migrations/0001_users.js'), 'utf8')).toBe('// edited by the app');
    expect(readFileSync(join(root, 'sql/shared.sql'), 'utf8')).toBe('-- mine');
    expect(
      result.files
        .filter((f) => f.action === 'kept')
        .map((f) => f.path)
        .sort(),
    ).toEqual(['migrations/0001_users.js', 'sql/shared.sql', 'todo-db.config.json']);
  });

  it("--update adds only the missing base migrations, renumbering past the app's own, and touches nothing else", async () => {
    const root = app();
    await initProject({ root, packageRoot: pkg(['0001_users', '0002_tasks']) });
    writeFileSync(join(root, 'migrations/0002_tasks.js'), '// the app edited this');
    writeFileSync(join(root, 'migrations/0003_add_due_date.js'), "// the app's own");
    const newer = pkg(['0001_users', '0002_tasks', '0003_archive', '0004_rls']);
    const result = await initProject({ root, update: true, packageRoot: newer });
    expect(list(root)).toEqual(['0001_users.js', '0002_tasks.js', '0003_add_due_date.js', '0004_archive.js', '0005_rls.js', 'package.json']);
    expect(readFileSync(join(root, 'migrations/0002_tasks.js'), 'utf8')).toBe('// the app edited this');
    expect(result.files.map((f) => `${f.action} ${f.path}`)).toEqual(['renumbered migrations/0004_archive.js', 'renumbered migrations/0005_rls.js', 'written sql/shared.sql']);
    const again = await initProject({ root, update: true, packageRoot: newer });
    expect(again.files).toEqual([]);
  });

  it('refuses to run in the todo-db package itself', async () => {
    const root = pkg(['0001_users']);
    await expect(initProject({ root, packageRoot: root })).rejects.toMatchObject({ exitCode: 2 });
  });
});
