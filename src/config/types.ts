import type { EnvRecord, Purpose, Target } from '../connection/target.js';

/** The global flags as commander parsed them: raw strings, validated by the resolver. */
export interface RawFlags {
  url?: string;
  env?: string;
  connectTimeout?: string;
  lockTimeout?: string;
  statementTimeout?: string;
  migrationsDir?: string;
  /** migrate up: `--wait-replicas` (true) or `--wait-replicas=SECONDS` */
  waitReplicas?: string | boolean;
  /** migrate up: `--replica-url`, repeatable */
  replicaUrl?: string[];
  requireReplicas?: boolean;
}

/** What a config file (`todo-db.config.*` or package.json's "todo-db") may say; paths are relative to it. */
export interface TodoDbConfig {
  migrationsDir?: string;
  seedsDir?: string;
  snapshotPath?: string;
  /** the embedded PGlite folder (TODO_DB_DATA_DIR wins) */
  dataDir?: string;
  /** seconds */
  connectTimeout?: number;
  lockTimeout?: number;
  statementTimeout?: number;
  /** migrate up waits for the replicas: true (60 s) or seconds */
  waitReplicas?: boolean | number;
  /** read replicas migrate up waits for besides the primary's own standbys (Neon read replicas) */
  replicaUrls?: string[];
  /** no replica to wait for is a failure */
  requireReplicas?: boolean;
  /** `auto` (probe), `direct` or `transaction`: docs/pooler.md */
  pooler?: 'auto' | 'direct' | 'transaction';
}

/** A config file as read: its path and its (still unvalidated) contents. */
export interface LoadedConfig {
  path: string;
  values: Record<string, unknown>;
}

/** Everything a command needs to know before it starts, resolved once (see resolveSettings). */
export interface Settings {
  /** the project root: relative paths, .env and the config file are found here */
  root: string;
  configFile: string | null;
  /** the .env files that were read, in order */
  envFiles: string[];
  /** where each purpose connects: schema changes may use the unpooled URL */
  targets: Record<Purpose, Target>;
  /** the application's URL (DATABASE_URL), for checks of the role the app connects as */
  appUrl?: string;
  migrationsDir: string;
  seedsDir: string;
  snapshotPath: string;
  connectTimeoutMs?: number;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** migrate up waits this long for the replicas; unset: no wait */
  waitReplicasMs?: number;
  /** read replicas to wait for (their passwords are in `secrets`) */
  replicaUrls: string[];
  requireReplicas: boolean;
  /** a transaction pooler in between: probed (auto, the default) or declared */
  pooler: 'auto' | 'direct' | 'transaction';
  /** NO_COLOR is set */
  noColor: boolean;
  /** passwords to mask in anything printed */
  secrets: string[];
}

/** The resolver's inputs: nothing else is read (files come from `root`). */
export interface SettingsInput {
  flags: RawFlags;
  env: EnvRecord;
  root: string;
}

export interface SettingsResult {
  /** complete when `problems` is empty */
  settings: Settings;
  /** every problem found, each one line naming its source */
  problems: string[];
}
