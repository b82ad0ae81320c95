import type { Command } from 'commander';
import type { MigrateResult, ReplicaWait, TodoDatabase } from '../../index.js';
import { formatBytes, formatMs, plural, type Output } from '../output.js';
import type { CliContext } from '../context.js';

/** `migrate up`'s replica options; their values go through the settings resolver (config file, environment). */
export function addReplicaOptions(command: Command): Command {
  return command
    .option('--wait-replicas [seconds]', 'after the run, wait until every standby and --replica-url has replayed it (default 60 s; config waitReplicas, env TODO_DB_WAIT_REPLICAS)')
    .option(
      '--replica-url <url>',
      'a read replica to wait for (Neon read replicas are not in pg_stat_replication); repeatable (config replicaUrls, env TODO_DB_REPLICA_URLS)',
      (value: string, list: string[] = []) => [...list, value],
    )
    .option('--require-replicas', 'with no replica to wait for, fail (exit 1) before migrating, not just say so');
}

export type WithReplicas = { replicas?: ReplicaWait };

/**
 * Runs `migrate` (the migrations) on the primary and then, when the settings ask
 * for it, waits for the replicas: they are opened (and checked to be replicas)
 * before anything is migrated, and with --require-replicas an empty set fails
 * first. A timeout still shows what was applied (the error's partial result).
 */
export async function withReplicaWait(ctx: CliContext, db: TodoDatabase, dryRun: boolean, migrate: () => Promise<MigrateResult>): Promise<MigrateResult & WithReplicas> {
  const s = ctx.settings;
  const timeoutMs = s.waitReplicasMs ?? (s.requireReplicas || s.replicaUrls.length > 0 ? (await import('../../index.js')).DEFAULT_WAIT_REPLICAS_MS : undefined);
  if (timeoutMs === undefined) return migrate();
  const lib = await import('../../index.js');
  await lib.requireWritable(db, 'migrate up');
  if (dryRun) {
    ctx.out.note('dry run: nothing is committed, so there is nothing for the replicas to replay');
    return migrate();
  }
  // An embedded database has no replicas: a config that waits (for production) must not break local runs.
  if (!db.capabilities.sessions) {
    const note = `${db.kind} has no replicas: nothing to wait for`;
    if (s.requireReplicas) throw new lib.ProblemError(`--require-replicas: ${note}; nothing was migrated`, 'run it against the PostgreSQL primary');
    ctx.out.note(note);
    return migrate();
  }
  const replicas = await lib.openReplicas(s.replicaUrls, { cwd: s.root, ...(s.connectTimeoutMs !== undefined ? { connectTimeoutMs: s.connectTimeoutMs } : {}) });
  try {
    if (s.requireReplicas && replicas.length === 0 && (await lib.streamingStandbys(db)).length === 0) {
      throw new lib.ProblemError(
        '--require-replicas: no standby streams from the primary and no --replica-url was given; nothing was migrated',
        'start the standby, or give each read replica with --replica-url',
      );
    }
    const result = await migrate();
    const progress = progressLine(ctx);
    try {
      let announced = false;
      const wait = await lib
        .waitForReplicas(db, {
          timeoutMs,
          replicas,
          require: s.requireReplicas,
          onProgress: ({ lsn, behind, elapsedMs }) => {
            if (!announced) ctx.out.note(`waiting up to ${formatMs(timeoutMs)} for ${plural(behind.length, 'replica')} to replay ${lsn}: ${behind.map((b) => b.name).join(', ')}`);
            announced = true;
            progress.update(`${formatMs(elapsedMs)} · ${behind.map(lib.describeLag).join(' · ')}`);
          },
        })
        .finally(progress.clear);
      return { ...result, replicas: wait };
    } catch (error) {
      // Whatever ended the wait (a timeout, a replica gone), the migrations did commit: show them.
      if (error instanceof lib.ReplicaLagError) error.partial = { ok: false, ...result, replicas: error.wait };
      else if (error instanceof lib.TodoDbError) Object.assign(error, { partial: { ok: false, ...result } });
      throw error;
    }
  } finally {
    await Promise.all(replicas.map((r) => r.close().catch(() => undefined)));
  }
}

export function renderReplicas(out: Output, wait: ReplicaWait | undefined): void {
  if (!wait) return;
  if (wait.note) {
    out.note(wait.note);
    return;
  }
  out.table(
    wait.replicas.map((r) => [
      `${r.caughtUp ? out.c.green('✓') : out.c.red('✗')} ${r.name}`,
      out.c.dim(r.caughtUp ? `replayed ${wait.lsn}${r.via === 'replica-url' ? ' (--replica-url)' : ''}` : describe(r)),
    ]),
  );
  if (wait.replicas.every((r) => r.caughtUp)) out.result(`${plural(wait.replicas.length, 'replica')} replayed the run in ${formatMs(wait.waitedMs)}.`);
}

function describe(r: ReplicaWait['replicas'][number]): string {
  if (!r.connected) return 'disconnected';
  return `${r.behindBytes === null ? 'an unknown amount' : formatBytes(r.behindBytes)} behind${r.paused ? ', replay paused' : ''}`;
}

/** One rewritten line on a terminal's stderr while waiting; nothing elsewhere (the note says it once). */
function progressLine(ctx: CliContext): { update: (text: string) => void; clear: () => void } {
  const enabled = process.stderr.isTTY === true && !ctx.out.json && !ctx.global.quiet;
  let shown = false;
  return {
    update: (text) => {
      if (!enabled) return;
      process.stderr.write(`\r\u001b[K  ${ctx.out.c.dim(`waiting · ${text}`)}`);
      shown = true;
    },
    clear: () => {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}
