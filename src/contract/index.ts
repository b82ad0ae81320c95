import type { Contract } from './types.js';
import { CONTRACT_V1_0 } from './v1.js';
import { CONTRACT_V1_1 } from './v1-1.js';

export { APP_ROLE, APP_ROLE_ATTRIBUTES } from './v1.js';

/**
 * Every contract version with the migration that completes it, oldest first
 * (docs/schema-changes.md is the change log). The last is what `verify` expects.
 */
export const CONTRACT_HISTORY: readonly { version: string; migration: string; contract: Contract }[] = [
  { version: '1.0.0', migration: '0004_row_level_security', contract: CONTRACT_V1_0 },
  { version: '1.1.0', migration: '0005_tasks_archive', contract: CONTRACT_V1_1 },
];

/** The current contract: what `todo-db migrate up` builds and `todo-db verify` expects. */
export const CONTRACT: Contract = CONTRACT_V1_1;
export const CONTRACT_VERSION: string = CONTRACT.version;

/** The contract's tables, in its order: what health, monitor and backup look at. */
export const CONTRACT_TABLES: readonly string[] = CONTRACT.tables.map((t) => t.name);
