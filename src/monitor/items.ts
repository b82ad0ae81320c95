import type { ReportItem } from '../report/item.js';
import type { PatternReport } from './queries.js';

/** `monitor queries` patterns as checks: the plan's facts stay in details. */
export function patternItems(patterns: readonly PatternReport[]): ReportItem[] {
  return patterns.map(({ status, problem, name, id, ...details }) => ({
    id: `pattern-${id}`,
    object: name,
    status,
    message: problem ?? (status === 'n/a' ? 'not executed: the database has no tasks' : 'on its expected index and within target'),
    fix: status === 'fail' ? 'run ANALYZE (or VACUUM ANALYZE) on the tables; check `todo-db verify` and `todo-db monitor indexes`' : null,
    details: { pattern: id, ...details },
  }));
}
