import type { QueryExecutor } from 'kysely';

/** The part of a pg Pool withUser needs. */
export interface ServerPool {
  connect(): Promise<unknown>;
}

/**
 * The pg pool under each Kysely instance openDatabase made for a server, keyed by
 * the instance's executor: withUser takes its connection straight from the pool
 * (src/rls/user-connection.ts). Only that instance itself: one derived from it
 * (withPlugin, withSchema) or bound to one connection (`db.connection()`) has an
 * executor of its own, is not found here, and goes through Kysely's connection
 * as before, so a reserved connection is never bypassed.
 */
const POOLS = new WeakMap<QueryExecutor, ServerPool>();

export const registerServerPool = (executor: QueryExecutor, pool: ServerPool): void => {
  POOLS.set(executor, pool);
};

export const serverPoolOf = (executor: QueryExecutor): ServerPool | undefined => POOLS.get(executor);
