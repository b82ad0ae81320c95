import { SCHEMA_TABLES } from '../snapshot/schema-tables.js';
import { TABLES_SQL } from './checks-contract.js';
import { formatBytes, formatSeconds, percent } from './format.js';
import { LOCKS_SQL, lockFailure, type LockRow } from './blockers.js';
import type { HealthFindingInput, HealthCheck } from './types.js';

export interface TableRow {
  table: string;
  live: number;
  dead: number;
  seq_scans: number;
  idx_scans: number;
  modified_since_analyze: number;
  analyzed_seconds_ago: number | null;
  vacuumed_seconds_ago: number | null;
  heap_hit: number;
  heap_read: number;
  idx_hit: number;
  idx_read: number;
  /** the table or one of its indexes is under an ACCESS EXCLUSIVE lock: sizes were not read */
  size_locked: boolean;
  table_bytes: number | null;
  index_bytes: number | null;
}

const tables = (rows: <R>(file: string) => R[]) => rows<TableRow>(TABLES_SQL);
const sum = (list: TableRow[], key: keyof TableRow) => list.reduce((n, r) => n + Number(r[key] ?? 0), 0);

export const cacheHit: HealthCheck = {
  id: 'cache-hit',
  title: 'cache hit ratio',
  needs: ['statistics'],
  sql: [TABLES_SQL],
  evaluate: ({ rows }, t) => {
    const list = tables(rows);
    const heap = { hit: sum(list, 'heap_hit'), read: sum(list, 'heap_read') };
    const idx = { hit: sum(list, 'idx_hit'), read: sum(list, 'idx_read') };
    const ratio = (x: { hit: number; read: number }) => percent(x.hit, x.hit + x.read);
    const message = `${ratio(heap).toFixed(1)} % tables · ${ratio(idx).toFixed(1)} % indexes`;
    // A handful of reads after a restart says nothing about the cache.
    if (heap.hit + heap.read + idx.hit + idx.read < t.cacheMinBlocks) return { status: 'ok', value: null, message: `${message} (too little traffic yet to judge)` };
    const low = Math.min(ratio(heap), ratio(idx));
    return { status: low < t.cacheHitWarnPercent ? 'warn' : 'ok', value: Math.round(low * 10) / 10, message };
  },
  threshold: (t) => `warn < ${t.cacheHitWarnPercent} % (after ${t.cacheMinBlocks} blocks)`,
  fix: 'give the database more memory (shared_buffers; a larger Neon compute) or find the queries reading from disk',
};

export const seqScans: HealthCheck = {
  id: 'seq-scans',
  title: 'sequential scans',
  needs: ['statistics'],
  sql: [TABLES_SQL],
  evaluate: ({ rows }, t) => {
    const findings: HealthFindingInput[] = tables(rows)
      // A handful of scans (a count after loading data, say) is noise, not a pattern.
      .filter((r) => r.live >= t.largeTableRows && r.seq_scans >= t.seqScanMinCount && r.seq_scans > r.idx_scans)
      .map((r) => ({
        object: r.table,
        status: 'warn',
        message: `${r.seq_scans.toLocaleString('en-US')} sequential vs ${r.idx_scans.toLocaleString('en-US')} index scans on ${r.live.toLocaleString('en-US')} rows`,
      }));
    return findings.length
      ? { status: 'warn', value: findings.length, message: `dominate on ${findings.map((f) => f.object).join(', ')}`, findings }
      : { status: 'ok', value: 0, message: 'index scans dominate on every large table' };
  },
  threshold: (t) => `warn when sequential > index scans (and ≥ ${t.seqScanMinCount}) on tables ≥ ${t.largeTableRows.toLocaleString('en-US')} rows`,
  fix: 'run `todo-db monitor queries` to find the pattern off its index; add the index in a migration',
};

export const vacuum: HealthCheck = {
  id: 'vacuum',
  title: 'dead rows and analyze',
  needs: ['statistics'],
  sql: [TABLES_SQL],
  evaluate: ({ rows }, t) => {
    const findings: HealthFindingInput[] = [];
    for (const r of tables(rows)) {
      if (r.live + r.dead < t.largeTableRows) continue;
      const deadShare = percent(r.dead, r.live + r.dead);
      if (deadShare > t.deadTuplesWarnPercent) {
        const vacuumed = r.vacuumed_seconds_ago === null ? 'never vacuumed' : `vacuumed ${formatSeconds(r.vacuumed_seconds_ago)} ago`;
        const status = deadShare > t.deadTuplesFailPercent ? 'fail' : 'warn';
        findings.push({ object: r.table, status, message: `${deadShare.toFixed(0)} % dead rows (${r.dead.toLocaleString('en-US')}), ${vacuumed}` });
      }
      const stale = percent(r.modified_since_analyze, r.live);
      if (r.analyzed_seconds_ago === null || stale > t.analyzeStaleWarnPercent) {
        const analyzed = r.analyzed_seconds_ago === null ? 'never analyzed' : `analyzed ${formatSeconds(r.analyzed_seconds_ago)} ago`;
        findings.push({ object: r.table, status: 'warn', message: `${r.modified_since_analyze.toLocaleString('en-US')} rows changed since the last analyze (${analyzed})` });
      }
    }
    const status = findings.some((f) => f.status === 'fail') ? 'fail' : 'warn';
    return findings.length
      ? { status, value: findings.length, message: findings.map((f) => `${f.object}: ${f.message}`).join('; '), findings }
      : { status: 'ok', value: 0, message: 'autovacuum and analyze keep up' };
  },
  threshold: (t) =>
    `warn > ${t.deadTuplesWarnPercent} % dead (fail > ${t.deadTuplesFailPercent} %) or > ${t.analyzeStaleWarnPercent} % changed since analyze (tables ≥ ${t.largeTableRows.toLocaleString('en-US')} rows)`,
  fix: 'run VACUUM (ANALYZE) on the table named; if it recurs, tune autovacuum for it',
};

export const tableSizes: HealthCheck = {
  id: 'table-sizes',
  title: 'table sizes',
  needs: ['catalog'],
  sql: [TABLES_SQL, LOCKS_SQL],
  evaluate: ({ rows }) => {
    const list = tables(rows).filter((r) => SCHEMA_TABLES.includes(r.table));
    // Sizes open the table: under an ACCESS EXCLUSIVE lock they were skipped, and that lock is the finding.
    const locked = list.filter((r) => r.size_locked);
    if (locked.length) {
      const names = new Set(locked.map((r) => r.table));
      const failure = lockFailure(
        rows<LockRow>(LOCKS_SQL).filter((l) => names.has(l.table)),
        null,
      );
      return { status: 'fail', value: null, message: `sizes not read: ${failure.message}`, findings: failure.findings, fix: failure.fix };
    }
    const findings: HealthFindingInput[] = list.map((r) => ({
      object: r.table,
      status: 'ok',
      message: `${formatBytes(r.table_bytes ?? 0)} data + ${formatBytes(r.index_bytes ?? 0)} indexes, ~${r.live.toLocaleString('en-US')} rows`,
    }));
    const total = sum(tables(rows), 'table_bytes') + sum(tables(rows), 'index_bytes');
    return { status: 'ok', value: total, message: list.map((r) => `${r.table} ${formatBytes((r.table_bytes ?? 0) + (r.index_bytes ?? 0))}`).join(' · ') || 'no tables', findings };
  },
  fix: 'when tasks outgrow the compute, move old completed ones out: `todo-db archive --completed-before 90d`',
};
