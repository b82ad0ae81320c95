import type { ReportItem } from '../report/item.js';
import type { ObjectKind } from '../snapshot/types.js';

export type FindingKind = 'missing' | 'unexpected' | 'different';

/** What one finding adds to the shared item shape (src/report/item.ts). */
export interface FindingDetails {
  /** the kind of object: column, index, policy, grant, role… */
  type: ObjectKind;
  /** the table it belongs to, for grouping; null for functions, roles, extensions */
  table: string | null;
  /** what the snapshot says, as DDL-like text; null when the object should not exist */
  expected: string | null;
  /** what the database has; null when it is missing */
  actual: string | null;
}

/**
 * One difference between the snapshot and the live database: `id` is the finding
 * kind (missing, unexpected, different), `object` names it (`tasks.title`,
 * `idx_tasks_user_created`, `policy tasks_update_own`), status is always fail.
 */
export type SchemaFinding = ReportItem<FindingDetails> & { id: FindingKind };

/** An object verify found and accepts: an allowed extension and what belongs to it. */
export type AllowedItem = ReportItem<{ type: 'extension'; members: number; version: string }> & { id: 'allowed' };
