import type { ReportItem } from '../report/item.js';
import type { RlsFinding } from './findings.js';

/** `rls status` / `rls apply` findings in the one item shape of --json. */
export function rlsFindingItems(findings: readonly RlsFinding[]): ReportItem[] {
  return findings.map((f) => ({
    id: f.code,
    object: f.subject,
    status: 'fail',
    message: f.message,
    fix: f.fix,
    details: { repair: f.repair, ...(f.sql ? { sql: f.sql } : {}) },
  }));
}
