import { CONTRACT, CONTRACT_HISTORY } from '../contract/index.js';
import type { Contract, SchemaShape } from '../contract/types.js';
import type { TodoDatabase } from '../connection/open.js';
import { UnsupportedError } from '../errors.js';
import { BOOKKEEPING_TABLES } from '../migrations/bookkeeping.js';
import { compareSchemas } from './compare.js';
import type { Finding } from './finding.js';
import { introspect } from './introspect.js';
import { normaliseContract } from './normalise.js';

export interface VerifyResult {
  /** true when the database is exactly the contract */
  ok: boolean;
  contractVersion: string;
  findings: Finding[];
  /**
   * When the database is not the current contract but exactly an earlier version
   * (migrations not yet applied): that version and the migrations that complete
   * the later ones. Null otherwise.
   */
  earlierVersion: { version: string; upTo: string[] } | null;
}

export interface VerifyOptions {
  /** default: the v1 contract */
  contract?: Contract;
}

/**
 * Compares the live schema (`current_schema()`, plus the contract's roles) with the
 * contract. Migration bookkeeping tables are ignored; anything else extra is a finding.
 *
 * @example
 * const { ok, findings } = await verifySchema(handle);
 * for (const f of findings) console.log(f.kind, f.object, f.message);
 */
export async function verifySchema(handle: Pick<TodoDatabase<any>, 'db' | 'kind' | 'capabilities'>, options: VerifyOptions = {}): Promise<VerifyResult> {
  requireCatalog(handle);
  const contract = options.contract ?? CONTRACT;
  const expected = await normaliseContract(handle.db, contract);
  const actual = await introspect(handle.db, { roles: contract.roles.map((r) => r.name), ignoreTables: BOOKKEEPING_TABLES });
  const findings = compareSchemas(expected, actual);
  const earlierVersion = findings.length > 0 && contract === CONTRACT ? await matchingEarlierVersion(handle, actual) : null;
  return { ok: findings.length === 0, contractVersion: contract.version, findings, earlierVersion };
}

/** An out-of-date database is told to migrate, not handed a list of "missing" objects to create by hand. */
async function matchingEarlierVersion(handle: Pick<TodoDatabase<any>, 'db'>, actual: SchemaShape): Promise<VerifyResult['earlierVersion']> {
  for (let i = CONTRACT_HISTORY.length - 2; i >= 0; i--) {
    const earlier = CONTRACT_HISTORY[i]!;
    if (compareSchemas(await normaliseContract(handle.db, earlier.contract), actual).length === 0) {
      return { version: earlier.version, upTo: CONTRACT_HISTORY.slice(i + 1).map((h) => h.migration) };
    }
  }
  return null;
}

export function requireCatalog(handle: Pick<TodoDatabase<any>, 'kind' | 'capabilities'>): void {
  if (!handle.capabilities.catalog) {
    throw new UnsupportedError(`${handle.kind} has no PostgreSQL catalog to verify against the contract`, 'run verify against PostgreSQL or PGlite');
  }
}
