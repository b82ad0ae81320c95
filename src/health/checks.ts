import { rlsRole, rlsTables, schema } from './checks-contract.js';
import { foreignKeyIndexes, invalidIndexes, redundantIndexes, unusedIndexes } from './checks-indexes.js';
import { connection, connections, migrations, serverVersion, wraparound } from './checks-server.js';
import { blockedQueries, idleInTransaction, longQueries, slowStatements } from './checks-sessions.js';
import { cacheHit, seqScans, tableSizes, vacuum } from './checks-tables.js';
import { bloat, preparedTransactions, sequences } from './checks-trouble.js';
import { replicationSettings, slots, standbyReplay, standbys } from './checks-replication.js';
import type { HealthCheck } from './types.js';
import { expiredSessions } from './checks-auth.js';

/** Every health check, in report order; `runHealth` iterates this table. */
export const HEALTH_CHECKS: readonly HealthCheck<any>[] = [
  connection,
  serverVersion,
  migrations,
  schema,
  rlsTables,
  rlsRole,
  cacheHit,
  seqScans,
  unusedIndexes,
  redundantIndexes,
  invalidIndexes,
  foreignKeyIndexes,
  vacuum,
  bloat,
  wraparound,
  sequences,
  preparedTransactions,
  longQueries,
  idleInTransaction,
  blockedQueries,
  connections,
  standbys,
  slots,
  replicationSettings,
  standbyReplay,
  slowStatements,
  tableSizes,
  expiredSessions,
];
