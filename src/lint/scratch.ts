import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TodoDatabase } from '../connection/open.js';
import { openDatabase } from '../connection/open.js';
import { loadMigration, type MigrationFile } from '../migrations/files.js';
import { SqlRecorder } from '../migrations/sql-recorder.js';
import { readSchemaFacts, type SchemaFacts } from './catalog.js';

/** What a pending migration sent to the scratch database. */
export interface CapturedMigration {
  name: string;
  path: string;
  source: string;
  transaction: boolean;
  /** the SQL in the order it was sent (the recorder's text, parameters as a trailing comment) */
  sql: string[];
  /** the schema just before it ran */
  schema: SchemaFacts;
  /** its error on the scratch database, when it failed there */
  failure?: string;
}

/**
 * The scratch database the pending migrations run on: a throw-away PGlite with
 * the already-applied migrations applied. The one place that builds it, so it can
 * switch to loading a committed schema snapshot.
 */
export async function buildScratch(dir: string, applied: readonly string[]): Promise<TodoDatabase<any>> {
  const folder = await scratchFolder();
  const opened = await openDatabase<any>({ url: `pglite:${join(folder, 'data')}` }).catch((error: unknown) => {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  });
  const scratch: TodoDatabase<any> = {
    ...opened,
    close: async () => {
      await opened.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  try {
    const last = applied.at(-1);
    // the runner imports the lint gate, so load it lazily rather than in a cycle
    const { migrateUp } = await import('../migrations/runner.js');
    if (last) await migrateUp(scratch, { dir, to: last, allowUnsafe: true });
    return scratch;
  } catch (error) {
    await scratch.close();
    throw error;
  }
}

/**
 * A private copy of an initialised PGlite data folder. initdb costs seconds (tens
 * on a loaded machine); a copy opens in about one. The template is made once per
 * PGlite install, in the OS temp folder, and renamed into place so that two
 * processes making it at once cannot leave a half-written one.
 */
async function scratchFolder(): Promise<string> {
  const template = join(tmpdir(), `todo-db-lint-template-${pgliteKey()}`);
  if (!existsSync(join(template, 'PG_VERSION'))) {
    const building = mkdtempSync(join(tmpdir(), 'todo-db-lint-template-'));
    try {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create(join(building, 'data'));
      await db.close();
      if (!existsSync(join(template, 'PG_VERSION'))) {
        rmSync(template, { recursive: true, force: true });
        renameSync(join(building, 'data'), template);
      }
    } catch (error) {
      if (!existsSync(join(template, 'PG_VERSION'))) throw error; // another process won the race otherwise
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
  }
  const folder = mkdtempSync(join(tmpdir(), 'todo-db-lint-scratch-'));
  cpSync(template, join(folder, 'data'), { recursive: true });
  return folder;
}

/** Identifies the installed PGlite, so an upgrade makes a new template. */
function pgliteKey(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return createHash('sha256')
    .update(`${entry}:${statSync(entry).mtimeMs}`)
    .digest('hex')
    .slice(0, 12);
}

/**
 * Runs each migration on the scratch database through the SQL recorder, in
 * order, committing each so the next sees its schema. Stops at the first that
 * fails: the ones after it would be linted against the wrong schema.
 */
export async function captureMigrations(scratch: TodoDatabase<any>, files: readonly MigrationFile[]): Promise<CapturedMigration[]> {
  const captured: CapturedMigration[] = [];
  for (const file of files) {
    const loaded = await loadMigration(file);
    const schema = await readSchemaFacts(scratch.db);
    const recorder = new SqlRecorder(scratch.db);
    const transaction = loaded.migration.transaction !== false;
    const entry: CapturedMigration = { name: file.name, path: file.path, source: readFileSync(file.path, 'utf8'), transaction, sql: recorder.statements, schema };
    captured.push(entry);
    try {
      if (transaction) await scratch.db.transaction().execute((trx) => loaded.migration.up(trx.withPlugin(recorder)));
      else await loaded.migration.up(scratch.db.withPlugin(recorder));
    } catch (error) {
      entry.failure = (error as Error).message.split('\n')[0] ?? String(error);
      break;
    }
  }
  return captured;
}
