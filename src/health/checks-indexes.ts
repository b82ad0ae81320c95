import { INDEXES_SQL, indexVerdicts, type IndexRow } from '../monitor/index-verdicts.js';
import { DATABASE_SQL, type DatabaseRow } from './checks-server.js';
import { TABLES_SQL } from './checks-contract.js';
import type { TableRow } from './checks-tables.js';
import { formatBytes, formatSeconds } from './format.js';
import type { HealthFindingInput, HealthCheck } from './types.js';

/**
 * Redundant indexes the v1 contract keeps on purpose (schema.md: "v1 keeps it
 * because the contract names it"): reported (ok) with their size, not warned
 * about, so a database that is exactly the contract passes `health --strict`.
 */
export const CONTRACT_KEPT_INDEXES: readonly string[] = ['idx_tasks_user_id'];
const FOREIGN_KEYS_SQL = 'health/foreign-keys.sql';

const verdicts = (rows: <R>(file: string) => R[]) => indexVerdicts(rows<IndexRow>(INDEXES_SQL));

export const unusedIndexes: HealthCheck = {
  id: 'unused-indexes',
  title: 'unused indexes',
  needs: ['statistics'],
  sql: [INDEXES_SQL, TABLES_SQL, DATABASE_SQL],
  evaluate: ({ rows }, t) => {
    const statsAge = rows<DatabaseRow>(DATABASE_SQL)[0]?.stats_age_seconds ?? null;
    const live = new Map(rows<TableRow>(TABLES_SQL).map((r) => [r.table, r.live]));
    // Young (or unknown) statistics or a small table: "never scanned" proves little, so only inform.
    const young = statsAge === null || statsAge < t.statsMinAgeDays * 86_400;
    const findings: HealthFindingInput[] = verdicts(rows)
      .filter((v) => v.verdict === 'unused')
      .map((v) => ({
        object: v.index,
        status: young || (live.get(v.table) ?? 0) < t.largeTableRows ? 'ok' : 'warn',
        message: `0 scans, ${formatBytes(v.bytes)} on ${v.table}`,
      }));
    const age = statsAge === null ? 'statistics never reset: their age is unknown' : `statistics ${formatSeconds(statsAge)} old${young ? ', too young to be sure' : ''}`;
    if (!findings.length) return { status: 'ok', value: 0, message: `every index has been scanned (${age})` };
    const status = findings.some((f) => f.status === 'warn') ? 'warn' : 'ok';
    return { status, value: findings.length, message: `${findings.length} never scanned (${age})`, findings };
  },
  threshold: (t) => `warn once statistics are ≥ ${t.statsMinAgeDays} days old, on tables ≥ ${t.largeTableRows.toLocaleString('en-US')} rows`,
  fix: 'drop an index only after statistics covering a full business cycle show it unused',
};

export const redundantIndexes: HealthCheck = {
  id: 'redundant-indexes',
  title: 'redundant indexes',
  needs: ['catalog'],
  sql: [INDEXES_SQL],
  evaluate: ({ rows }) => {
    const findings: HealthFindingInput[] = verdicts(rows)
      .filter((v) => v.verdict === 'redundant')
      .map((v) => {
        const kept = CONTRACT_KEPT_INDEXES.includes(v.index);
        return {
          object: v.index,
          status: kept ? 'ok' : 'warn',
          message: `redundant: covered by ${v.coveredBy.join(', ')} (${formatBytes(v.bytes)})${kept ? '; kept because the v1 contract names it' : ''}`,
        };
      });
    if (!findings.length) return { status: 'ok', value: 0, message: 'no duplicate or left-prefix indexes' };
    const status = findings.some((f) => f.status === 'warn') ? 'warn' : 'ok';
    return { status, value: findings.length, message: findings.map((f) => `${f.object} ${f.message}`).join('; '), findings };
  },
  fix: 'drop the redundant index in a new migration (DROP INDEX CONCURRENTLY)',
};

export const invalidIndexes: HealthCheck = {
  id: 'invalid-indexes',
  title: 'invalid indexes',
  needs: ['catalog'],
  sql: [INDEXES_SQL],
  evaluate: ({ rows }) => {
    const findings: HealthFindingInput[] = verdicts(rows)
      .filter((v) => v.verdict === 'invalid')
      .map((v) => ({
        object: v.index,
        status: 'fail',
        message: `invalid (a failed CREATE INDEX CONCURRENTLY?) on ${v.table}, ${formatBytes(v.bytes)} maintained on every write, never read`,
      }));
    return findings.length
      ? { status: 'fail', value: findings.length, message: `invalid: ${findings.map((f) => f.object).join(', ')}`, findings }
      : { status: 'ok', value: 0, message: 'every index is valid' };
  },
  fix: 'DROP INDEX CONCURRENTLY the invalid index, fix the cause (duplicates?), then create it again',
};

interface ForeignKeyRow {
  constraint: string;
  table: string;
  columns: string;
  indexed: boolean;
}

export const foreignKeyIndexes: HealthCheck = {
  id: 'foreign-key-indexes',
  title: 'foreign-key indexes',
  needs: ['catalog'],
  sql: [FOREIGN_KEYS_SQL],
  evaluate: ({ rows }) => {
    const all = rows<ForeignKeyRow>(FOREIGN_KEYS_SQL);
    const findings: HealthFindingInput[] = all
      .filter((fk) => !fk.indexed)
      .map((fk) => ({
        object: fk.constraint,
        status: 'warn',
        message: `no index (without a predicate) starts with ${fk.table}(${fk.columns}): deleting a parent scans ${fk.table}`,
      }));
    return findings.length
      ? { status: 'warn', value: findings.length, message: `unindexed: ${findings.map((f) => f.object).join(', ')}`, findings }
      : { status: 'ok', value: 0, message: `${all.length} foreign key${all.length === 1 ? '' : 's'}, each with an index` };
  },
  fix: 'create an index on the foreign-key columns in a new migration (without a WHERE: a partial index does not serve the foreign key)',
};
