/** One row of sql/monitor/indexes.sql. */
export interface IndexRow {
  table: string;
  index: string;
  primary: boolean;
  unique: boolean;
  valid: boolean;
  /** int2vector as text: attribute numbers, "2 5" */
  keys: string;
  options: string;
  opclasses: string;
  method: string;
  expression: boolean;
  predicate: string | null;
  scans: number;
  tuples_read: number;
  bytes: number;
  oid: number;
}

export const INDEXES_SQL = 'monitor/indexes.sql';

export type IndexVerdict = 'used' | 'unused' | 'redundant' | 'invalid';

export interface IndexReport {
  table: string;
  index: string;
  scans: number;
  tuplesRead: number;
  bytes: number;
  primary: boolean;
  unique: boolean;
  verdict: IndexVerdict;
  /** for redundant: the indexes whose leading columns cover this one */
  coveredBy: string[];
}

const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);
const isPrefix = (short: string[], long: string[]) => short.length <= long.length && short.every((w, i) => w === long[i]);

/**
 * The valid indexes that make `index` redundant: same table and method, no
 * expression or predicate, and its key columns (with their order and operator
 * class) are a left prefix of the other's. An exact duplicate is reported once
 * (the newer one). Primary keys and unique indexes enforce something, so they
 * are only redundant to an identical unique index.
 */
export function coveringIndexes(index: IndexRow, all: readonly IndexRow[]): string[] {
  if (index.primary || index.expression || index.predicate !== null) return [];
  const keys = words(index.keys);
  return all
    .filter((other) => {
      if (other === index || other.table !== index.table || other.method !== index.method || !other.valid) return false;
      if (other.expression || other.predicate !== null) return false;
      const otherKeys = words(other.keys);
      const prefix = isPrefix(keys, otherKeys) && isPrefix(words(index.options), words(other.options)) && isPrefix(words(index.opclasses), words(other.opclasses));
      if (!prefix) return false;
      const identical = keys.length === otherKeys.length;
      if (index.unique) return identical && other.unique && other.oid < index.oid;
      return !identical || other.unique || other.oid < index.oid;
    })
    .map((other) => other.index);
}

/** Each index with its verdict: invalid, then redundant, then unused (0 scans), else used. */
export function indexVerdicts(rows: readonly IndexRow[]): IndexReport[] {
  return rows.map((row) => {
    const coveredBy = row.valid ? coveringIndexes(row, rows) : [];
    const verdict: IndexVerdict = !row.valid ? 'invalid' : coveredBy.length ? 'redundant' : row.scans === 0 && !row.primary && !row.unique ? 'unused' : 'used';
    return {
      table: row.table,
      index: row.index,
      scans: Number(row.scans),
      tuplesRead: Number(row.tuples_read),
      bytes: Number(row.bytes),
      primary: row.primary,
      unique: row.unique,
      verdict,
      coveredBy,
    };
  });
}
