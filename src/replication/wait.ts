import { sql } from 'kysely';
import { requireCapabilities } from '../connection/capabilities.js';
import { openDatabase, type OpenOptions, type TodoDatabase } from '../connection/open.js';
import { ConnectionError, ProblemError, UsageError } from '../errors.js';
import { readSql } from '../sql-file.js';
import { sqlState } from '../sql-state.js';
import { formatBytes, formatMs } from '../text.js';
import { bytesBehind, lsnBytes } from './lsn.js';

import { DEFAULT_WAIT_REPLICAS_MS } from './defaults.js';

export { DEFAULT_WAIT_REPLICAS_MS };
const POLL_MS = 200;

/** sql/replication/standbys.sql */
interface StandbyStreamRow {
  name: string;
  state: string;
  replay_lsn: string | null;
  replay_lag_seconds: number | null;
}

/** One replica waited for. */
export interface ReplicaState {
  /** application_name in pg_stat_replication, or the replica URL (password masked) */
  name: string;
  via: 'pg_stat_replication' | 'replica-url';
  replayLsn: string | null;
  /** bytes of WAL between what it replayed and the LSN waited for; null when unknown (disconnected) */
  behindBytes: number | null;
  /** PostgreSQL's replay_lag (pg_stat_replication), or the age of the replica's last replayed commit */
  lagSeconds: number | null;
  caughtUp: boolean;
  /** false when a standby left pg_stat_replication while it was waited for */
  connected: boolean;
  /** a replica URL's replay is paused (pg_wal_replay_pause()) */
  paused?: boolean;
}

export interface ReplicaWait {
  /** the primary's WAL position after the commit: every replica must replay at least this */
  lsn: string;
  replicas: ReplicaState[];
  waitedMs: number;
  /** nothing to wait for: no standby streams from the primary and no replica URL was given */
  note: string | null;
}

export interface WaitReplicasOptions {
  /** how long to wait (default 60 s) */
  timeoutMs?: number;
  /** read replicas opened with openReplicas: Neon's, which the primary's pg_stat_replication does not list */
  replicas?: readonly TodoDatabase<any>[];
  /** with nothing to wait for, fail (exit 1) rather than return a note */
  require?: boolean;
  /** called after every poll while something is behind */
  onProgress?: (progress: { lsn: string; behind: ReplicaState[]; elapsedMs: number }) => void;
  pollMs?: number;
}

/** A replica had not replayed the LSN by the deadline: exit 1, naming each one and its lag. */
export class ReplicaLagError extends ProblemError {
  /** what the CLI shows of the run before the failure (the migrations did commit) */
  partial?: unknown;
  constructor(
    message: string,
    hint: string,
    readonly wait: ReplicaWait,
  ) {
    super(message, hint);
  }
}

/**
 * Waits until every standby streaming from `primary` (pg_stat_replication) has
 * replayed the primary's current WAL position, and every replica of
 * `options.replicas` reports pg_last_wal_replay_lsn() at or past it: after a
 * migration, the point at which a read replica has the new schema. With nothing
 * to wait for it returns a note (or fails with `require`); at the timeout it
 * throws ReplicaLagError naming what is behind. A standby that leaves
 * pg_stat_replication is waited for (the walreceiver reconnects on its own); a
 * replica URL whose connection drops fails at once with exit 3.
 *
 * @example
 * const applied = await migrateUp(primary);
 * const replicas = await openReplicas([process.env.REPLICA_URL!]);
 * const wait = await waitForReplicas(primary, { replicas, timeoutMs: 30_000 });
 */
export async function waitForReplicas(primary: TodoDatabase<any>, options: WaitReplicasOptions = {}): Promise<ReplicaWait> {
  requireCapabilities(primary, ['sessions'], 'waiting for replicas');
  if (primary.server.standby)
    throw new UsageError(`${primary.target.display} is itself a standby, so there is no commit to wait for`, 'wait on the primary: its URL, with --replica-url for the replicas');
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_REPLICAS_MS;
  const pollMs = options.pollMs ?? POLL_MS;
  const replicas = options.replicas ?? [];
  const started = performance.now();
  const lsn = (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(primary.db)).rows[0]!.lsn;
  const known = new Map<string, ReplicaState>();
  for (;;) {
    const streams = (await sql.raw<StandbyStreamRow>(readSql('replication/standbys.sql')).execute(primary.db)).rows;
    for (const state of known.values()) if (state.via === 'pg_stat_replication') state.connected = false;
    for (const row of streams) known.set(`s:${row.name}`, streamState(row, lsn));
    for (const replica of replicas) known.set(`u:${replica.target.display}`, await replicaState(replica, lsn));
    const states = [...known.values()];
    const waitedMs = performance.now() - started;
    if (states.length === 0) {
      const note = 'no standby streams from the primary (pg_stat_replication is empty) and no --replica-url was given: nothing to wait for';
      if (options.require) throw new ProblemError(note, 'start the standby, or give each read replica with --replica-url; drop --require-replicas to go on without');
      return { lsn, replicas: [], waitedMs, note };
    }
    const behind = states.filter((s) => !s.caughtUp);
    if (behind.length === 0) return { lsn, replicas: states, waitedMs, note: null };
    if (waitedMs >= timeoutMs) {
      const wait = { lsn, replicas: states, waitedMs, note: null };
      const what = behind.map(describeLag).join('; ');
      throw new ReplicaLagError(
        `${behind.length === 1 ? `${kind(behind[0]!)} ${behind[0]!.name} has` : `${behind.length} replicas have`} not replayed ${lsn} after ${formatMs(waitedMs)}: ${what}`,
        behind.some((s) => s.paused)
          ? 'resume its replay (select pg_wal_replay_resume() on it) and run `todo-db migrate status` there'
          : 'the migrations are committed on the primary; see `todo-db health` on the primary for the lag, or wait longer with --wait-replicas=SECONDS',
        wait,
      );
    }
    options.onProgress?.({ lsn, behind, elapsedMs: waitedMs });
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(1, timeoutMs - waitedMs))));
  }
}

function kind(state: ReplicaState): string {
  return state.via === 'replica-url' ? 'replica' : 'standby';
}

/** "todo_standby: 1.2 kB behind, replay lag 3.1 s" */
export function describeLag(state: ReplicaState): string {
  if (!state.connected) return `${state.name}: disconnected${state.replayLsn ? ` (last replayed ${state.replayLsn})` : ''}`;
  const parts = [state.behindBytes === null ? 'behind by an unknown amount' : `${formatBytes(state.behindBytes)} behind`];
  if (state.lagSeconds !== null)
    parts.push(state.via === 'replica-url' ? `last replayed a commit ${formatMs(state.lagSeconds * 1000)} ago` : `replay lag ${formatMs(state.lagSeconds * 1000)}`);
  if (state.paused) parts.push('replay paused');
  return `${state.name}: ${parts.join(', ')}`;
}

function streamState(row: StandbyStreamRow, lsn: string): ReplicaState {
  const caughtUp = row.replay_lsn !== null && lsnBytes(row.replay_lsn) >= lsnBytes(lsn);
  return {
    name: row.name || '(unnamed standby)',
    via: 'pg_stat_replication',
    replayLsn: row.replay_lsn,
    behindBytes: row.replay_lsn === null ? null : bytesBehind(row.replay_lsn, lsn),
    lagSeconds: row.replay_lag_seconds,
    caughtUp,
    connected: true,
  };
}

async function replicaState(replica: TodoDatabase<any>, lsn: string): Promise<ReplicaState> {
  let row: { replay_lsn: string | null; paused: boolean; age: number | null } | undefined;
  try {
    row = (
      await sql<{ replay_lsn: string | null; paused: boolean; age: number | null }>`
        select pg_last_wal_replay_lsn()::text as replay_lsn, pg_is_wal_replay_paused() as paused,
               extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as age`.execute(replica.db)
    ).rows[0];
  } catch (error) {
    if (!lostConnection(error)) throw error;
    throw new ConnectionError(
      `replica ${replica.target.display} disconnected while todo-db waited for it to replay ${lsn}`,
      'the migrations are committed on the primary; check the replica, then `todo-db migrate status --url <replica>`',
      { cause: error },
    );
  }
  const replay = row?.replay_lsn ?? null;
  return {
    name: replica.target.display,
    via: 'replica-url',
    replayLsn: replay,
    behindBytes: replay === null ? null : bytesBehind(replay, lsn),
    lagSeconds: row?.age ?? null,
    caughtUp: replay !== null && lsnBytes(replay) >= lsnBytes(lsn),
    connected: true,
    paused: row?.paused === true,
  };
}

/** The connection went away (terminated, server shut down, socket closed), as opposed to a query error. */
function lostConnection(error: unknown): boolean {
  const code = sqlState(error);
  if (code === undefined) return true;
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/**
 * Opens each read replica and checks that it is one (pg_is_in_recovery()), so a
 * wrong URL is refused before anything is migrated. Closes what it opened when
 * one fails.
 *
 * @example
 * const replicas = await openReplicas(['postgres://…-ro.neon.tech/app']);
 */
export async function openReplicas(urls: readonly string[], options: Omit<OpenOptions, 'url' | 'target' | 'purpose'> = {}): Promise<TodoDatabase<any>[]> {
  const opened: TodoDatabase<any>[] = [];
  try {
    for (const url of urls) {
      const replica = await openDatabase<any>({ ...options, url, purpose: 'inspect' }).catch((error: unknown) => {
        // The connection's own words, but the flag to check is this one, not --url.
        if (error instanceof ConnectionError)
          throw new ConnectionError(`replica: ${error.message}`, 'check that --replica-url (or replicaUrls in the config) names a running read replica', { cause: error });
        throw error;
      });
      opened.push(replica);
      if (replica.target.backend !== 'postgres')
        throw new UsageError(`--replica-url ${replica.target.display} is not a PostgreSQL server`, 'give the URL of a read replica (postgres://…)');
      if (!replica.server.standby) {
        throw new UsageError(
          `--replica-url ${replica.target.display} is not a replica: it is not in recovery, so it has no replay position to wait for`,
          "give a read replica's URL; the primary's own standbys are found in its pg_stat_replication without one",
        );
      }
    }
    return opened;
  } catch (error) {
    await Promise.all(opened.map((r) => r.close().catch(() => undefined)));
    throw error;
  }
}

/** The names of the standbys streaming from this server now (pg_stat_replication). */
export async function streamingStandbys(primary: TodoDatabase<any>): Promise<string[]> {
  const { rows } = await sql.raw<StandbyStreamRow>(readSql('replication/standbys.sql')).execute(primary.db);
  return rows.map((r) => r.name);
}
