import type { TodoDatabase } from '../connection/open.js';
import { BOOKKEEPING_TABLES } from '../migrations/bookkeeping.js';
import { readCatalog } from '../snapshot/read-catalog.js';
import { parentsFirst, tablesOf, type TableInfo } from '../snapshot/tables.js';
import type { Snapshot } from '../snapshot/types.js';
import { requireCatalog } from './verify-schema.js';

/**
 * The live schema as a Mermaid ER diagram: tables, columns with short types, PK /
 * FK / UK markers, one relationship per foreign key. Deterministic, so a document's
 * copy can be checked for staleness (`diagramIsCurrent`).
 *
 * @example
 * console.log(await schemaDiagram(database)); // erDiagram\n    users ||--o{ tasks : "user_id"\n ...
 */
export async function schemaDiagram(database: Pick<TodoDatabase<any>, 'db' | 'kind' | 'capabilities'>): Promise<string> {
  requireCatalog(database);
  const { objects } = await readCatalog(database.db, { ignoreTables: BOOKKEEPING_TABLES, roles: [], parameters: [] });
  return renderDiagram(tablesOf(objects));
}

/** The diagram of the snapshot's schema: what README.md shows and `schema diagram --check` compares. */
export function snapshotDiagram(snapshot: Pick<Snapshot, 'objects'>): string {
  return renderDiagram(tablesOf(snapshot.objects));
}

export function renderDiagram(tables: TableInfo[]): string {
  const ordered = parentsFirst(tables);
  const lines = ['erDiagram'];
  for (const child of ordered) {
    for (const fk of child.foreignKeys) {
      const nullable = fk.columns.some((c) => child.columns.find((col) => col.name === c)?.nullable);
      const unique = isUnique(child, fk.columns);
      lines.push(`    ${fk.references.table} ${nullable ? '|o' : '||'}--${unique ? 'o|' : 'o{'} ${child.name} : "${fk.columns.join(', ')}"`);
    }
  }
  for (const table of ordered) {
    lines.push(`    ${table.name} {`);
    for (const column of table.columns) {
      const keys = [
        table.primaryKey?.columns.includes(column.name) ? 'PK' : '',
        table.foreignKeys.some((fk) => fk.columns.includes(column.name)) ? 'FK' : '',
        !table.primaryKey?.columns.includes(column.name) && isUnique(table, [column.name]) ? 'UK' : '',
      ].filter(Boolean);
      lines.push(`        ${shortType(column.type)} ${column.name}${keys.length ? ' ' + keys.join(', ') : ''}`);
    }
    lines.push('    }');
  }
  return lines.join('\n');
}

/** True when `markdown` holds a mermaid erDiagram block equal (line by line, trimmed) to `diagram`. */
export function diagramIsCurrent(markdown: string, diagram: string): boolean {
  const blocks = [...markdown.matchAll(/```mermaid\s*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').filter((b) => /\berDiagram\b/.test(b));
  return blocks.some((block) => squash(block) === squash(diagram));
}

const squash = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');

const SHORT: Record<string, string> = {
  'character varying': 'varchar',
  character: 'char',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz',
  'time without time zone': 'time',
  'double precision': 'float8',
  'bit varying': 'varbit',
};

/** Mermaid attribute types are single words: `character varying(255)` becomes `varchar`. */
export function shortType(type: string): string {
  const array = type.endsWith('[]');
  const base = type
    .replace(/\[\]$/, '')
    .replace(/\(.*\)/, '')
    .trim();
  return (SHORT[base] ?? base.replace(/\s+/g, '_')) + (array ? '_array' : '');
}

function isUnique(table: TableInfo, columns: string[]): boolean {
  const same = (list: string[]) => list.length === columns.length && list.every((c, i) => c === columns[i]);
  return (
    (table.primaryKey !== null && same(table.primaryKey.columns)) ||
    table.uniques.some((u) => same(u.columns)) ||
    table.indexes.some((i) => i.unique && !i.predicate && same(i.keys))
  );
}
