/**
 * The package's migrations, written out once (contract v1.2.0): tests pin this
 * list, so a new migration is a deliberate one-line change here, not a dozen.
 */
export const CONTRACT_MIGRATIONS = [
  '0001_create_users',
  '0002_create_tasks',
  '0003_updated_at_triggers',
  '0004_row_level_security',
  '0005_tasks_archive',
  '0006_better_auth',
] as const;
