import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { listMigrationFiles, migrationsDir } from './files.js';
import { templateText, type MigrationTemplate } from './templates.js';

const TEMPLATE = `// @ts-check
/**
 * Runs in its own transaction. Export \`config = { transaction: false }\` only for
 * statements PostgreSQL cannot run in one (CREATE INDEX CONCURRENTLY); see docs/migrations.md.
 * @param {import('kysely').Kysely<any>} db
 */
export async function up(db) {
  // await db.schema.alterTable('tasks').addColumn('due_at', 'timestamptz').execute();
}

/**
 * Reverses up() completely: \`todo-db verify --migrations\` checks it.
 * @param {import('kysely').Kysely<any>} db
 */
export async function down(db) {
  // await db.schema.alterTable('tasks').dropColumn('due_at').execute();
}
`;

/** Writes a new migration file numbered after the newest one; returns its path. */
export function makeMigration(rawName: string, options: { dir?: string; template?: MigrationTemplate } = {}): { name: string; path: string } {
  const slug = rawName
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (slug === '') throw new UsageError('the migration name is empty', 'give a short description, e.g. `todo-db migrate make add_due_date`');
  if (!/^[a-z0-9][a-z0-9_]{0,80}$/.test(slug)) {
    throw new UsageError(`"${rawName}" is not a safe migration name`, 'use letters, digits and underscores only (no paths or dots)');
  }
  const dir = migrationsDir(options.dir);
  const files = listMigrationFiles(dir);
  const existing = files.find((f) => f.name.replace(/^\d+_/, '') === slug);
  if (existing) throw new UsageError(`a migration named ${slug} already exists (${existing.name})`, 'choose another name');
  const last = files.at(-1);
  const next = (last ? Number(last.name.split('_')[0]) : 0) + 1;
  const name = `${String(next).padStart(4, '0')}_${slug}`;
  const path = join(dir, `${name}.js`);
  if (existsSync(path)) throw new UsageError(`${path} already exists`, 'choose another name');
  writeFileSync(path, (options.template && templateText(options.template)) ?? TEMPLATE, { flag: 'wx' });
  return { name, path };
}
