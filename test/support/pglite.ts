import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh PGlite costs seconds to initialise; a copy of a prepared data folder
 * opens in well under one. globalSetup prepares the template once per run.
 */
export function templateDir(): string {
  const dir = process.env.TODO_DB_TEST_PGLITE_TEMPLATE;
  if (!dir || !existsSync(dir)) throw new Error('the PGlite template is missing: run the tests through vitest (test/global-setup.ts)');
  return dir;
}

export interface TestDataDir {
  dir: string;
  url: string;
  remove(): void;
}

/** A new embedded database cloned from the template. */
export function clonePglite(): TestDataDir {
  const parent = mkdtempSync(join(tmpdir(), 'todo-db-pglite-'));
  const dir = join(parent, 'data');
  cpSync(templateDir(), dir, { recursive: true });
  return { dir, url: `pglite:${dir}`, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
