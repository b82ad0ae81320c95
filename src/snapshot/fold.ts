import { sortCatalog } from './read-catalog.js';
import type { Catalog, MigrationChanges, Snapshot } from './types.js';

/** What `after` changed relative to `before`: whole objects added or changed, keys removed. */
export function changesBetween(before: Catalog, after: Catalog): Pick<MigrationChanges, 'set' | 'removed'> {
  const set: Catalog = {};
  for (const [key, o] of Object.entries(after)) if (JSON.stringify(before[key]) !== JSON.stringify(o)) set[key] = o;
  const removed = Object.keys(before)
    .filter((key) => !(key in after))
    .sort();
  return { set: sortCatalog(set), removed };
}

export function applyChanges(before: Catalog, changes: Pick<MigrationChanges, 'set' | 'removed'>): Catalog {
  const next: Catalog = { ...before, ...changes.set };
  for (const key of changes.removed) delete next[key];
  return sortCatalog(next);
}

/**
 * The schema after each migration, oldest first: the snapshot's changes folded
 * in order. No database and no migration is run for this.
 */
export function schemasByMigration(snapshot: Snapshot): Array<{ name: string; schemaVersion: string | null; objects: Catalog }> {
  let objects: Catalog = {};
  return snapshot.migrations.map((m) => {
    objects = applyChanges(objects, m);
    return { name: m.name, schemaVersion: m.schemaVersion, objects };
  });
}
