import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { TodoDatabase } from './open.js';

/** What the probe found: `evidence` says what the pooler could not hide. */
export interface PoolerProbe {
  pooled: boolean;
  evidence?: string;
  /** the `pooler` setting said so; nothing was probed */
  declared?: boolean;
}

/** A custom setting of the probe's own; an empty placeholder is all it leaves behind. */
const PROBE_SETTING = 'todo_db.pooler_probe';
const ROUNDS = 2;

const probes = new WeakMap<Kysely<any>, Promise<PoolerProbe>>();

/**
 * Whether the connection goes through a transaction pooler (PgBouncer in
 * transaction mode, Neon's `-pooler` endpoint), which hands each transaction to
 * whichever server connection is free, so session state (a session advisory
 * lock, a SET) does not stay with the client.
 *
 * Every finding is a proof, never a guess: a session keeps its own setting and
 * its backend pid, and no other session can see them. A pooler gives itself
 * away when one client connection loses its setting or changes pid between two
 * of its statements, or when a second client connection, in a transaction
 * meanwhile, lands on the server connection that holds the first one's setting.
 * Alone on an idle pool a client may get its server connection back every time
 * (PgBouncer reuses the last one released), so each round asks both ways: two
 * statements in a row (a round-robin pool moves the client), then with the
 * second client holding a transaction open in between (a last-in-first-out pool
 * gives the second client the server connection just released). Neon's direct
 * endpoint is a proxy too, but one client connection is one backend there, so
 * it is a session. Cached per database; PGlite and pg-mem are one session.
 */
export function detectTransactionPooler(database: TodoDatabase<any>): Promise<PoolerProbe> {
  if (database.raw.kind !== 'postgres') return Promise.resolve({ pooled: false });
  // Declared by the `pooler` setting: trusted, no probe.
  if (database.declaredPooler)
    return Promise.resolve(database.declaredPooler === 'transaction' ? { pooled: true, evidence: 'the pooler setting says so', declared: true } : { pooled: false });
  let probe = probes.get(database.db);
  if (!probe) probes.set(database.db, (probe = probeOnce(database.db)));
  return probe;
}

async function probeOnce(db: Kysely<any>): Promise<PoolerProbe> {
  return db.connection().execute((client) =>
    db.connection().execute(async (other) => {
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const alone = await inARow(client);
          if (alone) return { pooled: true, evidence: alone };
          const crowded = await withAnotherInBetween(client, other);
          if (crowded) return { pooled: true, evidence: crowded };
        }
        return { pooled: false };
      } finally {
        await setProbe(client, '').catch(() => undefined);
      }
    }),
  );
}

interface Seen {
  value: string | null;
  pid: number;
}

async function setProbe(db: Kysely<any>, value: string): Promise<Seen> {
  const { rows } = await sql<Seen>`select set_config(${PROBE_SETTING}, ${value}, false) as value, pg_backend_pid() as pid`.execute(db);
  return rows[0]!;
}

async function readProbe(db: Kysely<any>): Promise<Seen> {
  const { rows } = await sql<Seen>`select current_setting(${PROBE_SETTING}, true) as value, pg_backend_pid() as pid`.execute(db);
  return rows[0]!;
}

function lost(token: string, set: Seen, back: Seen): string | undefined {
  if (back.pid !== set.pid) return `one client connection ran on backend ${set.pid}, then on ${back.pid}`;
  if (back.value !== token) return 'a session setting did not survive to the next statement of the same client connection';
  return undefined;
}

async function inARow(client: Kysely<any>): Promise<string | undefined> {
  const token = randomUUID();
  const set = await setProbe(client, token);
  return lost(token, set, await readProbe(client));
}

async function withAnotherInBetween(client: Kysely<any>, other: Kysely<any>): Promise<string | undefined> {
  const token = randomUUID();
  const set = await setProbe(client, token);
  await sql`begin`.execute(other);
  let back: Promise<Seen> | undefined;
  try {
    const seen = await readProbe(other);
    if (seen.value === token || seen.pid === set.pid) return 'a second client connection landed on the server connection of the first one';
    // Sent before the other ends its transaction: the first cannot simply wait for its own server connection to come back.
    back = readProbe(client);
    back.catch(() => undefined);
  } finally {
    await sql`rollback`.execute(other);
  }
  return lost(token, set, await back);
}
