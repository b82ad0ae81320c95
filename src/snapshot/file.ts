import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { schemasByMigration } from './fold.js';
import { SNAPSHOT_FORMAT, type Catalog, type CatalogObject, type Snapshot } from './types.js';

/**
 * The committed snapshot file: pretty JSON with sorted keys and one catalog
 * object per line, so a migration's pull request shows its schema change as a
 * few added, removed or changed lines.
 */
export function serialiseSnapshot(snapshot: Snapshot): string {
  const catalog = (objects: Catalog, indent: string) => {
    const entries = Object.entries(objects);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([key, o]) => `${indent}  ${JSON.stringify(key)}: ${JSON.stringify(sortKeys(o))}`).join(',\n')}\n${indent}}`;
  };
  const migrations = snapshot.migrations.map(
    (m) =>
      `    {\n      "name": ${JSON.stringify(m.name)},\n      "removed": ${JSON.stringify(m.removed)},\n      "schemaVersion": ${JSON.stringify(m.schemaVersion)},\n      "set": ${catalog(m.set, '      ')}\n    }`,
  );
  return [
    '{',
    `  "format": ${snapshot.format},`,
    `  "migrations": [\n${migrations.join(',\n')}\n  ],`,
    `  "objects": ${catalog(snapshot.objects, '  ')},`,
    `  "roles": ${JSON.stringify(snapshot.roles)},`,
    `  "schemaVersion": ${JSON.stringify(snapshot.schemaVersion)}`,
    '}',
    '',
  ].join('\n');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}

export function writeSnapshot(path: string, snapshot: Snapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serialiseSnapshot(snapshot));
}

/**
 * Reads and checks a snapshot file: missing, unparsable, from a newer todo-db or
 * inconsistent (its migrations do not fold into its objects) is a usage error.
 */
export function readSnapshot(path: string): Snapshot {
  if (!existsSync(path)) throw new UsageError(`schema snapshot ${path} does not exist`, 'generate it with `todo-db schema snapshot`');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`schema snapshot ${path} is not valid JSON: ${(error as Error).message}`, 'regenerate it with `todo-db schema snapshot`');
  }
  return parseSnapshot(parsed, path);
}

export function parseSnapshot(parsed: unknown, path = 'the schema snapshot'): Snapshot {
  const s = parsed as Partial<Snapshot> | null;
  if (!s || typeof s !== 'object' || typeof s.format !== 'number' || !Array.isArray(s.migrations) || typeof s.objects !== 'object' || !Array.isArray(s.roles)) {
    throw new UsageError(`${path} is not a todo-db schema snapshot`, 'regenerate it with `todo-db schema snapshot`');
  }
  if (s.format > SNAPSHOT_FORMAT) {
    throw new UsageError(
      `${path} has format ${s.format}, written by a newer todo-db (this one reads ${SNAPSHOT_FORMAT})`,
      'upgrade todo-db, or regenerate the snapshot with this version',
    );
  }
  const snapshot = s as Snapshot;
  const last = schemasByMigration(snapshot).at(-1)?.objects ?? {};
  if (JSON.stringify(last) !== JSON.stringify(snapshot.objects)) {
    throw new UsageError(`${path} is inconsistent: its migrations do not add up to its objects`, 'regenerate it with `todo-db schema snapshot`');
  }
  return snapshot;
}

export type SnapshotObjects = Record<string, CatalogObject>;
