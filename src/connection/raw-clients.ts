import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import type { RawDriver } from './open.js';

/**
 * The full driver types behind RawDriver, for the modules that need pg's or PGlite's
 * own API (COPY, dumps). Kept out of the public declarations: see EmbeddedClient.
 */
export function pgPoolOf(raw: Extract<RawDriver, { kind: 'postgres' }>): Pool {
  return raw.pool as unknown as Pool;
}

export function pgliteOf(raw: Extract<RawDriver, { kind: 'pglite' }>): PGlite {
  return raw.client as unknown as PGlite;
}
