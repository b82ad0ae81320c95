import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { UnsupportedError } from '../errors.js';

export type BackendKind = 'postgres' | 'pglite' | 'pgmem';

/** What a backend can do. Code asks this, never the URL scheme. */
export interface Capabilities {
  /** row-level security, roles and policies */
  rls: boolean;
  /** plpgsql functions and triggers */
  triggers: boolean;
  /** pg_stat_* statistics worth reading */
  statistics: boolean;
  /** DDL can be rolled back (dry runs, failed migrations) */
  transactionalDdl: boolean;
  /** other sessions exist (pg_stat_activity, locks, long queries) */
  sessions: boolean;
  /** COPY FROM STDIN streaming */
  copy: boolean;
  /** a catalog worth introspecting (pg_catalog, pg_get_indexdef, ...) */
  catalog: boolean;
}

export const CAPABILITIES: Record<BackendKind, Capabilities> = {
  postgres: { rls: true, triggers: true, statistics: true, transactionalDdl: true, sessions: true, copy: true, catalog: true },
  pglite: { rls: true, triggers: true, statistics: true, transactionalDdl: true, sessions: false, copy: false, catalog: true },
  pgmem: { rls: false, triggers: false, statistics: false, transactionalDdl: false, sessions: false, copy: false, catalog: false },
};

/**
 * Rides along on every Kysely instance todo-db opens, transactions included, so a
 * migration (which only receives `db`) can ask what its backend supports.
 */
const BACKEND = Symbol.for('todo-db.backend');

export class BackendPlugin implements KyselyPlugin {
  readonly [BACKEND] = true;
  /** What migrations skipped on this backend, for the runner to report. */
  readonly notices: string[] = [];
  constructor(
    readonly kind: BackendKind,
    readonly capabilities: Capabilities,
  ) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/**
 * The backend behind a Kysely instance. A Kysely not opened by todo-db is assumed
 * to be a full PostgreSQL server.
 */
export function backendOf(db: Kysely<any>): Pick<BackendPlugin, 'kind' | 'capabilities' | 'notices'> {
  // Matched by a registered symbol, not instanceof: kysely-ctl may load a second copy of this module.
  const plugin = db.getExecutor().plugins.find((p): p is BackendPlugin => (p as Partial<BackendPlugin>)[BACKEND] === true);
  return plugin ?? { kind: 'postgres', capabilities: CAPABILITIES.postgres, notices: [] };
}

/**
 * For migrations: true when the backend can run a step needing `capability`;
 * otherwise records a notice that the step was skipped and returns false.
 */
export function supports(db: Kysely<any>, capability: keyof Capabilities, step: string): boolean {
  const backend = backendOf(db);
  if (backend.capabilities[capability]) return true;
  backend.notices.push(
    `${backend.kind}: skipped ${step} (this backend has no ${capability === 'rls' ? 'row-level security or roles' : capability === 'triggers' ? 'plpgsql triggers' : capability})`,
  );
  return false;
}

const NEEDS: Record<keyof Capabilities, string> = {
  rls: 'row-level security',
  triggers: 'plpgsql triggers',
  statistics: 'statistics',
  transactionalDdl: 'transactional DDL',
  sessions: 'other sessions',
  copy: 'COPY streaming',
  catalog: "PostgreSQL's catalog",
};

/**
 * The one guard for commands a backend cannot serve (pg-mem has no catalog or
 * RLS): `what needs row-level security, which pgmem does not have` (exit 2).
 */
export function requireCapabilities(database: { kind: BackendKind; capabilities: Capabilities }, needs: readonly (keyof Capabilities)[], what: string): void {
  const missing = needs.filter((c) => !database.capabilities[c]);
  if (missing.length === 0) return;
  const words = missing.map((c) => NEEDS[c]);
  const list = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
  throw new UnsupportedError(`${what} needs ${list}, which ${database.kind} does not have`, 'run it against PostgreSQL or PGlite (--url postgres://… or pglite:DIR)');
}
