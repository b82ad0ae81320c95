import type { Capabilities } from '../connection/capabilities.js';
import type { TodoDatabase } from '../connection/open.js';
import type { Thresholds } from './thresholds.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info' | 'n/a';

/** One object a check names (an index, a session, a table) and what is wrong or notable. */
export interface Finding {
  object: string;
  status: CheckStatus;
  message: string;
}

/** What a check concluded. */
export interface Verdict {
  status: CheckStatus;
  message: string;
  /** the measured number or text the status rests on, for --json and dashboards */
  value?: number | string | null;
  findings?: Finding[];
}

/** What `evaluate` reads: the rows of its SQL files (fetched once per run) and what `collect` returned. */
export interface CheckInput<D = unknown> {
  rows<R>(file: string): R[];
  data: D;
  handle: TodoDatabase;
}

/**
 * One health check, as data: the runner fetches its SQL (shared between
 * checks), calls `collect` for checks built on library functions, then
 * `evaluate` turns that into a verdict. No check knows how it is rendered.
 */
export interface HealthCheck<D = unknown> {
  id: string;
  title: string;
  /** backend capabilities it needs; without them it is n/a */
  needs: readonly (keyof Capabilities)[];
  /** files under sql/ whose rows it reads */
  sql: readonly string[];
  collect?: (handle: TodoDatabase, options: CollectOptions) => Promise<D>;
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

/** A check's verdict as reported. */
export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  message: string;
  value: number | string | null;
  threshold: string | null;
  findings: Finding[];
  /** set when the status is not ok */
  fix: string | null;
  durationMs: number;
}

export interface HealthReport {
  /** no check failed */
  ok: boolean;
  /** no check failed or warned (`--strict`) */
  strictOk: boolean;
  counts: Record<CheckStatus, number>;
  checks: CheckResult[];
  thresholds: Thresholds;
  durationMs: number;
}
