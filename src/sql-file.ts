import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './migrations/files.js';

const cache = new Map<string, string>();

/** The text of a file under the package's sql/ folder (e.g. `health/tables.sql`), read once. */
export function readSql(relative: string): string {
  let text = cache.get(relative);
  if (text === undefined) {
    text = readFileSync(join(packageRoot(), 'sql', relative), 'utf8');
    cache.set(relative, text);
  }
  return text;
}
