import { formatBytes, formatSeconds, percent } from './format.js';
import type { HealthFindingInput, HealthCheck, Verdict } from './types.js';

/** The checks for what takes a database down quietly: forgotten prepared transactions, sequences running out, bloat. */

export const PREPARED_SQL = 'health/prepared.sql';
export const SEQUENCES_SQL = 'health/sequences.sql';
export const BLOAT_SQL = 'health/bloat.sql';

export interface PreparedRow {
  gid: string;
  owner: string;
  database: string;
  xid: string;
  age_seconds: number;
}

export interface SequenceRow {
  sequence: string;
  /** `table.column` it feeds (serial or identity), null for a free-standing sequence */
  column: string | null;
  last_value: number;
  unused: boolean;
  increment_by: number;
  min_value: number;
  max_value: number;
}

export interface BloatRow {
  kind: 'table' | 'index';
  table: string;
  object: string;
  factor: number;
  waste_bytes: number;
}

/** The worst of the findings' statuses, or ok. */
function verdictOf(findings: HealthFindingInput[], message: (n: number) => string, none: string): Verdict {
  if (!findings.length) return { status: 'ok', value: 0, message: none };
  const status = findings.some((f) => f.status === 'fail') ? 'fail' : findings.some((f) => f.status === 'warn') ? 'warn' : 'ok';
  return { status, value: findings.length, message: message(findings.length), findings };
}

export const preparedTransactions: HealthCheck = {
  id: 'prepared-transactions',
  title: 'prepared transactions',
  needs: ['catalog'],
  sql: [PREPARED_SQL],
  evaluate: ({ rows }, t) => {
    const old = rows<PreparedRow>(PREPARED_SQL).filter((p) => p.age_seconds >= t.preparedWarnSeconds);
    const findings: HealthFindingInput[] = old.map((p) => ({
      object: `prepared transaction '${p.gid}'`,
      status: p.age_seconds >= t.preparedFailSeconds ? 'fail' : 'warn',
      message: `prepared ${formatSeconds(p.age_seconds)} ago on ${p.database} by ${p.owner}: it holds its locks and stops vacuum until resolved`,
      fix: `COMMIT PREPARED '${p.gid}' or ROLLBACK PREPARED '${p.gid}' (connected to ${p.database}) once you know what it was`,
      details: { gid: p.gid, database: p.database, owner: p.owner, xid: p.xid, ageSeconds: p.age_seconds },
    }));
    const first = findings[0];
    return verdictOf(findings, (n) => `${n} left open: ${first?.object} ${first?.message}`, 'none older than the threshold');
  },
  threshold: (t) => `warn ≥ ${t.preparedWarnSeconds} s old, fail ≥ ${t.preparedFailSeconds} s`,
  fix: 'resolve it with COMMIT PREPARED or ROLLBACK PREPARED (its transaction manager should have)',
};

/** How much of its range a sequence has used, in the direction it counts. */
export function sequenceUsed(s: SequenceRow): number {
  const range = s.max_value - s.min_value;
  if (s.unused || range <= 0) return 0;
  return percent(s.increment_by < 0 ? s.max_value - s.last_value : s.last_value - s.min_value, range);
}

export const sequences: HealthCheck = {
  id: 'sequences',
  title: 'sequences',
  needs: ['catalog'],
  sql: [SEQUENCES_SQL],
  evaluate: ({ rows }, t) => {
    const all = rows<SequenceRow>(SEQUENCES_SQL);
    const findings: HealthFindingInput[] = all
      .map((s) => ({ s, used: sequenceUsed(s) }))
      .filter(({ used }) => used >= t.sequenceWarnPercent)
      .map(({ s, used }) => ({
        object: s.column ?? s.sequence,
        status: used >= t.sequenceFailPercent ? 'fail' : 'warn',
        message: `${used.toFixed(1)} % of its range used (${s.last_value.toLocaleString('en-US')} of ${(s.increment_by < 0 ? s.min_value : s.max_value).toLocaleString('en-US')}${s.column ? `, sequence ${s.sequence}` : ''})`,
        details: { sequence: s.sequence, column: s.column, lastValue: s.last_value, maxValue: s.max_value, usedPercent: Math.round(used * 100) / 100 },
      }));
    const first = findings[0];
    return verdictOf(findings, (n) => `${n} near the end: ${first?.object} ${first?.message}`, `${all.length} sequence${all.length === 1 ? '' : 's'}, none near its maximum`);
  },
  threshold: (t) => `warn ≥ ${t.sequenceWarnPercent} % of the range, fail ≥ ${t.sequenceFailPercent} % (capped by the column type)`,
  fix: 'widen the column and its sequence to bigint in a migration (ALTER TABLE … ALTER COLUMN … TYPE bigint; ALTER SEQUENCE … AS bigint) before it runs out',
};

export const bloat: HealthCheck = {
  id: 'bloat',
  title: 'table and index bloat',
  needs: ['statistics'],
  sql: [BLOAT_SQL],
  evaluate: ({ rows }, t) => {
    const minBytes = t.bloatMinMegabytes * 1024 * 1024;
    // Small objects are never worth a rewrite, whatever their ratio: only sizeable waste is judged.
    const findings: HealthFindingInput[] = rows<BloatRow>(BLOAT_SQL)
      .filter((r) => r.waste_bytes >= minBytes && r.factor >= t.bloatWarnFactor)
      .map((r) => ({
        object: r.kind === 'index' ? `${r.object} (index on ${r.table})` : r.object,
        status: r.factor >= t.bloatFailFactor ? 'fail' : 'warn',
        message: `estimated ${r.factor.toFixed(1)}× its packed size, ${formatBytes(r.waste_bytes)} wasted`,
        fix:
          r.kind === 'index'
            ? `REINDEX INDEX CONCURRENTLY ${r.object}`
            : `VACUUM (ANALYZE) ${r.table}; to give the space back, pg_repack or VACUUM FULL ${r.table} (an exclusive lock)`,
        details: { kind: r.kind, table: r.table, factor: r.factor, wasteBytes: r.waste_bytes },
      }));
    const first = findings[0];
    return verdictOf(findings, (n) => `${n} bloated: ${first?.object} ${first?.message}`, 'no table or index wastes much space (estimate from the statistics)');
  },
  threshold: (t) => `warn ≥ ${t.bloatWarnFactor}×, fail ≥ ${t.bloatFailFactor}× the packed size, when ≥ ${t.bloatMinMegabytes} MB is wasted`,
  fix: 'VACUUM (ANALYZE) the table; REINDEX CONCURRENTLY a bloated index; pg_repack to rewrite a table online',
};
