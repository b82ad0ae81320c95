import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Migration } from 'kysely';
import { UsageError } from '../errors.js';

/** The package's own migrations/ folder. */
export const PACKAGE_MIGRATIONS_DIR = join(packageRoot(), 'migrations');

/** The folder of todo-db's package.json, from src/ (tests) and dist/src/ (the CLI) alike. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('todo-db: cannot find its package.json');
    dir = parent;
  }
  return dir;
}

export interface MigrationFile {
  name: string;
  path: string;
  /** sha256 of the file and of any sql/ file it reads, line endings normalised */
  checksum: string;
}

export interface LoadedMigration extends MigrationFile {
  migration: Migration & { transaction?: boolean };
}

const NAME = /^(\d{4,})_[a-z0-9][a-z0-9_]*$/;
const LOADABLE = new Set(['.js', '.mjs']);

/** The folder given (the CLI resolves flag, TODO_DB_MIGRATIONS_DIR and config file), else the package's own. */
export function migrationsDir(dir?: string): string {
  return dir ? resolve(dir) : PACKAGE_MIGRATIONS_DIR;
}

/** The migration files of a folder in order, validated; nothing is imported yet. */
export function listMigrationFiles(dir: string): MigrationFile[] {
  if (!existsSync(dir)) throw new UsageError(`migrations folder ${dir} does not exist`, 'check --migrations-dir or TODO_DB_MIGRATIONS_DIR');
  if (!statSync(dir).isDirectory())
    throw new UsageError(
      `the migrations folder ${dir} is a file, not a folder`,
      'point --migrations-dir or TODO_DB_MIGRATIONS_DIR at the folder that holds the NNNN_name.js files',
    );
  const files = readdirSync(dir)
    .filter((file) => !file.startsWith('.') && !file.startsWith('_') && !file.endsWith('.d.ts') && !file.endsWith('.map'))
    .sort();
  const byNumber = new Map<string, string>();
  const out: MigrationFile[] = [];
  for (const file of files) {
    const ext = extname(file);
    const name = basename(file, ext);
    if (ext === '.ts' || ext === '.mts') {
      throw new UsageError(`migration ${file} is TypeScript, which Node 20 cannot load directly`, 'write migrations as .js with // @ts-check (see `todo-db migrate make`)');
    }
    if (!LOADABLE.has(ext)) continue;
    const number = NAME.exec(name)?.[1];
    if (!number) throw new UsageError(`migration file ${file} is not named NNNN_description.js`, 'create migrations with `todo-db migrate make NAME`');
    const clash = byNumber.get(number);
    if (clash) throw new UsageError(`migrations ${clash} and ${name} share the number ${number}, so their order is ambiguous`, `renumber one of them in ${dir}`);
    byNumber.set(number, name);
    const path = join(dir, file);
    out.push({ name, path, checksum: checksumOf(path) });
  }
  return out;
}

export async function loadMigration(file: MigrationFile): Promise<LoadedMigration> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file.path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`migration ${file.name} cannot be loaded: ${(error as Error).message.split('\n')[0]}`, `fix ${file.path}`);
  }
  if (typeof mod.up !== 'function') {
    throw new UsageError(`migration ${file.name} does not export an up function`, `export async function up(db) { ... } from ${file.path}`);
  }
  if (mod.down !== undefined && typeof mod.down !== 'function') {
    throw new UsageError(`migration ${file.name} exports a down that is not a function`, `fix ${file.path}`);
  }
  const transaction = (mod.config as { transaction?: unknown } | undefined)?.transaction !== false;
  return { ...file, migration: { up: mod.up as Migration['up'], ...(mod.down ? { down: mod.down as Migration['up'] } : {}), transaction } };
}

export async function loadMigrations(dir: string): Promise<LoadedMigration[]> {
  return Promise.all(listMigrationFiles(dir).map(loadMigration));
}

/** sql/ files a migration reads count towards its checksum: editing them edits the migration. */
function checksumOf(path: string): string {
  const text = readFileSync(path, 'utf8');
  const hash = createHash('sha256').update(normalise(text));
  for (const match of text.matchAll(/['"`]((?:\.\.?\/)+sql\/[\w./-]+\.sql)['"`]/g)) {
    const sqlPath = resolve(dirname(path), match[1]!);
    if (existsSync(sqlPath)) hash.update('\0').update(normalise(readFileSync(sqlPath, 'utf8')));
  }
  return hash.digest('hex');
}

function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
