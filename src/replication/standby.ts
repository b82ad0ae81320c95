import { sql, type Kysely } from 'kysely';
import { readSql } from '../sql-file.js';

/** sql/replication/standby.sql: a standby's own view of its replication. */
export interface StandbyRow {
  standby: boolean;
  receive_lsn: string | null;
  replay_lsn: string | null;
  replay_behind_bytes: number | null;
  paused: boolean | null;
  replayed_at: Date | null;
  replayed_age_seconds: number | null;
  receiver_status: string | null;
  primary: string | null;
  slot: string | null;
  receiver_silence_seconds: number | null;
}
export const STANDBY_SQL = 'replication/standby.sql';

/** What a standby has replayed, for `migrate status` and the library: it answers as of this point of the primary's history. */
export interface StandbyReplay {
  /** the last WAL position replayed; what queries see */
  replayLsn: string | null;
  /** received from the primary, maybe not yet replayed */
  receiveLsn: string | null;
  /** received but not yet replayed */
  behindBytes: number;
  paused: boolean;
  /** the commit time of the last transaction replayed (null before the first) */
  replayedAt: Date | null;
  /** host:port of the primary it streams from, when visible (superuser or pg_read_all_stats) */
  primary: string | null;
  /** the WAL receiver's state ("streaming"), null when it is not receiving from a primary */
  receiver: string | null;
}

/** Reads a standby's replay position; null on a primary. */
export async function standbyReplay(db: Kysely<any>): Promise<StandbyReplay | null> {
  const row = (await sql.raw<StandbyRow>(readSql(STANDBY_SQL)).execute(db)).rows[0];
  if (!row?.standby) return null;
  return {
    replayLsn: row.replay_lsn,
    receiveLsn: row.receive_lsn,
    behindBytes: row.replay_behind_bytes ?? 0,
    paused: row.paused === true,
    replayedAt: row.replayed_at,
    primary: row.primary,
    receiver: row.receiver_status,
  };
}
