import { packageSnapshot } from './package-snapshot.js';
import { tableNames } from './tables.js';

/**
 * The tables of this package's snapshot, referenced tables first: what cleanup,
 * archive, backup fingerprints, health and monitor look at. A migration that adds
 * a table adds it here through the regenerated snapshot, with no list to edit.
 */
export const SCHEMA_TABLES: readonly string[] = tableNames(packageSnapshot());
