import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { configFilesIn } from '../config/config-file.js';
import { DEFAULT_SNAPSHOT_FILE } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import { packageRoot as todoDbRoot } from '../migrations/files.js';
import { baseMigrations, baseSeeds, sqlFilesReadBy, type BaseFile } from './base-files.js';
import { writeInitialSnapshot, type SnapshotStep } from './snapshot-step.js';
import { CONFIG_FILE_NAME, configTemplate, kyselyConfigTemplate } from './templates.js';

export interface InitOptions {
  /** the app's root folder */
  root: string;
  /** go on although a config or migrations exist (existing files are still never overwritten) */
  force?: boolean;
  /** add the base migrations (and sql/ files) a newer todo-db brings; touch nothing of the app's */
  update?: boolean;
  /** the todo-db package to copy from (default: this one) */
  packageRoot?: string;
}

export type FileAction = 'written' | 'kept' | 'renumbered';

export interface InitFile {
  /** relative to the root */
  path: string;
  action: FileAction;
  /** why it was kept or renumbered */
  note?: string;
}

export interface InitResult {
  ok: true;
  mode: 'init' | 'update';
  root: string;
  files: InitFile[];
  snapshot: SnapshotStep;
  nextSteps: string[];
}

/**
 * Makes an app repo own its schema: a config file, a copy of the base migrations
 * with the sql/ files they read (so checksums are the app's own), the seeds, a
 * kysely.config.ts and the schema snapshot. `update` adds only base migrations
 * the app does not have yet. No existing file is ever overwritten.
 *
 * @example
 * const result = await initProject({ root: process.cwd() });
 * for (const file of result.files) console.log(file.action, file.path);
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const root = options.root;
  const pkg = options.packageRoot ?? todoDbRoot();
  if (pkg === root) throw new UsageError('this is the todo-db package itself: it already owns its migrations', 'run `todo-db init` in the application repo that installs todo-db');
  const migrationsDir = join(root, 'migrations');
  if (!options.update && !options.force) refuseExisting(root, migrationsDir);
  const files: InitFile[] = [];
  const handled = new Set<string>();
  // A file read by two migrations (or a seed) is copied and listed once.
  const put = (file: BaseFile, action: FileAction = 'written', note?: string) => {
    if (handled.has(file.to)) return;
    handled.add(file.to);
    files.push(copyNew(root, file, action, note));
  };
  if (!options.update) {
    files.push(writeNew(root, CONFIG_FILE_NAME, configTemplate()));
    files.push(writeNew(root, 'kysely.config.ts', kyselyConfigTemplate()));
  }
  // The copies are ES modules; an app whose package.json is not "type": "module" gets it per folder.
  if (!isModulePackage(root)) for (const dir of ['migrations', 'seeds']) files.push(writeNew(root, join(dir, 'package.json'), '{ "type": "module" }\n'));
  for (const migration of planMigrations(pkg, migrationsDir, options.update === true)) {
    put(migration.file, migration.renumbered ? 'renumbered' : 'written', migration.note);
    for (const sql of sqlFilesReadBy(migration.file.from, pkg)) put(sql);
  }
  for (const seed of baseSeeds(pkg)) {
    put(seed);
    for (const sql of sqlFilesReadBy(seed.from, pkg)) put(sql);
  }
  const snapshot = await writeInitialSnapshot({
    packageRoot: pkg,
    migrationsDir,
    snapshotPath: join(root, DEFAULT_SNAPSHOT_FILE),
    fresh: !options.update && files.some((f) => f.path.startsWith('migrations/') && f.action === 'written'),
  });
  // An update lists what it added, not everything it left alone.
  const listed = options.update ? files.filter((f) => f.action !== 'kept') : files;
  return { ok: true, mode: options.update ? 'update' : 'init', root, files: listed, snapshot, nextSteps: nextSteps(options.update === true, snapshot) };
}

function refuseExisting(root: string, migrationsDir: string): void {
  const configs = configFilesIn(root).map((p) => relative(root, p));
  if (configs.length > 0)
    throw new UsageError(
      `${configs.join(' and ')} already exists: this repo has been initialised`,
      'use `todo-db init --update` to add new base migrations, or --force to fill in what is missing',
    );
  if (existsSync(migrationsDir) && readdirSync(migrationsDir).some((f) => !f.startsWith('.'))) {
    throw new UsageError('./migrations is not empty', 'use --force to add the base migrations next to yours (nothing is overwritten), or move them aside');
  }
}

interface PlannedMigration {
  file: BaseFile;
  renumbered: boolean;
  note?: string;
}

/**
 * Which base migrations to copy. A base migration is present when the app has one
 * with the same description (whatever its number); a missing one whose number an
 * app migration already uses goes after the app's newest, so no two files share one.
 */
function planMigrations(pkg: string, migrationsDir: string, update: boolean): PlannedMigration[] {
  const existing = existsSync(migrationsDir) ? readdirSync(migrationsDir).filter((f) => /^\d{4,}_/.test(f)) : [];
  const slugs = new Set(existing.map(slugOf));
  const numbers = new Set(existing.map(numberOf));
  let next = Math.max(0, ...existing.map((f) => Number(numberOf(f)))) + 1;
  let renumbering = false;
  const out: PlannedMigration[] = [];
  for (const { file } of baseMigrations(pkg)) {
    const name = basename(file.to);
    if (slugs.has(slugOf(name))) {
      if (!update) out.push({ file, renumbered: false });
      continue;
    }
    // Once one is renumbered, the ones after it follow it, so the base order is kept.
    const number = Number(numberOf(name));
    if (!numbers.has(numberOf(name)) && (!renumbering || number >= next)) {
      out.push({ file, renumbered: false });
      numbers.add(numberOf(name));
      next = Math.max(next, number + 1);
      continue;
    }
    renumbering = true;
    const renamed = `${String(next++).padStart(4, '0')}_${slugOf(name)}`;
    out.push({ file: { from: file.from, to: join('migrations', renamed) }, renumbered: true, note: `base ${name} renumbered: ${numberOf(name)} is one of the app's` });
  }
  return out;
}

const numberOf = (file: string) => /^(\d+)_/.exec(file)![1]!;
const slugOf = (file: string) => file.replace(/^\d+_/, '');

function copyNew(root: string, file: BaseFile, action: FileAction, note?: string): InitFile {
  const target = join(root, file.to);
  if (existsSync(target)) return { path: file.to, action: 'kept', note: 'exists; the app owns it' };
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file.from, target, 1 /* COPYFILE_EXCL: never overwrite */);
  return { path: file.to, action, ...(note ? { note } : {}) };
}

function writeNew(root: string, name: string, text: string): InitFile {
  const target = join(root, name);
  if (existsSync(target)) return { path: name, action: 'kept', note: 'exists; not overwritten' };
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text, { flag: 'wx' });
  return { path: name, action: 'written' };
}

function isModulePackage(root: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { type?: unknown }).type === 'module';
  } catch {
    return false;
  }
}

function nextSteps(update: boolean, snapshot: SnapshotStep): string[] {
  const steps = update ? [] : ['put DATABASE_URL (and DATABASE_URL_UNPOOLED for Neon) in .env; without it todo-db uses an embedded PGlite in ./.todo-db'];
  steps.push('npx todo-db migrate up');
  if (snapshot.status === 'not-run') steps.push('npx todo-db schema snapshot');
  steps.push('npx todo-db migrate make add_something   # writes ./migrations/NNNN_add_something.js');
  steps.push('commit todo-db.config.json, kysely.config.ts, migrations/, sql/, seeds/ and schema/');
  return steps;
}
