import { formatBytes, formatSeconds } from './format.js';
import type { HealthFindingInput, HealthCheck, Verdict } from './types.js';
import type { StandbyRow } from '../replication/standby.js';
import type { Thresholds } from './thresholds.js';

/**
 * Streaming replication, from both ends: on a primary its standbys, its
 * replication slots and the settings replication needs; on a standby how far
 * its replay is behind and whether it is connected. Cluster-wide views; a
 * role without pg_monitor sees nulls, which read as unknown, never as fine.
 */

export const STANDBYS_SQL = 'replication/standbys.sql';
export const SLOTS_SQL = 'replication/slots.sql';
export const SETTINGS_SQL = 'replication/settings.sql';
export const STANDBY_SQL = 'replication/standby.sql';

export interface StandbyStreamRow {
  name: string;
  address: string | null;
  state: string | null;
  sync_state: string | null;
  replay_lsn: string | null;
  sent_lag_bytes: number | null;
  write_lag_bytes: number | null;
  flush_lag_bytes: number | null;
  replay_lag_bytes: number | null;
  write_lag_seconds: number | null;
  flush_lag_seconds: number | null;
  replay_lag_seconds: number | null;
  reply_age_seconds: number | null;
}

export interface SlotRow {
  name: string;
  type: string;
  active: boolean;
  wal_status: string | null;
  restart_lsn: string | null;
  retained_bytes: number;
}

export interface ReplicationSettingsRow {
  wal_level: string;
  max_wal_senders: number;
  max_replication_slots: number;
  wal_senders: number;
  slots: number;
  standby: boolean;
}

const MB = 1024 * 1024;

function worst(findings: readonly HealthFindingInput[]): Verdict['status'] {
  return findings.some((f) => f.status === 'fail') ? 'fail' : findings.some((f) => f.status === 'warn') ? 'warn' : 'ok';
}

/** A lag in time and bytes against the thresholds: a standby that is idle and caught up has a null time and 0 bytes. */
function lagStatus(seconds: number | null, bytes: number | null, t: Thresholds): 'ok' | 'warn' | 'fail' {
  if (seconds !== null && seconds >= t.replicationLagFailSeconds) return 'fail';
  if (seconds !== null && seconds >= t.replicationLagWarnSeconds) return 'warn';
  if (bytes !== null && bytes >= t.replicationLagWarnMegabytes * MB) return 'warn';
  return 'ok';
}

const bytes = (n: number | null) => (n === null ? 'unknown' : formatBytes(n));
const time = (s: number | null) => (s === null ? '' : s < 1 ? ` (${Math.round(s * 1000)} ms)` : ` (${formatSeconds(s)})`);

export const standbys: HealthCheck = {
  id: 'replication-standbys',
  title: 'standbys',
  needs: ['sessions'],
  sql: [STANDBYS_SQL],
  evaluate: ({ rows, server }, t) => {
    const all = rows<StandbyStreamRow>(STANDBYS_SQL);
    if (all.length === 0) {
      return { status: 'ok', value: 0, message: server.standby ? 'none streams from this standby (its own replay: standby-replay)' : 'no standby streams from this server' };
    }
    const findings: HealthFindingInput[] = all.map((s) => {
      const lag = lagStatus(s.replay_lag_seconds, s.replay_lag_bytes, t);
      const status = s.state !== 'streaming' && lag === 'ok' ? 'warn' : lag;
      return {
        object: `standby ${s.name || '(unnamed)'}`,
        status,
        message: `${s.state ?? 'state unknown'}, ${s.sync_state ?? '?'}; behind by write ${bytes(s.write_lag_bytes)}${time(s.write_lag_seconds)}, flush ${bytes(s.flush_lag_bytes)}${time(s.flush_lag_seconds)}, replay ${bytes(s.replay_lag_bytes)}${time(s.replay_lag_seconds)}`,
        ...(status !== 'ok'
          ? {
              fix:
                s.state !== 'streaming'
                  ? `a standby in state ${s.state} is not yet (or no longer) streaming: see its log`
                  : 'see the standby: replay paused (pg_is_wal_replay_paused()), a long query holding replay back, or a slow disk or link',
            }
          : {}),
        details: {
          name: s.name,
          address: s.address,
          state: s.state,
          syncState: s.sync_state,
          replayLsn: s.replay_lsn,
          writeLagBytes: s.write_lag_bytes,
          flushLagBytes: s.flush_lag_bytes,
          replayLagBytes: s.replay_lag_bytes,
          writeLagSeconds: s.write_lag_seconds,
          flushLagSeconds: s.flush_lag_seconds,
          replayLagSeconds: s.replay_lag_seconds,
        },
      };
    });
    const first = all.find((_, i) => findings[i]!.status !== 'ok') ?? all[0]!;
    const short = `${first.name || '(unnamed)'} ${first.state ?? 'state unknown'} ${first.sync_state ?? ''}, replay ${bytes(first.replay_lag_bytes)} behind${time(first.replay_lag_seconds)}`;
    return { status: worst(findings), value: all.length, message: all.length === 1 ? short : `${all.length} standbys; ${short}`, findings };
  },
  threshold: (t) => `warn ≥ ${t.replicationLagWarnSeconds} s or ${t.replicationLagWarnMegabytes} MB behind, fail ≥ ${t.replicationLagFailSeconds} s`,
  fix: 'see the lagging standby (its replay, its queries, its disk) and the link to it',
};

export const slots: HealthCheck = {
  id: 'replication-slots',
  title: 'replication slots',
  needs: ['sessions'],
  sql: [SLOTS_SQL],
  evaluate: ({ rows }, t) => {
    const all = rows<SlotRow>(SLOTS_SQL);
    if (all.length === 0) return { status: 'ok', value: 0, message: 'no replication slots' };
    const findings: HealthFindingInput[] = all.map((s) => {
      const retained = s.retained_bytes;
      const status: HealthFindingInput['status'] =
        s.wal_status === 'lost' || (!s.active && retained > t.slotRetainedFailMegabytes * MB)
          ? 'fail'
          : s.wal_status === 'unreserved' || (!s.active && retained > t.slotRetainedWarnMegabytes * MB)
            ? 'warn'
            : 'ok';
      const state = s.active ? 'active' : 'inactive';
      const message =
        s.wal_status === 'lost'
          ? `${state}, ${s.type}: the WAL it needed is gone (wal_status lost), so its consumer can no longer catch up`
          : `${state}, ${s.type}: retains ${formatBytes(retained)} of WAL${s.active ? '' : ' until a consumer reconnects or the slot is dropped'}`;
      return {
        object: `slot ${s.name}`,
        status,
        message,
        ...(status !== 'ok' ? { fix: `if its standby or subscriber is gone for good: select pg_drop_replication_slot('${s.name.replace(/'/g, "''")}');` } : {}),
        details: { name: s.name, type: s.type, active: s.active, walStatus: s.wal_status, restartLsn: s.restart_lsn, retainedBytes: retained },
      };
    });
    const inactive = all.filter((s) => !s.active);
    const first = findings.find((f) => f.status !== 'ok');
    const total = all.reduce((sum, s) => sum + s.retained_bytes, 0);
    return {
      status: worst(findings),
      value: inactive.reduce((sum, s) => sum + s.retained_bytes, 0),
      message: first ? `${first.object} ${first.message}` : `${all.length} (${inactive.length} inactive), retaining ${formatBytes(total)} of WAL`,
      findings,
    };
  },
  threshold: (t) => `an inactive slot retaining > ${t.slotRetainedWarnMegabytes} MB warns, > ${t.slotRetainedFailMegabytes} MB fails; wal_status lost fails`,
  fix: 'drop a slot whose consumer is gone (pg_drop_replication_slot), or bring the consumer back; max_slot_wal_keep_size caps what a slot may keep',
};

export const replicationSettings: HealthCheck = {
  id: 'replication-settings',
  title: 'replication settings',
  needs: ['sessions'],
  sql: [SETTINGS_SQL],
  evaluate: ({ rows }) => {
    const s = rows<ReplicationSettingsRow>(SETTINGS_SQL)[0];
    if (!s) return { status: 'n/a', message: 'the settings could not be read' };
    const problems: string[] = [];
    if (s.wal_level === 'minimal') problems.push('wal_level is minimal: no standby or read replica can be made, and no point-in-time recovery');
    else if (s.max_wal_senders === 0) problems.push('max_wal_senders is 0: no standby can connect, and pg_basebackup cannot run');
    else if (s.wal_senders >= s.max_wal_senders)
      problems.push(`every WAL sender is in use (${s.wal_senders} of max_wal_senders ${s.max_wal_senders}): no room for another standby or a pg_basebackup`);
    if (s.max_replication_slots > 0 && s.slots >= s.max_replication_slots)
      problems.push(`every replication slot is taken (${s.slots} of max_replication_slots ${s.max_replication_slots})`);
    const summary = `wal_level ${s.wal_level}, ${s.wal_senders} of ${s.max_wal_senders} WAL senders, ${s.slots} of ${s.max_replication_slots} slots`;
    return problems.length ? { status: 'warn', value: s.wal_level, message: `${problems.join('; ')} (${summary})` } : { status: 'ok', value: s.wal_level, message: summary };
  },
  fix: 'set wal_level = replica and max_wal_senders / max_replication_slots above the standbys you run (a restart applies them)',
};

export const standbyReplay: HealthCheck = {
  id: 'standby-replay',
  title: 'standby replay',
  needs: ['sessions'],
  sql: [STANDBY_SQL],
  evaluate: ({ rows }, t) => {
    const s = rows<StandbyRow>(STANDBY_SQL)[0];
    if (!s?.standby) return { status: 'n/a', message: 'not a standby (this server takes writes)' };
    const behind = s.replay_behind_bytes ?? 0;
    // The age of the last replayed commit is lag only while something received waits to be replayed: an idle primary sends nothing new.
    const lagSeconds = behind > 0 ? s.replayed_age_seconds : 0;
    const findings: HealthFindingInput[] = [];
    if (s.paused)
      findings.push({
        object: 'replay',
        status: 'warn',
        message: `paused: it received ${formatBytes(behind)} it has not replayed, and its readers see old data`,
        fix: 'select pg_wal_replay_resume(); (on the standby)',
      });
    const lag = lagStatus(lagSeconds, behind, t);
    if (lag !== 'ok' && !s.paused)
      findings.push({
        object: 'replay',
        status: lag,
        message: `${formatBytes(behind)} received and not yet replayed${lagSeconds ? `, the last replayed commit is ${formatSeconds(lagSeconds)} old` : ''}`,
        fix: 'a long query on the standby can hold replay back (max_standby_streaming_delay); or its disk is slow',
      });
    if (!s.receiver_status)
      findings.push({
        object: 'primary connection',
        status: 'warn',
        message: 'no WAL receiver: it is not streaming from a primary (restarting, the primary unreachable, or a replica fed another way)',
        fix: "check primary_conninfo and the primary's pg_hba.conf; see the standby's log",
      });
    else if (s.receiver_status !== 'streaming')
      findings.push({ object: 'primary connection', status: 'warn', message: `WAL receiver ${s.receiver_status}, not streaming`, fix: "see the standby's log" });
    const where = s.primary ? `from ${s.primary}` : s.receiver_status ? 'from its primary' : 'not streaming';
    const summary = `replayed ${s.replay_lsn ?? 'nothing yet'} (${formatBytes(behind)} behind what it received), ${where}${s.slot ? ` over slot ${s.slot}` : ''}`;
    const details = {
      receiveLsn: s.receive_lsn,
      replayLsn: s.replay_lsn,
      behindBytes: behind,
      paused: s.paused,
      replayedAt: s.replayed_at,
      primary: s.primary,
      receiver: s.receiver_status,
      slot: s.slot,
    };
    if (findings.length === 0) return { status: 'ok', value: behind, message: summary, findings: [{ object: 'replay', status: 'ok', message: summary, details }] };
    return { status: worst(findings), value: behind, message: `${findings[0]!.object} ${findings[0]!.message}`, findings: findings.map((f) => ({ ...f, details })) };
  },
  threshold: (t) => `warn ≥ ${t.replicationLagWarnSeconds} s or ${t.replicationLagWarnMegabytes} MB behind, fail ≥ ${t.replicationLagFailSeconds} s; paused or not streaming warns`,
  fix: 'resume replay, or see the standby log for why it does not stream',
};
