import type { TodoDatabase } from '../connection/open.js';
import { UnsupportedError } from '../errors.js';

/** Monitoring reads the catalog, statistics and EXPLAIN, which pg-mem only pretends to have. */
export function requireCatalog(handle: TodoDatabase, command: string): void {
  if (!handle.capabilities.catalog || !handle.capabilities.statistics) {
    throw new UnsupportedError(`${command} needs PostgreSQL's catalog and statistics, which ${handle.kind} does not have`, 'run it against PostgreSQL or PGlite');
  }
}
