import type { Capabilities } from '../connection/capabilities.js';
import type { TodoDatabase } from '../connection/open.js';
import type { ItemStatus, ReportItem } from '../report/item.js';
import type { Thresholds } from './thresholds.js';

/** The one status vocabulary of every report item (src/report/item.ts). */
export type CheckStatus = ItemStatus;

/** One object a check names (an index, a session, a table) and what is wrong or notable. */
export interface HealthFindingInput {
  object: string;
  status: CheckStatus;
  message: string;
  /** this object's own fix; the check's fix otherwise */
  fix?: string;
  details?: Record<string, unknown>;
}

/** A finding as reported: the item shape, `id` being the check's id. */
export type HealthFinding = ReportItem;

/** What a check concluded. */
export interface Verdict {
  status: CheckStatus;
  message: string;
  /** the measured number or text the status rests on, for --json and dashboards */
  value?: number | string | null;
  findings?: HealthFindingInput[];
  /** a fix more precise than the check's own (the one `rls status` prints, say) */
  fix?: string;
}

/** What `evaluate` reads: the rows of its SQL files (fetched once per run) and what `collect` returned. */
export interface CheckInput<D = unknown> {
  rows<R>(file: string): R[];
  data: D;
  /** the server version number (150004), 0 where there is none (pg-mem) */
  serverVersionNum: number;
  server: TodoDatabase['server'];
}

/**
 * One health check, as data: the runner fetches its SQL (shared between
 * checks), calls `collect` for checks built on library functions, then
 * `evaluate` turns that into a verdict. No check knows how it is rendered,
 * and `evaluate` needs no database (test/unit/health-evaluate.test.ts).
 */
export interface HealthCheck<D = unknown> {
  id: string;
  title: string;
  /** backend capabilities it needs; without them it is n/a */
  needs: readonly (keyof Capabilities)[];
  /** files under sql/ whose rows it reads */
  sql: readonly string[];
  collect?: (database: TodoDatabase, options: CollectOptions) => Promise<D>;
  evaluate(input: CheckInput<D>, thresholds: Thresholds): Verdict;
  /** the limits it judges by, in words, for the report */
  threshold?: (t: Thresholds) => string;
  /** one line: what to do when it is not ok */
  fix: string;
}

export interface CollectOptions {
  /** migrations folder, as for `migrate status` */
  migrationsDir?: string;
  /** the application's connection or role, for the RLS assessment */
  app?: { appUrl?: string; appRole?: string };
  rows<R>(file: string): Promise<R[]>;
}

/** What a check reports besides the item fields. */
export interface CheckDetails {
  [key: string]: unknown;
  title: string;
  value: number | string | null;
  threshold: string | null;
  findings: HealthFinding[];
  durationMs: number;
}

/** A check's verdict as reported: one item of src/report/item.ts, `object` being its title. */
export type CheckResult = ReportItem<CheckDetails>;

export interface HealthReport {
  /** no check failed */
  ok: boolean;
  /** no check failed or warned (`--strict`) */
  strictOk: boolean;
  /** every check ran; false when the deadline passed or the run was interrupted */
  complete: boolean;
  /** why the run stopped early, when it did */
  stopped: 'deadline' | 'interrupted' | null;
  deadlineMs: number;
  counts: Record<CheckStatus, number>;
  checks: CheckResult[];
  thresholds: Thresholds;
  durationMs: number;
}
