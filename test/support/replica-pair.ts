import { freePort, startPrivateCluster, type PrivateCluster } from './private-cluster.js';

/**
 * A primary and its hot standby, streaming over a physical replication slot:
 * PostgreSQL's own replication, started per test file (one pair, shared by the
 * file's tests: start-up is the slow part). `stop()` stops both and removes
 * their files.
 *
 * @example
 * let pair: ReplicaPair;
 * beforeAll(async () => { pair = await startReplicaPair(); }, 120_000);
 * afterAll(() => pair?.stop());
 * await pair.primary.query('create table t ()');
 * await pair.caughtUp();
 * await pair.standby.query('select * from t');
 */
export interface ReplicaPair {
  primary: PrivateCluster;
  standby: PrivateCluster;
  /** the standby's name in pg_stat_replication (its cluster_name) */
  standbyName: string;
  /** the physical slot the standby streams over */
  slot: string;
  /** resolves once the standby has replayed everything the primary has written so far */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): void;
}

export const STANDBY_NAME = 'todo_standby';
export const STANDBY_SLOT = 'todo_standby_slot';

export async function startReplicaPair(options: { label?: string } = {}): Promise<ReplicaPair> {
  const label = options.label ?? 'replica';
  const primary = startPrivateCluster({
    port: await freePort(),
    label: `${label}-primary`,
    settings: { wal_level: 'replica', max_wal_senders: 5, max_replication_slots: 5, hot_standby: 'on', autovacuum: 'off', wal_keep_size: 0 },
  });
  let standby: PrivateCluster | undefined;
  try {
    standby = startPrivateCluster({
      port: await freePort(),
      label: `${label}-standby`,
      standbyOf: { port: primary.port, slot: STANDBY_SLOT },
      // cluster_name becomes the walreceiver's application_name on the primary.
      settings: { cluster_name: STANDBY_NAME, hot_standby: 'on', hot_standby_feedback: 'on' },
    });
    const pair: ReplicaPair = {
      primary,
      standby,
      standbyName: STANDBY_NAME,
      slot: STANDBY_SLOT,
      caughtUp: (timeoutMs = 30_000) => caughtUp(primary, standby!, timeoutMs),
      stop: () => {
        standby?.stop();
        primary.stop();
      },
    };
    await streaming(primary, 60_000);
    await pair.caughtUp();
    return pair;
  } catch (error) {
    standby?.stop();
    primary.stop();
    throw error;
  }
}

async function streaming(primary: PrivateCluster, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await primary.query<{ state: string }>('select state from pg_stat_replication where application_name = $1', undefined, [STANDBY_NAME]);
    if (rows[0]?.state === 'streaming') return;
    if (Date.now() > deadline) throw new Error(`the standby did not start streaming within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function caughtUp(primary: PrivateCluster, standby: PrivateCluster, timeoutMs: number): Promise<void> {
  const lsn = (await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'))[0]!.lsn;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await standby.query<{ done: boolean }>('select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', undefined, [lsn]);
    if (row?.done) return;
    if (Date.now() > deadline) throw new Error(`the standby did not replay ${lsn} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
