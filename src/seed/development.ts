import { requireWritable } from '../connection/writable.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import type { TodoDatabase } from '../connection/open.js';
import { ProblemError } from '../errors.js';
import { packageRoot } from '../migrations/files.js';
import { assertMaintenanceRole } from './maintenance-role.js';
import type { TaskRow, UserRow } from './rows.js';
import { seedLogins, type SeedLogins } from './logins.js';
import { hasSqlState } from '../sql-state.js';

/** The kysely-ctl seed module that declares the development data (seeds/). */
export const DEVELOPMENT_SEED_FILE = join(packageRoot(), 'seeds', '0001_development.js');

export interface SeedCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface DevelopmentSeedResult {
  users: SeedCounts;
  tasks: SeedCounts;
  /** Better Auth credential accounts (contract v1.2.0), or why there are none */
  logins: SeedLogins;
  durationMs: number;
}

export interface DevelopmentSeedOptions {
  /** create the credential accounts on a target that is not local, too */
  withLogins?: boolean;
  /** the seeds folder (an app's, after `todo-db init`); default: this package's seeds/ */
  seedsDir?: string;
}

interface DevelopmentSeedModule {
  USERS: readonly UserRow[];
  TASKS: readonly TaskRow[];
  seed(db: Kysely<any>): Promise<{ users: SeedCounts; tasks: SeedCounts }>;
}

/** The development seed of a seeds folder (an app's, after `todo-db init`). */
export function developmentSeedFile(seedsDir?: string): string {
  return seedsDir ? join(seedsDir, '0001_development.js') : DEVELOPMENT_SEED_FILE;
}

/** The development seed module, as kysely-ctl would load it. */
export async function loadDevelopmentSeed(file = DEVELOPMENT_SEED_FILE): Promise<DevelopmentSeedModule> {
  return (await import(pathToFileURL(file).href)) as DevelopmentSeedModule;
}

/**
 * Loads the development data set (alice, bob and carol at example.com with their
 * tasks), idempotently: a second run changes nothing, and seed rows edited since
 * are put back.
 *
 * @example
 * const { users, tasks } = await seedDevelopment(database);
 * console.log(`${users.inserted} users and ${tasks.inserted} tasks inserted`);
 */
export async function seedDevelopment(database: TodoDatabase, options: DevelopmentSeedOptions = {}): Promise<DevelopmentSeedResult> {
  await requireWritable(database, 'seed');
  await assertMaintenanceRole(database, 'seed');
  const started = performance.now();
  const module = await loadDevelopmentSeed(developmentSeedFile(options.seedsDir));
  try {
    const counts = await module.seed(database.db);
    const logins = await seedLogins(database, module.USERS, options.withLogins);
    return { ...counts, logins, durationMs: performance.now() - started };
  } catch (error) {
    if (hasSqlState(error, 'uniqueViolation')) {
      throw new ProblemError(
        'another user already has the email of a development user (alice, bob or carol @example.com) under a different id',
        'remove the seed users with `todo-db cleanup --yes`, then seed again',
      );
    }
    throw error;
  }
}
