/**
 * The one shape of everything a command reports item by item: verify findings,
 * health checks, RLS probes and lint findings (docs/json.md). Each command's
 * `--json` document carries these in `findings` or `checks`.
 */
export type ItemStatus = 'ok' | 'warn' | 'fail' | 'n/a' | 'not-run';

export interface ReportItem<D extends object = object> {
  /** a stable identifier: the check id, lint rule, probe id or finding kind */
  id: string;
  /** what it is about, as people name it: `tasks.title`, `policy tasks_update_own`, `idx_tasks_user_id` */
  object: string;
  status: ItemStatus;
  message: string;
  /** one line to run or do when the status is not ok; null when there is none */
  fix: string | null;
  /** per command: lint `rule`, `migration`, `line`; probes `table`, `as`, `expected`, `observed` */
  details: D;
}

/** The fields every command's `--json` document has. */
export interface CommandDocument {
  ok: boolean;
  command: string;
  durationMs: number;
}

/** An item fails the run when its status is fail (warn only under --strict-like options). */
export function itemsOk(items: readonly Pick<ReportItem, 'status'>[], strict = false): boolean {
  return items.every((item) => item.status !== 'fail' && (!strict || item.status !== 'warn'));
}
