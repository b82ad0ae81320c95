import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** A file of this package that an app gets a copy of: where it is, and where it goes (relative to the app). */
export interface BaseFile {
  from: string;
  to: string;
}

/** sql/ files a module reads (the same pattern the migration checksum follows). */
const SQL_REFERENCE = /['"`]((?:\.\.?\/)+sql\/[\w./-]+\.sql)['"`]/g;

/** The files `source` reads from sql/, as BaseFiles placed the same way relative to the app. */
export function sqlFilesReadBy(source: string, packageRoot: string): BaseFile[] {
  const text = readFileSync(source, 'utf8');
  const out: BaseFile[] = [];
  for (const match of text.matchAll(SQL_REFERENCE)) {
    const from = resolve(dirname(source), match[1]!);
    if (existsSync(from)) out.push({ from, to: relative(packageRoot, from) });
  }
  return out;
}

/** The package's migrations, in order (name without extension, file). */
export function baseMigrations(packageRoot: string): { name: string; file: BaseFile }[] {
  const dir = join(packageRoot, 'migrations');
  return readdirSync(dir)
    .filter((f) => /^\d{4,}_[a-z0-9_]+\.(js|mjs)$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.(js|mjs)$/, ''), file: { from: join(dir, f), to: join('migrations', f) } }));
}

/** The package's seed modules. */
export function baseSeeds(packageRoot: string): BaseFile[] {
  const dir = join(packageRoot, 'seeds');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((f) => ({ from: join(dir, f), to: join('seeds', f) }));
}
