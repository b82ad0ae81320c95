/**
 * The schema version each migration leaves. A migration that changes it says so
 * with `export const schemaVersion = '1.2.0'`; those written before this export
 * existed are listed here (their files, and so their checksums, stay as applied).
 */
export const EARLIER_SCHEMA_VERSIONS: Readonly<Record<string, string>> = {
  '0004_row_level_security': '1.0.0',
  '0005_tasks_archive': '1.1.0',
};

export function schemaVersionOf(name: string, exported: unknown, previous: string | null): string | null {
  if (typeof exported === 'string') return exported;
  return EARLIER_SCHEMA_VERSIONS[name] ?? previous;
}
