/**
 * The schema as a flat, sorted set of catalog objects: what `todo-db schema
 * snapshot` writes, what verify reads from a live database, and what the Kysely
 * types, the diagram and the table lists are derived from.
 */
export type Attr = string | number | boolean | null | string[];

export const OBJECT_KINDS = [
  'extension',
  'schema',
  'role',
  'setting',
  'type',
  'sequence',
  'function',
  'table',
  'row-level security',
  'column',
  'constraint',
  'index',
  'trigger',
  'rule',
  'policy',
  'view',
  'materialized view',
  'grant',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export interface CatalogObject {
  kind: ObjectKind;
  /** the object as people name it: `tasks.title`, `idx_tasks_user_created`, `policy tasks_update_own` */
  object: string;
  /** the table it belongs to; null for functions, roles, extensions… */
  table: string | null;
  attrs: Record<string, Attr>;
}

/** key → object; keys are unique (`constraint tasks.tasks_pkey`), objects are what people read. */
export type Catalog = Record<string, CatalogObject>;

/** What one migration changed: objects added or changed (whole), and keys removed. */
export interface MigrationChanges {
  name: string;
  /** the schema version once this migration is applied */
  schemaVersion: string | null;
  set: Catalog;
  removed: string[];
}

export const SNAPSHOT_FORMAT = 1;

export interface Snapshot {
  format: number;
  /** the schema version of the last migration that declares one */
  schemaVersion: string | null;
  /** the roles the schema declares (grantees and policy roles other than the owner) */
  roles: string[];
  /** every migration in order with what it changed: folding them gives the schema after each */
  migrations: MigrationChanges[];
  /** the schema after the last migration */
  objects: Catalog;
}
