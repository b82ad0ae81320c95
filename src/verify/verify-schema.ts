import type { TodoDatabase } from '../connection/open.js';
import { UnsupportedError } from '../errors.js';
import { BOOKKEEPING_TABLES } from '../migrations/bookkeeping.js';
import { loadParser } from '../snapshot/expressions.js';
import { schemasByMigration } from '../snapshot/fold.js';
import { packageSnapshot } from '../snapshot/package-snapshot.js';
import { readCatalog } from '../snapshot/read-catalog.js';
import { settingParameters, tenantTables } from '../snapshot/tables.js';
import type { Catalog, Snapshot } from '../snapshot/types.js';
import { compareCatalogs } from './compare.js';
import type { AllowedItem, SchemaFinding } from './finding.js';

/** Extensions a database may have that the migrations do not install: monitoring, not schema. */
export const DEFAULT_ALLOWED_EXTENSIONS: readonly string[] = ['pg_stat_statements'];

export interface VerifyResult {
  /** true when the database is exactly the snapshot */
  ok: boolean;
  schemaVersion: string | null;
  /** the schema version as text (`unversioned` when no migration declares one), under its earlier name */
  contractVersion: string;
  findings: SchemaFinding[];
  /** what is there, not in the snapshot, and accepted: allowed extensions and their objects */
  allowed: AllowedItem[];
  /**
   * When the database is not the snapshot's schema but exactly the schema after
   * an earlier migration: that migration, its schema version, and the migrations
   * still to apply. Null otherwise.
   */
  earlierVersion: { migration: string; version: string; upTo: string[] } | null;
}

export interface VerifyOptions {
  /** what to compare with; default this package's schema/snapshot.json */
  snapshot?: Snapshot;
  /** default DEFAULT_ALLOWED_EXTENSIONS */
  allowedExtensions?: readonly string[];
}

/**
 * Compares the live schema (`current_schema()`, the declared roles and the
 * settings RLS reads) with the snapshot, over the whole catalog. Read-only: it
 * creates nothing, so it runs on a hot standby and as a role without CREATE.
 *
 * @example
 * const { ok, findings } = await verifySchema(database, { snapshot: readSnapshot('schema/snapshot.json') });
 * for (const f of findings) console.log(f.id, f.object, f.message);
 */
export async function verifySchema(database: Pick<TodoDatabase<any>, 'db' | 'kind' | 'capabilities'>, options: VerifyOptions = {}): Promise<VerifyResult> {
  requireCatalog(database);
  const snapshot = options.snapshot ?? packageSnapshot();
  await loadParser();
  const read = await readCatalog(database.db, {
    ignoreTables: BOOKKEEPING_TABLES,
    roles: snapshot.roles,
    tenantTables: tenantTables(snapshot.objects),
    parameters: settingParameters(snapshot.objects),
  });
  const allowedNames = new Set(options.allowedExtensions ?? DEFAULT_ALLOWED_EXTENSIONS);
  const allowed: AllowedItem[] = [];
  const actual: Catalog = { ...read.objects };
  for (const e of read.extensions) {
    const key = `extension ${e.name}`;
    if (snapshot.objects[key] || !allowedNames.has(e.name)) continue;
    delete actual[key];
    allowed.push({
      id: 'allowed',
      object: `extension ${e.name}`,
      status: 'ok',
      message: `allowed: extension ${e.name} ${e.version}${e.members ? ` and its ${e.members} objects in the schema` : ''} (not in the snapshot; allowed extensions are not drift)`,
      fix: null,
      details: { type: 'extension', members: e.members, version: e.version },
    });
  }
  const findings = compareCatalogs(snapshot.objects, actual);
  const earlierVersion = findings.length > 0 ? matchingEarlier(snapshot, actual) : null;
  return { ok: findings.length === 0, schemaVersion: snapshot.schemaVersion, contractVersion: snapshot.schemaVersion ?? 'unversioned', findings, allowed, earlierVersion };
}

/** An out-of-date database is told to migrate, not handed a list of "missing" objects to create by hand. */
function matchingEarlier(snapshot: Snapshot, actual: Catalog): VerifyResult['earlierVersion'] {
  const schemas = schemasByMigration(snapshot);
  for (let i = schemas.length - 2; i >= 0; i--) {
    const earlier = schemas[i]!;
    // Roles the schema had not declared yet are not expected of it.
    const view = Object.fromEntries(Object.entries(actual).filter(([key, o]) => o.kind !== 'role' || key in earlier.objects));
    if (compareCatalogs(earlier.objects, view).length === 0) {
      return { migration: earlier.name, version: earlier.schemaVersion ?? 'unversioned', upTo: schemas.slice(i + 1).map((s) => s.name) };
    }
  }
  return null;
}

export function requireCatalog(database: Pick<TodoDatabase<any>, 'kind' | 'capabilities'>): void {
  if (!database.capabilities.catalog) {
    throw new UnsupportedError(`${database.kind} has no PostgreSQL catalog to verify against the schema snapshot`, 'run verify against PostgreSQL or PGlite');
  }
}
