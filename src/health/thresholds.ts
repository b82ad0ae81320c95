import { UsageError } from '../errors.js';

export interface ThresholdSpec {
  /** the CLI flag, `--<flag> <value>` */
  flag: string;
  unit: 'ms' | 's' | '%' | 'rows' | 'scans' | 'blocks' | 'days' | 'major' | 'x' | 'MB';
  value: number;
  /** what crossing it means */
  description: string;
}

/**
 * Every threshold health judges by, declared once: defaults, flags and
 * docs/health.md (which says where each number comes from) all follow this table.
 */
export const HEALTH_THRESHOLDS = {
  latencyWarnMs: { flag: 'latency-warn', unit: 'ms', value: 100, description: 'warn when one round trip takes longer' },
  minServerMajor: { flag: 'min-server-version', unit: 'major', value: 14, description: 'warn below this PostgreSQL major version' },
  cacheHitWarnPercent: { flag: 'cache-hit-warn', unit: '%', value: 99, description: 'warn when the table or index cache hit ratio is lower' },
  cacheMinBlocks: { flag: 'cache-min-blocks', unit: 'blocks', value: 1000, description: 'judge the cache hit ratio only after this many block reads' },
  largeTableRows: { flag: 'large-table-rows', unit: 'rows', value: 10_000, description: 'tables at least this big are judged on scans, unused indexes and vacuum' },
  seqScanMinCount: { flag: 'seq-scan-min', unit: 'scans', value: 100, description: 'judge sequential vs index scans only after this many sequential scans' },
  statsMinAgeDays: { flag: 'stats-min-age', unit: 'days', value: 7, description: 'unused indexes only warn once the statistics are this old' },
  deadTuplesWarnPercent: { flag: 'dead-tuples-warn', unit: '%', value: 20, description: 'warn when dead rows exceed this share of a large table' },
  deadTuplesFailPercent: { flag: 'dead-tuples-fail', unit: '%', value: 50, description: 'fail when dead rows exceed this share of a large table' },
  analyzeStaleWarnPercent: { flag: 'analyze-stale-warn', unit: '%', value: 20, description: 'warn when rows changed since the last analyze exceed this share' },
  wraparoundWarnPercent: { flag: 'wraparound-warn', unit: '%', value: 50, description: 'warn when this much of the 2^31 transaction-id space is used' },
  wraparoundFailPercent: { flag: 'wraparound-fail', unit: '%', value: 75, description: 'fail when this much of the transaction-id space is used' },
  longQueryWarnSeconds: { flag: 'long-query-warn', unit: 's', value: 60, description: 'warn on a query running longer' },
  longQueryFailSeconds: { flag: 'long-query-fail', unit: 's', value: 300, description: 'fail on a query running longer' },
  idleInTransactionWarnSeconds: { flag: 'idle-in-transaction-warn', unit: 's', value: 60, description: 'warn on a session idle in a transaction for longer' },
  idleInTransactionFailSeconds: { flag: 'idle-in-transaction-fail', unit: 's', value: 300, description: 'fail on a session idle in a transaction for longer' },
  blockedWarnSeconds: { flag: 'blocked-warn', unit: 's', value: 10, description: 'warn on a query waiting for a lock for longer' },
  blockedFailSeconds: { flag: 'blocked-fail', unit: 's', value: 60, description: 'fail on a query waiting for a lock for longer' },
  preparedWarnSeconds: { flag: 'prepared-warn', unit: 's', value: 60, description: 'warn on a prepared transaction older than this (it holds locks and stops vacuum)' },
  preparedFailSeconds: { flag: 'prepared-fail', unit: 's', value: 300, description: 'fail on a prepared transaction older than this' },
  sequenceWarnPercent: { flag: 'sequence-warn', unit: '%', value: 75, description: 'warn when a sequence (or identity column) has used this share of its range' },
  sequenceFailPercent: { flag: 'sequence-fail', unit: '%', value: 90, description: 'fail when a sequence has used this share of its range' },
  bloatWarnFactor: { flag: 'bloat-warn', unit: 'x', value: 2, description: 'warn when a table or index is estimated this many times its packed size' },
  bloatFailFactor: { flag: 'bloat-fail', unit: 'x', value: 5, description: 'fail when a table or index is estimated this many times its packed size' },
  bloatMinMegabytes: { flag: 'bloat-min', unit: 'MB', value: 10, description: 'judge bloat only when the estimated waste is at least this big' },
  connectionsWarnPercent: { flag: 'connections-warn', unit: '%', value: 80, description: 'warn when this share of max_connections is used' },
  connectionsFailPercent: { flag: 'connections-fail', unit: '%', value: 95, description: 'fail when this share of max_connections is used' },
  expiredSessionsWarn: {
    flag: 'expired-sessions-warn',
    unit: 'rows',
    value: 1000,
    description: 'warn when more Better Auth sessions than this are past expires_at (a few are normal: they go when their cookie returns)',
  },
  replicationLagWarnSeconds: { flag: 'replication-lag-warn', unit: 's', value: 30, description: 'warn when a standby replays this far behind the primary' },
  replicationLagFailSeconds: { flag: 'replication-lag-fail', unit: 's', value: 300, description: 'fail when a standby replays this far behind' },
  replicationLagWarnMegabytes: { flag: 'replication-lag-bytes-warn', unit: 'MB', value: 64, description: 'warn when a standby has this much WAL left to replay' },
  slotRetainedWarnMegabytes: { flag: 'slot-retained-warn', unit: 'MB', value: 1024, description: 'warn when an inactive replication slot retains more WAL than this' },
  slotRetainedFailMegabytes: { flag: 'slot-retained-fail', unit: 'MB', value: 10_240, description: 'fail when an inactive replication slot retains more WAL than this' },
  slowStatementWarnMs: { flag: 'slow-statement-warn', unit: 'ms', value: 100, description: 'warn on a statement slower than this on average (pg_stat_statements)' },
} as const satisfies Record<string, ThresholdSpec>;

export type ThresholdKey = keyof typeof HEALTH_THRESHOLDS;
export type Thresholds = Record<ThresholdKey, number>;

export const THRESHOLD_KEYS = Object.keys(HEALTH_THRESHOLDS) as ThresholdKey[];

export const DEFAULT_THRESHOLDS: Thresholds = Object.fromEntries(THRESHOLD_KEYS.map((k) => [k, HEALTH_THRESHOLDS[k].value])) as Thresholds;

/** The defaults with the given overrides; a negative or non-finite value is bad input. */
export function resolveThresholds(overrides: Partial<Thresholds> = {}): Thresholds {
  const resolved = { ...DEFAULT_THRESHOLDS };
  for (const key of THRESHOLD_KEYS) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`threshold --${HEALTH_THRESHOLDS[key].flag} must be a number >= 0, got ${value}`, 'see `todo-db health --help`');
    }
    resolved[key] = value;
  }
  return resolved;
}
