import { describe, expect, it } from 'vitest';
import {
  replicationSettings,
  SETTINGS_SQL,
  SLOTS_SQL,
  slots,
  STANDBY_SQL,
  standbyReplay,
  STANDBYS_SQL,
  standbys,
  type SlotRow,
  type StandbyStreamRow,
} from '../../src/health/checks-replication.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../src/health/thresholds.js';
import type { CheckInput, HealthCheck, Verdict } from '../../src/health/types.js';
import type { StandbyRow } from '../../src/replication/standby.js';
import { bytesBehind, lsnBytes } from '../../src/replication/lsn.js';

/** The replication checks' `evaluate` on fixture rows (their SQL runs on a real pair in test/replicas.test.ts). */
const SERVER = { version: 'PostgreSQL 15.20', versionNum: 150_020, user: 'postgres', database: 'todo', superuser: true, bypassRls: true, standby: false, readOnly: false };
const MB = 1024 * 1024;

function evaluate(check: HealthCheck, rows: Record<string, unknown[]>, thresholds: Partial<Thresholds> = {}, standby = false): Verdict {
  const server = { ...SERVER, standby, readOnly: standby };
  const input: CheckInput = { rows: <R>(file: string) => (rows[file] ?? []) as R[], data: undefined, server, serverVersionNum: server.versionNum };
  return check.evaluate(input, { ...DEFAULT_THRESHOLDS, ...thresholds });
}

const stream = (over: Partial<StandbyStreamRow> = {}): StandbyStreamRow => ({
  name: 'replica1',
  address: '10.0.0.2/32',
  state: 'streaming',
  sync_state: 'async',
  replay_lsn: '0/3000000',
  sent_lag_bytes: 0,
  write_lag_bytes: 0,
  flush_lag_bytes: 0,
  replay_lag_bytes: 0,
  write_lag_seconds: null,
  flush_lag_seconds: null,
  replay_lag_seconds: null,
  reply_age_seconds: 1,
  ...over,
});
const slot = (over: Partial<SlotRow> = {}): SlotRow => ({
  name: 'replica1',
  type: 'physical',
  active: true,
  wal_status: 'reserved',
  restart_lsn: '0/3000000',
  retained_bytes: 0,
  ...over,
});
const standbyRow = (over: Partial<StandbyRow> = {}): StandbyRow => ({
  standby: true,
  receive_lsn: '0/3000000',
  replay_lsn: '0/3000000',
  replay_behind_bytes: 0,
  paused: false,
  replayed_at: new Date(),
  replayed_age_seconds: 500,
  receiver_status: 'streaming',
  primary: '10.0.0.1:5432',
  slot: 'replica1',
  receiver_silence_seconds: 1,
  ...over,
});

describe('replication-standbys', () => {
  it('is ok with none, and judges each standby by its replay lag in time and bytes', () => {
    expect(evaluate(standbys, {})).toMatchObject({ status: 'ok', value: 0, message: 'no standby streams from this server' });
    expect(evaluate(standbys, { [STANDBYS_SQL]: [stream()] }).status).toBe('ok');
    expect(evaluate(standbys, { [STANDBYS_SQL]: [stream({ replay_lag_seconds: 30 })] }).status).toBe('warn');
    expect(evaluate(standbys, { [STANDBYS_SQL]: [stream({ replay_lag_seconds: 300 })] }).status).toBe('fail');
    expect(evaluate(standbys, { [STANDBYS_SQL]: [stream({ replay_lag_bytes: 64 * MB })] }).status).toBe('warn');
    const catchup = evaluate(standbys, { [STANDBYS_SQL]: [stream(), stream({ name: 'replica2', state: 'catchup' })] });
    expect(catchup).toMatchObject({ status: 'warn', message: expect.stringMatching(/^2 standbys; replica2 catchup/) });
    expect(catchup.findings?.[1]).toMatchObject({ object: 'standby replica2', details: { state: 'catchup' } });
  });
});

describe('replication-slots', () => {
  it('warns on an inactive slot retaining more than the threshold, fails past the larger one or when lost', () => {
    expect(evaluate(slots, {})).toMatchObject({ status: 'ok', message: 'no replication slots' });
    expect(evaluate(slots, { [SLOTS_SQL]: [slot({ retained_bytes: 50_000 * MB })] }).status).toBe('ok');
    expect(evaluate(slots, { [SLOTS_SQL]: [slot({ active: false, retained_bytes: 1024 * MB })] }).status).toBe('ok');
    const warn = evaluate(slots, { [SLOTS_SQL]: [slot({ active: false, retained_bytes: 1025 * MB })] });
    expect(warn).toMatchObject({ status: 'warn', message: expect.stringMatching(/^slot replica1 inactive, physical: retains 1.07 GB/) });
    expect(warn.findings?.[0]?.fix).toBe("if its standby or subscriber is gone for good: select pg_drop_replication_slot('replica1');");
    expect(evaluate(slots, { [SLOTS_SQL]: [slot({ active: false, retained_bytes: 10_241 * MB })] }).status).toBe('fail');
    expect(evaluate(slots, { [SLOTS_SQL]: [slot({ active: false, wal_status: 'lost' })] }).status).toBe('fail');
    expect(evaluate(slots, { [SLOTS_SQL]: [slot({ active: false, retained_bytes: 2 * MB })] }, { slotRetainedWarnMegabytes: 1 }).status).toBe('warn');
  });
});

describe('replication-settings', () => {
  const settings = (over = {}) => ({
    [SETTINGS_SQL]: [{ wal_level: 'replica', max_wal_senders: 10, max_replication_slots: 10, wal_senders: 1, slots: 1, standby: false, ...over }],
  });
  it('warns when no standby could be made or every sender or slot is taken', () => {
    expect(evaluate(replicationSettings, settings())).toMatchObject({ status: 'ok', message: 'wal_level replica, 1 of 10 WAL senders, 1 of 10 slots' });
    expect(evaluate(replicationSettings, settings({ wal_level: 'minimal', max_wal_senders: 0 })).message).toMatch(/^wal_level is minimal/);
    expect(evaluate(replicationSettings, settings({ wal_senders: 10 })).status).toBe('warn');
    expect(evaluate(replicationSettings, settings({ slots: 10 })).message).toMatch(/every replication slot is taken/);
  });
});

describe('standby-replay', () => {
  it('is n/a on a primary; on a standby warns when paused or not streaming and judges what is left to replay', () => {
    expect(evaluate(standbyReplay, { [STANDBY_SQL]: [{ ...standbyRow(), standby: false }] }).status).toBe('n/a');
    // Caught up: the age of the last replayed commit is not lag (the primary may simply be idle).
    expect(evaluate(standbyReplay, { [STANDBY_SQL]: [standbyRow()] }, {}, true)).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/from 10.0.0.1:5432 over slot replica1/),
    });
    expect(evaluate(standbyReplay, { [STANDBY_SQL]: [standbyRow({ paused: true, replay_behind_bytes: 5000 })] }, {}, true)).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^replay paused/),
    });
    expect(evaluate(standbyReplay, { [STANDBY_SQL]: [standbyRow({ replay_behind_bytes: 5000, replayed_age_seconds: 400 })] }, {}, true).status).toBe('fail');
    expect(evaluate(standbyReplay, { [STANDBY_SQL]: [standbyRow({ receiver_status: null, primary: null })] }, {}, true)).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^primary connection no WAL receiver/),
    });
  });
});

describe('LSNs', () => {
  it('compare and subtract as byte positions', () => {
    expect(lsnBytes('1/0')).toBe(2n ** 32n);
    expect(lsnBytes('0/3098D58') > lsnBytes('0/3063400')).toBe(true);
    expect(bytesBehind('0/3000000', '0/3000100')).toBe(256);
    expect(bytesBehind('0/3000100', '0/3000000')).toBe(0);
    expect(() => lsnBytes('nope')).toThrow(/not a WAL position/);
  });
});
