import { loadDevelopmentSeed } from './development.js';
import { COLUMNS, type Rows, type SeedTable } from './rows.js';

/** A value as an SQL literal (standard_conforming_strings: only quotes are doubled). */
function literal(value: string | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Same effect as the JS seed: insert what is missing; put back a row whose columns
 * (all but updated_at) differ; leave equal rows alone, updated_at included.
 */
function upsert<T extends SeedTable>(table: T, rows: readonly Rows[T][]): string {
  const columns = COLUMNS[table] as readonly (keyof Rows[T] & string)[];
  const compared = columns.filter((c) => c !== 'id' && c !== 'updated_at');
  const values = rows.map((row) => `  (${columns.map((c) => literal(row[c] as string | boolean | null)).join(', ')})`);
  return [
    `insert into ${table} (${columns.join(', ')}) values`,
    values.join(',\n'),
    `on conflict (id) do update set`,
    columns
      .filter((c) => c !== 'id')
      .map((c) => `  ${c} = excluded.${c}`)
      .join(',\n'),
    `where (${compared.map((c) => `${table}.${c}`).join(', ')})`,
    `  is distinct from (${compared.map((c) => `excluded.${c}`).join(', ')});`,
  ].join('\n');
}

/**
 * The development seed as a psql script, rendered from seeds/0001_development.js
 * (sql/seed-development.sql is this text; a test keeps the two equal).
 */
export async function developmentSeedSql(): Promise<string> {
  const { USERS, TASKS } = await loadDevelopmentSeed();
  return [
    '-- todo-db development seed, for psql: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/seed-development.sql',
    '-- Generated from seeds/0001_development.js by `todo-db seed --sql`; edit that file, not this one.',
    '-- Same effect as `todo-db seed`: inserts missing rows, puts back edited seed rows, leaves',
    '-- unchanged rows (and their updated_at) alone. Run as the maintenance role (owner or superuser).',
    'begin;',
    '',
    upsert('users', USERS),
    '',
    upsert('tasks', TASKS),
    '',
    'commit;',
    '',
  ].join('\n');
}
