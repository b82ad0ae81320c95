import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_MIGRATIONS_DIR } from '../../src/index.js';

/** A private copy of migrations/ (and the sql/ files they read) that a test may add to or edit. */
export function copyMigrations(extra: Record<string, string> = {}): { dir: string; remove(): void } {
  const parent = mkdtempSync(join(tmpdir(), 'todo-db-migrations-'));
  const dir = join(parent, 'migrations');
  cpSync(PACKAGE_MIGRATIONS_DIR, dir, { recursive: true });
  cpSync(join(PACKAGE_MIGRATIONS_DIR, '..', 'sql'), join(parent, 'sql'), { recursive: true });
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
