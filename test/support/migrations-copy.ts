import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_MIGRATIONS_DIR } from '../../src/index.js';

/**
 * A private copy of migrations/ (and the sql/ files they read) that a test may add
 * to or edit. It lives inside the package (under the ignored .todo-db/) so that its
 * imports of `kysely` and `todo-db` resolve as the originals' do.
 */
export function copyMigrations(extra: Record<string, string> = {}): { dir: string; remove(): void } {
  const scratch = join(PACKAGE_MIGRATIONS_DIR, '..', '.todo-db', 'test');
  mkdirSync(scratch, { recursive: true });
  const parent = mkdtempSync(join(scratch, 'migrations-'));
  const dir = join(parent, 'migrations');
  cpSync(PACKAGE_MIGRATIONS_DIR, dir, { recursive: true });
  cpSync(join(PACKAGE_MIGRATIONS_DIR, '..', 'sql'), join(parent, 'sql'), { recursive: true });
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
