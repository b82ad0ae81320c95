import { file, folder, poolerMode, seconds, urlList, waitSeconds, yesNo, type Parser } from './values.js';
import { DEFAULT_WAIT_REPLICAS_MS } from '../replication/defaults.js';
import type { RawFlags } from './types.js';

/**
 * Each plain setting once: its config-file key, environment variable and flag, and
 * its parser. Precedence: flag, then environment (.env under it), then config file,
 * then the default. A new setting is one row here and one field in Settings.
 */
export interface KeySpec<T = unknown> {
  config: string;
  env?: string;
  flag?: keyof RawFlags & string;
  /** the flag as typed, for messages */
  flagName?: string;
  parse: Parser<T>;
}

export const SETTING_KEYS = {
  migrationsDir: { config: 'migrationsDir', env: 'TODO_DB_MIGRATIONS_DIR', flag: 'migrationsDir', flagName: '--migrations-dir', parse: folder },
  seedsDir: { config: 'seedsDir', env: 'TODO_DB_SEEDS_DIR', parse: folder },
  snapshotPath: { config: 'snapshotPath', env: 'TODO_DB_SNAPSHOT', parse: file },
  connectTimeoutMs: { config: 'connectTimeout', env: 'TODO_DB_CONNECT_TIMEOUT', flag: 'connectTimeout', flagName: '--connect-timeout', parse: seconds },
  lockTimeoutMs: { config: 'lockTimeout', env: 'TODO_DB_LOCK_TIMEOUT', flag: 'lockTimeout', flagName: '--lock-timeout', parse: seconds },
  statementTimeoutMs: { config: 'statementTimeout', env: 'TODO_DB_STATEMENT_TIMEOUT', flag: 'statementTimeout', flagName: '--statement-timeout', parse: seconds },
  // migrate up: after the run, wait for the replicas (docs/replicas.md)
  waitReplicasMs: { config: 'waitReplicas', env: 'TODO_DB_WAIT_REPLICAS', flag: 'waitReplicas', flagName: '--wait-replicas', parse: waitSeconds(DEFAULT_WAIT_REPLICAS_MS) },
  replicaUrls: { config: 'replicaUrls', env: 'TODO_DB_REPLICA_URLS', flag: 'replicaUrl', flagName: '--replica-url', parse: urlList },
  // a transaction pooler between todo-db and the server: probed (auto), or declared (docs/pooler.md)
  pooler: { config: 'pooler', env: 'TODO_DB_POOLER', parse: poolerMode },
  requireReplicas: { config: 'requireReplicas', env: 'TODO_DB_REQUIRE_REPLICAS', flag: 'requireReplicas', flagName: '--require-replicas', parse: yesNo },
} as const satisfies Record<string, KeySpec>;

/** Config-file keys that are not plain settings but are known (resolved with the connection). */
export const OTHER_CONFIG_KEYS = ['dataDir'] as const;

export const CONFIG_KEYS: readonly string[] = [...Object.values(SETTING_KEYS).map((k) => k.config), ...OTHER_CONFIG_KEYS];
