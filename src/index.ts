/**
 * todo-db as a library: the typed schema, connections, migrations and the rest.
 * The CLI (src/cli/) imports only from here.
 */
export * from './errors.js';
export * from './schema.js';
export { resolveTarget, parseUrl, maskUrl, maskSecrets, isNeonPooler, DEFAULT_DATA_DIR } from './connection/target.js';
export type { Target, TargetSource, Purpose, ResolveOptions } from './connection/target.js';
export { openDatabase, withDatabase, DEFAULT_CONNECT_TIMEOUT_MS } from './connection/open.js';
export type { OpenOptions, RawDriver, ServerInfo, TodoDatabase } from './connection/open.js';
export { backendOf, supports, CAPABILITIES } from './connection/capabilities.js';
export type { BackendKind, Capabilities } from './connection/capabilities.js';
export { MIGRATION_LOCK_ID, DEFAULT_LOCK_WAIT_MS } from './connection/advisory-lock.js';
export { migrateUp, migrateDown, migrationStatus, MigrationFailedError } from './migrations/runner.js';
export type { MigrateOptions, MigrateResult, MigrationStep, StatusResult } from './migrations/runner.js';
export type { MigrationState, MigrationProblem } from './migrations/plan.js';
export { createMigrationProvider } from './migrations/provider.js';
export { makeMigration } from './migrations/make.js';
export { migrationsDir, listMigrationFiles, PACKAGE_MIGRATIONS_DIR } from './migrations/files.js';
export { BOOKKEEPING_TABLES, MIGRATION_TABLE, CHECKSUM_TABLE } from './migrations/bookkeeping.js';
export { backupDatabase } from './backup/dump.js';
export type { BackupOptions, BackupProgress, BackupResult } from './backup/dump.js';
export { restoreDatabase } from './backup/restore.js';
export type { RestoreOptions, RestoreResult } from './backup/restore.js';
export { verifyBackup } from './backup/verify-backup.js';
export type { BackupVerification, TableComparison, VerifyBackupOptions } from './backup/verify-backup.js';
export { detectFormat, defaultBackupName } from './backup/backup-file.js';
export type { BackupFormat } from './backup/backup-file.js';
export { CONTENT_TABLES, tableContents } from './backup/contents.js';
export type { TableContents } from './backup/contents.js';
export type { SchemaCheck } from './backup/schema-check.js';
export { toolInvocation, CLIENT_PACKAGE } from './backup/pg-tools.js';
export type { ToolCall, PgTool } from './backup/pg-tools.js';
export { seedDevelopment, loadDevelopmentSeed, DEVELOPMENT_SEED_FILE } from './seed/development.js';
export type { DevelopmentSeedResult, SeedCounts } from './seed/development.js';
export { developmentSeedSql } from './seed/development-sql.js';
export { seedScale } from './seed/scale.js';
export type { ScaleSeedOptions, ScaleSeedResult, SeedProgress, SeedPhase } from './seed/scale.js';
export { scaleShape, DEFAULT_SCALE_SEED, DEFAULT_TASKS_PER_USER } from './seed/scale-options.js';
export type { ScaleInput } from './seed/scale-options.js';
export { scaleUsers, scaleTasks, scaleEmail, SCALE_EPOCH } from './seed/scale-data.js';
export type { ScaleShape } from './seed/scale-data.js';
export { withBulkWriter } from './seed/bulk-writer.js';
export type { BulkWriter, LoadMethod } from './seed/bulk-writer.js';
export type { UserRow, TaskRow } from './seed/rows.js';
export { cleanup, CLEANUP_SQL_FILE } from './seed/cleanup.js';
export type { CleanupOptions, CleanupResult } from './seed/cleanup.js';
