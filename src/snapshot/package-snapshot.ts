import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../migrations/files.js';
import { readSnapshot } from './file.js';
import { SNAPSHOT_FORMAT, type Snapshot } from './types.js';

/** This package's own committed snapshot: the default of the CLI run from its checkout. */
export const PACKAGE_SNAPSHOT_PATH = join(packageRoot(), 'schema', 'snapshot.json');

let cached: Snapshot | undefined;

/**
 * The package's snapshot, read once. For the callers that take no snapshot of
 * their own (health, backup, monitor); an app's config passes its own instead.
 */
export function packageSnapshot(): Snapshot {
  // A checkout before its first `schema snapshot` declares nothing yet; the migrations
  // import this package, so reading must not fail while the file is being made.
  cached ??= existsSync(PACKAGE_SNAPSHOT_PATH) ? readSnapshot(PACKAGE_SNAPSHOT_PATH) : { format: SNAPSHOT_FORMAT, schemaVersion: null, roles: [], migrations: [], objects: {} };
  return cached;
}
