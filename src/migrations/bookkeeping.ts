import { sql, type Kysely } from 'kysely';

/** Kysely's own tables (kysely-ctl reads the same state) and our checksums. */
export const MIGRATION_TABLE = 'kysely_migration';
export const MIGRATION_LOCK_TABLE = 'kysely_migration_lock';
export const CHECKSUM_TABLE = 'todo_db_migration_checksum';
/** Migration bookkeeping: verify ignores these tables. */
export const BOOKKEEPING_TABLES: readonly string[] = [MIGRATION_TABLE, MIGRATION_LOCK_TABLE, CHECKSUM_TABLE];

export interface AppliedMigration {
  name: string;
  appliedAt: Date;
  /** null when applied by a tool that does not record checksums */
  checksum: string | null;
}

/** Creates the bookkeeping tables as Kysely's Migrator would, plus the checksum table. */
export async function ensureBookkeeping(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(MIGRATION_TABLE)
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
    .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable(MIGRATION_LOCK_TABLE)
    .ifNotExists()
    .addColumn('id', 'varchar(255)', (c) => c.notNull().primaryKey())
    .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .insertInto(MIGRATION_LOCK_TABLE)
    .values({ id: 'migration_lock', is_locked: 0 })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await ensureChecksumTable(db);
}

export async function ensureChecksumTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(CHECKSUM_TABLE)
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
    .addColumn('checksum', 'varchar(64)', (c) => c.notNull())
    .execute();
}

/** Applied migrations in order, or null when the database was never migrated. */
export async function readApplied(db: Kysely<any>): Promise<AppliedMigration[] | null> {
  const tables = await existingTables(db);
  if (!tables.has(MIGRATION_TABLE)) return null;
  const rows = await db.selectFrom(MIGRATION_TABLE).select(['name', 'timestamp']).execute();
  const checksums = new Map<string, string>();
  if (tables.has(CHECKSUM_TABLE)) {
    for (const row of await db.selectFrom(CHECKSUM_TABLE).select(['name', 'checksum']).execute()) checksums.set(row.name, row.checksum);
  }
  return rows
    .map((row) => ({ name: row.name as string, appliedAt: new Date(row.timestamp as string), checksum: checksums.get(row.name) ?? null }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function recordApplied(db: Kysely<any>, name: string): Promise<void> {
  await db.insertInto(MIGRATION_TABLE).values({ name, timestamp: new Date().toISOString() }).execute();
}

export async function forgetApplied(db: Kysely<any>, name: string): Promise<void> {
  await db.deleteFrom(MIGRATION_TABLE).where('name', '=', name).execute();
}

export async function recordChecksum(db: Kysely<any>, name: string, checksum: string): Promise<void> {
  await ensureChecksumTable(db);
  await db
    .insertInto(CHECKSUM_TABLE)
    .values({ name, checksum })
    .onConflict((oc) => oc.column('name').doUpdateSet({ checksum }))
    .execute();
}

export async function forgetChecksum(db: Kysely<any>, name: string): Promise<void> {
  await ensureChecksumTable(db);
  await db.deleteFrom(CHECKSUM_TABLE).where('name', '=', name).execute();
}

async function existingTables(db: Kysely<any>): Promise<Set<string>> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_name in (${sql.join(BOOKKEEPING_TABLES)})`.execute(db);
  return new Set(rows.map((r) => r.table_name));
}
